import { FramewayError } from '@frameway/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlayerTokens } from '../auth/PlayerTokens.js';
import { FakeAgent } from '../testing/FakeAgent.js';
import { FakePlayer } from '../testing/FakePlayer.js';
import { pollUntil } from '../testing/pollUntil.js';
import { type StudioTestGateway, startStudioGateway, TEST_AGENT_SECRET } from '../testing/startStudioGateway.js';

const TOKEN_SECRET = 'studio-sessions-test-token-secret-0123456789';

describe('sessions API', () => {
  let gw: StudioTestGateway;
  let key: string;
  let titleId: string;
  const cleanups: (() => unknown)[] = [];

  beforeEach(async () => {
    gw = await startStudioGateway({ config: { tokenSecret: TOKEN_SECRET } });
    key = gw.studio().key;
    const title = await gw.call('POST', '/v1/titles', {
      key,
      body: {
        kind: 'game',
        name: 'Scene',
        runtime: { type: 'scene' },
        requirements: {
          resolution: { width: 640, height: 360 },
          fps: 30,
          latencyBudgetMs: 40,
          maxSessionMinutes: 60,
          regions: ['eu-west', 'eu-north'],
        },
      },
    });
    titleId = title.body.id;
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await gw.close();
  });

  async function agent(agentId = 'node-a'): Promise<FakeAgent> {
    const fake = new FakeAgent({
      url: `${gw.url.replace('http', 'ws')}/ws/agent`,
      secret: TEST_AGENT_SECRET,
      slots: 4,
      agentId,
      registration: { region: 'eu-north' },
    });
    await fake.connect();
    await fake.register();
    cleanups.push(() => fake.close());
    return fake;
  }

  async function player(): Promise<FakePlayer> {
    const fake = new FakePlayer(`${gw.url.replace('http', 'ws')}/ws/player`);
    await fake.connect();
    cleanups.push(() => fake.close());
    return fake;
  }

  it('creates a session with a player token, a play URL and an expiry, from the title', async () => {
    const created = await gw.call('POST', '/v1/sessions', {
      key,
      body: {
        titleId,
        playerId: 'player-7',
        region: 'eu-north',
        maxDurationMinutes: 500,
        tokenTtlSeconds: 120,
        metadata: { match: 'm-1' },
      },
    });
    expect(created.status).toBe(201);
    const { session, playerToken, playUrl, signalingUrl, expiresAt } = created.body;
    expect(session).toMatchObject({
      titleId,
      playerId: 'player-7',
      state: 'placing',
      nodeId: null,
      metadata: { match: 'm-1' },
    });
    expect(signalingUrl).toBe(`${gw.url.replace('http', 'ws')}/ws/player`);
    const url = new URL(playUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${gw.url}/`);
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('token')).toBe(playerToken);
    expect(fragment.get('signalingUrl')).toBe(signalingUrl);
    const claims = gw.gateway.tokens.verify(playerToken);
    expect(claims).toMatchObject({ sid: session.id, sub: 'player-7' });
    expect(claims.exp - claims.iat).toBe(120);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 100_000);
    const spec = gw.gateway.sessions.get(session.id)!.spec;
    expect(spec).toMatchObject({
      runtime: 'scene',
      video: { width: 640, height: 360, fps: 30, codec: 'h264' },
      latencyBudgetMs: 40,
      regions: ['eu-north'],
      maxDurationMs: 60 * 60_000, // the title's limit wins over a longer request
      studioId: expect.stringMatching(/^std_/),
      titleId,
    });
  });

  it('mints tokens that open only their session and stop working when they expire', async () => {
    const a = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1', tokenTtlSeconds: 60 } }))
      .body;
    const b = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    await agent();
    const joined = await (await player()).join(a.playerToken);
    expect(joined.sessionId).toBe(a.session.id);
    // Pointing a token at another session breaks its signature.
    const [version, payload, signature] = a.playerToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const moved = `${version}.${Buffer.from(JSON.stringify({ ...claims, sid: b.session.id })).toString('base64url')}.${signature}`;
    const refused = await (await player()).join(moved).catch((error: FramewayError) => error);
    expect(refused).toBeInstanceOf(FramewayError);
    expect((refused as FramewayError).code).toBe('FW_ERR_UNAUTHORIZED');
    // The same token, checked by a verifier with the gateway's key a minute later, has expired.
    const later = new PlayerTokens({ secret: Buffer.from(TOKEN_SECRET), now: () => Date.now() + 61_000 });
    expect(() => later.verify(a.playerToken)).toThrowError(expect.objectContaining({ code: 'FW_ERR_TOKEN_EXPIRED' }));
  });

  it('sends Android apps to the cloud-phone page', async () => {
    const app = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'android_app', name: 'Puzzle', app: { package: 'com.studio.puzzle' } },
    });
    const created = await gw.call('POST', '/v1/sessions', { key, body: { titleId: app.body.id, playerId: 'p1' } });
    expect(new URL(created.body.playUrl).pathname).toBe('/phone');
    expect(gw.gateway.sessions.get(created.body.session.id)!.spec).toMatchObject({
      runtime: 'android',
      runtimeOptions: { package: 'com.studio.puzzle' },
    });
  });

  it('refuses unknown titles, regions outside the title and bad input', async () => {
    const unknown = await gw.call('POST', '/v1/sessions', { key, body: { titleId: 'tt_nope', playerId: 'p1' } });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'FW_ERR_TITLE_NOT_FOUND']);
    const region = await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1', region: 'us-east' } });
    expect([region.status, region.body.code]).toEqual([400, 'FW_ERR_REGION_NOT_ALLOWED']);
    expect(region.body.details.allowed).toEqual(['eu-west', 'eu-north']);
    const bad = await gw.call('POST', '/v1/sessions', {
      key,
      body: { titleId, playerId: 'has space', metadata: { a: 1 } },
    });
    expect(bad.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['metadata.a', 'playerId']);
    expect(gw.gateway.sessions.list()).toHaveLength(0);
  });

  it('follows a session from placement to streaming to its end, and keeps it after the live session is gone', async () => {
    const edge = await agent();
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    const id = created.session.id;
    const joinedAfter = gw.now();
    await (await player()).join(created.playerToken);
    const streaming = await pollUntil(async () => {
      const got = await gw.call('GET', `/v1/sessions/${id}`, { key });
      return got.body.state === 'streaming' && got.body;
    }, 'streaming');
    expect(streaming).toMatchObject({ nodeId: 'node-a', region: 'eu-north', failovers: 0, endedAt: null });
    // Billable time starts when media first flows: after the join, by the time the poll saw it.
    expect(Date.parse(streaming.startedAt)).toBeGreaterThanOrEqual(joinedAfter);
    expect(Date.parse(streaming.startedAt)).toBeLessThanOrEqual(gw.now());
    expect(streaming.live).toEqual({ rttMs: null, fps: null, latencyMs: null, measuredAt: null });
    expect(edge.starts[0]).toMatchObject({ sessionId: id, video: { width: 640, height: 360, fps: 30 } });

    // Live fps/latency come from the QoS ledger's latest verdict.
    gw.verdicts.push({
      sessionId: id,
      minuteIndex: 0,
      startedAt: Date.parse(streaming.startedAt),
      slaMet: true,
      fps: 29.5,
      p95LatencyMs: 21,
    });
    const measured = (await gw.call('GET', `/v1/sessions/${id}`, { key })).body;
    expect(measured.live).toMatchObject({ fps: 29.5, latencyMs: 21, rttMs: null });

    const ended = await gw.call('DELETE', `/v1/sessions/${id}`, { key });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended', endReason: 'terminated' });
    await pollUntil(() => edge.stops.includes(id), 'SessionStop on the agent');
    expect(gw.gateway.sessions.get(id)).toBeUndefined();
    const after = (await gw.call('GET', `/v1/sessions/${id}`, { key })).body;
    expect(after.history.map((h: { type: string }) => h.type)).toEqual(['created', 'placed', 'streaming', 'ended']);
    expect(after.history[1].data).toMatchObject({ nodeId: 'node-a', utilisationPercent: 25 });
    const again = await gw.call('DELETE', `/v1/sessions/${id}`, { key });
    expect([again.status, again.body.code]).toEqual([410, 'FW_ERR_SESSION_ENDED']);
  });

  it('records a failover to another node', async () => {
    await agent('node-a');
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    await (await player()).join(created.playerToken);
    await pollUntil(() => gw.gateway.sessions.get(created.session.id)?.nodeId, 'placement');
    await agent('node-b');
    expect(await gw.gateway.sessions.migrate(created.session.id, 'degraded')).toBe(true);
    const got = (await gw.call('GET', `/v1/sessions/${created.session.id}`, { key })).body;
    expect(got).toMatchObject({ nodeId: 'node-b', failovers: 1 });
    // The new node may already stream by now: the failover is in the history, not necessarily its last entry.
    const moves = got.history.filter((entry: { type: string }) => entry.type === 'failed_over');
    expect(moves).toEqual([expect.objectContaining({ data: { fromNodeId: 'node-a', toNodeId: 'node-b' } })]);
  });

  it('lists sessions with filters and cursor pagination', async () => {
    const other = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'game', name: 'B', runtime: { type: 'scene' } },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await gw.call('POST', '/v1/sessions', {
        key,
        body: { titleId: i < 3 ? titleId : other.body.id, playerId: i % 2 === 0 ? 'even' : 'odd' },
      });
      ids.push(created.body.session.id);
      gw.advance(1000);
    }
    await gw.call('DELETE', `/v1/sessions/${ids[0]}`, { key });
    const list = async (query: string) => (await gw.call('GET', `/v1/sessions?${query}`, { key })).body;
    expect((await list('')).items.map((s: { id: string }) => s.id)).toEqual([...ids].reverse());
    expect((await list(`titleId=${titleId}`)).items).toHaveLength(3);
    expect((await list('playerId=even')).items.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[2], ids[0]]);
    expect((await list('state=ended')).items.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    expect((await list('state=placing')).items).toHaveLength(4);
    const created2 = (await gw.call('GET', `/v1/sessions/${ids[2]}`, { key })).body.createdAt;
    expect((await list(`createdAfter=${created2}`)).items).toHaveLength(3);
    expect((await list(`createdBefore=${created2}`)).items).toHaveLength(2);
    const first = await list('limit=2');
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    const third = await list(`limit=2&cursor=${second.nextCursor}`);
    expect([...first.items, ...second.items, ...third.items].map((s: { id: string }) => s.id)).toEqual(
      [...ids].reverse(),
    );
    expect(third.nextCursor).toBeNull();
  });

  it("hides other studios' sessions", async () => {
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    const other = gw.studio('Other').key;
    for (const method of ['GET', 'DELETE']) {
      const response = await gw.call(method, `/v1/sessions/${created.session.id}`, { key: other });
      expect([response.status, response.body.code]).toEqual([404, 'FW_ERR_SESSION_NOT_FOUND']);
    }
    expect((await gw.call('GET', '/v1/sessions', { key: other })).body.items).toEqual([]);
    expect(gw.gateway.sessions.get(created.session.id)?.ended).toBe(false);
  });

  it('ends, at their last known moment, sessions a crashed process left open', async () => {
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    // What a crash leaves behind: a record with no end, and no live session any more.
    gw.gateway.studio.sessions.detach();
    gw.gateway.sessions.end(created.session.id, { reason: 'terminated' });
    const lastKnown = gw.gateway.studio.records.history(created.session.id).at(-1)!.at;
    gw.advance(3_600_000);
    const [recovered] = gw.gateway.studio.records.endUnfinished('gateway_shutdown');
    expect(recovered).toMatchObject({ id: created.session.id, endReason: 'gateway_shutdown', endedAt: lastKnown });
  });
});
