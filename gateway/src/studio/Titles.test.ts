import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StudioTestGateway, startStudioGateway } from '../testing/startStudioGateway.js';

describe('titles API', () => {
  let gw: StudioTestGateway;
  let key: string;

  beforeEach(async () => {
    gw = await startStudioGateway();
    key = gw.studio().key;
  });
  afterEach(() => gw.close());

  it('registers a container game with its requirements, defaults filled in', async () => {
    const created = await gw.call('POST', '/v1/titles', {
      key,
      body: {
        kind: 'game',
        name: 'Racer',
        runtime: {
          type: 'container',
          image: 'ghcr.io/studio/racer:1.2',
          command: 'racer --fullscreen',
          env: { MODE: 'cloud' },
        },
        requirements: { gpuClass: 'high', resolution: { width: 1920, height: 1080 }, fps: 120, regions: ['eu-west'] },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^tt_/),
      kind: 'game',
      runtime: { type: 'container', image: 'ghcr.io/studio/racer:1.2' },
      requirements: {
        gpuClass: 'high',
        resolution: { width: 1920, height: 1080 },
        fps: 120,
        latencyBudgetMs: 30,
        maxSessionMinutes: 240,
        regions: ['eu-west'],
      },
      archivedAt: null,
    });
    const fetched = await gw.call('GET', `/v1/titles/${created.body.id}`, { key });
    expect(fetched.body).toEqual(created.body);
  });

  it('registers an X11 game and an Android app', async () => {
    const x11 = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'game', name: 'Local', runtime: { type: 'x11', command: 'xeyes' } },
    });
    expect(x11.status).toBe(201);
    const android = await gw.call('POST', '/v1/titles', {
      key,
      body: {
        kind: 'android_app',
        name: 'Puzzle',
        app: { package: 'com.studio.puzzle', apkUrl: 'https://cdn.example/puzzle.apk' },
        requirements: { resolution: { width: 720, height: 1280 }, latencyBudgetMs: 50, maxSessionMinutes: 30 },
      },
    });
    expect(android.status).toBe(201);
    expect(android.body).toMatchObject({ kind: 'android_app', app: { package: 'com.studio.puzzle' } });
  });

  it('refuses invalid titles with 400 FW_ERR_INVALID_REQUEST naming the field', async () => {
    const cases: [unknown, string][] = [
      [
        {
          kind: 'game',
          name: 'x',
          runtime: { type: 'scene' },
          requirements: { resolution: { width: 1281, height: 720 } },
        },
        'requirements.resolution.width',
      ],
      [{ kind: 'game', name: 'x', runtime: { type: 'x11' } }, 'runtime.command'],
      [{ kind: 'game', name: 'x', app: { package: 'com.a.b' } }, 'runtime'],
      [{ kind: 'android_app', name: 'x', app: { package: 'not a package' } }, 'app.package'],
      [{ kind: 'console', name: 'x' }, 'kind'],
      [{ kind: 'game', name: '', runtime: { type: 'scene' } }, 'name'],
      [{ kind: 'game', name: 'x', runtime: { type: 'scene' }, requirements: { fps: 1000 } }, 'requirements.fps'],
    ];
    for (const [body, path] of cases) {
      const response = await gw.call('POST', '/v1/titles', { key, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('FW_ERR_INVALID_REQUEST');
      expect(response.body.details.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await gw.call('POST', '/v1/titles', { key })).body.code).toBe('FW_ERR_INVALID_REQUEST');
  });

  it('lists titles newest first, page by page, without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await gw.call('POST', '/v1/titles', {
        key,
        body: { kind: 'game', name: `t${i}`, runtime: { type: 'scene' } },
      });
      ids.push(created.body.id);
      gw.advance(1); // distinct creation times are not required, but make the order checkable
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { items: { id: string }[]; nextCursor: string | null } } = await gw.call(
        'GET',
        `/v1/titles?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { key },
      );
      seen.push(...page.body.items.map((t) => t.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    expect((await gw.call('GET', '/v1/titles?cursor=bogus!', { key })).status).toBe(400);
    expect((await gw.call('GET', '/v1/titles?cursor=Ym9ndXM', { key })).body.code).toBe('FW_ERR_INVALID_REQUEST');
  });

  it("keeps studios apart: another studio's title is not found", async () => {
    const created = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'game', name: 'Mine', runtime: { type: 'scene' } },
    });
    const other = gw.studio('Other').key;
    const response = await gw.call('GET', `/v1/titles/${created.body.id}`, { key: other });
    expect([response.status, response.body.code]).toEqual([404, 'FW_ERR_TITLE_NOT_FOUND']);
    expect((await gw.call('GET', '/v1/titles', { key: other })).body.items).toEqual([]);
    expect((await gw.call('DELETE', `/v1/titles/${created.body.id}`, { key: other })).status).toBe(404);
  });

  it('archives a title: it stays readable, starts no sessions, and archiving twice changes nothing', async () => {
    const created = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'game', name: 'Old', runtime: { type: 'scene' } },
    });
    gw.advance(60_000);
    const archivedAfter = gw.now();
    const archived = await gw.call('DELETE', `/v1/titles/${created.body.id}`, { key });
    expect(archived.status).toBe(200);
    expect(Date.parse(archived.body.archivedAt)).toBeGreaterThanOrEqual(archivedAfter);
    expect(Date.parse(archived.body.archivedAt)).toBeLessThanOrEqual(gw.now());
    gw.advance(5000);
    expect((await gw.call('DELETE', `/v1/titles/${created.body.id}`, { key })).body.archivedAt).toBe(
      archived.body.archivedAt,
    );
    const session = await gw.call('POST', '/v1/sessions', { key, body: { titleId: created.body.id, playerId: 'p1' } });
    expect([session.status, session.body.code]).toEqual([409, 'FW_ERR_TITLE_ARCHIVED']);
    expect((await gw.call('GET', '/v1/titles/tt_nope', { key })).body.code).toBe('FW_ERR_TITLE_NOT_FOUND');
  });
});
