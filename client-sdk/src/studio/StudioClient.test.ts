import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { StudioClient } from './StudioClient.js';

interface Sent {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records requests and answers from a script. */
function fakeFetch(answers: ((sent: Sent) => Response)[]) {
  const sent: Sent[] = [];
  const fetch = (async (input: URL, init: RequestInit) => {
    const request: Sent = {
      url: new URL(String(input)),
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: init.body as string | undefined,
    };
    sent.push(request);
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)];
    if (!answer) throw new TypeError('no answer scripted');
    return answer(request);
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const title = {
  id: 'tt_1',
  kind: 'game',
  name: 'G',
  runtime: { type: 'scene' },
  requirements: {
    gpuClass: 'any',
    resolution: { width: 1280, height: 720 },
    fps: 60,
    latencyBudgetMs: 30,
    maxSessionMinutes: 240,
    regions: [],
  },
  createdAt: '2026-01-01T00:00:00.000Z',
  archivedAt: null,
};

function client(fetch: typeof globalThis.fetch, retries = 2) {
  return new StudioClient({
    baseUrl: 'http://gw.test:8080/',
    apiKey: 'fwk.key_1.secret',
    fetch,
    retries,
    retryDelayMs: () => 1,
  });
}

describe('StudioClient', () => {
  it('sends the key, JSON and an Idempotency-Key on creating calls, and parses the typed answer', async () => {
    const { fetch, sent } = fakeFetch([() => json(201, title)]);
    const created = await client(fetch).createTitle({ kind: 'game', name: 'G', runtime: { type: 'scene' } });
    expect(created).toEqual(title);
    expect(sent[0]!.url.href).toBe('http://gw.test:8080/v1/titles');
    expect(sent[0]!.method).toBe('POST');
    expect(sent[0]!.headers).toMatchObject({
      authorization: 'Bearer fwk.key_1.secret',
      'content-type': 'application/json',
    });
    expect(sent[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(sent[0]!.body!)).toEqual({ kind: 'game', name: 'G', runtime: { type: 'scene' } });
  });

  it('fills path parameters (escaped) and query strings', async () => {
    const { fetch, sent } = fakeFetch([() => json(200, { items: [], nextCursor: null })]);
    await client(fetch).listSessions({ state: 'ended', limit: 5 });
    await client(fetch).listWebhookDeliveries('wh_a/b', { status: 'failed' });
    expect(sent[0]!.url.search).toBe('?state=ended&limit=5');
    expect(sent[0]!.headers['idempotency-key']).toBeUndefined();
    expect(sent[1]!.url.pathname).toBe('/v1/webhooks/wh_a%2Fb/deliveries');
  });

  it("turns error answers into FramewayErrors with the server's code", async () => {
    const { fetch } = fakeFetch([
      () => json(404, { code: 'FW_ERR_TITLE_NOT_FOUND', message: 'no such title', details: { titleId: 'tt_x' } }),
    ]);
    const error = await client(fetch)
      .getTitle('tt_x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FramewayError);
    expect(error).toMatchObject({ code: 'FW_ERR_TITLE_NOT_FOUND', details: { titleId: 'tt_x', status: 404 } });
  });

  it('retries 429 and 5xx with the same Idempotency-Key, then gives up with the last error', async () => {
    const { fetch, sent } = fakeFetch([
      () => json(429, { code: 'FW_ERR_RATE_LIMITED', message: 'slow down' }, { 'retry-after': '0' }),
      () => json(503, { code: 'FW_ERR_NO_CAPACITY', message: 'busy' }),
      () => json(201, title),
    ]);
    await client(fetch).createTitle(
      { kind: 'game', name: 'G', runtime: { type: 'scene' } },
      { idempotencyKey: 'mine' },
    );
    expect(sent.map((s) => s.headers['idempotency-key'])).toEqual(['mine', 'mine', 'mine']);
    const failing = fakeFetch([() => json(429, { code: 'FW_ERR_RATE_LIMITED', message: 'slow down' })]);
    await expect(client(failing.fetch, 1).listTitles()).rejects.toMatchObject({ code: 'FW_ERR_RATE_LIMITED' });
    expect(failing.sent).toHaveLength(2);
  });

  it('reports unreachable gateways and answers that break the schema', async () => {
    const down = fakeFetch([
      () => {
        throw new TypeError('fetch failed');
      },
    ]);
    await expect(client(down.fetch, 0).whoAmI()).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    const odd = fakeFetch([() => json(200, { ...title, kind: 'console' })]);
    await expect(client(odd.fetch).getTitle('tt_1')).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
  });

  it('walks every page of a list', async () => {
    const session = (id: string) => ({
      id,
      titleId: 'tt_1',
      playerId: 'p1',
      state: 'ended',
      nodeId: null,
      region: null,
      createdAt: '2026-01-01T00:00:00.000Z',
      startedAt: null,
      endedAt: '2026-01-01T00:01:00.000Z',
      endReason: 'terminated',
      endCode: null,
      failovers: 0,
      live: { rttMs: null, fps: null, latencyMs: null, measuredAt: null },
      billing: {
        currency: 'USD',
        blockMinutes: 15,
        pricePerBlock: null,
        utilisationPercent: null,
        blocks: 0,
        amount: 0,
      },
      metadata: {},
    });
    const { fetch, sent } = fakeFetch([
      () => json(200, { items: [session('ses_a'), session('ses_b')], nextCursor: 'c1' }),
      () => json(200, { items: [session('ses_c')], nextCursor: null }),
    ]);
    const ids: string[] = [];
    for await (const s of client(fetch).allSessions({ state: 'ended', limit: 2 })) ids.push(s.id);
    expect(ids).toEqual(['ses_a', 'ses_b', 'ses_c']);
    expect(sent.map((r) => Object.fromEntries(r.url.searchParams))).toEqual([
      { state: 'ended', limit: '2' },
      { state: 'ended', limit: '2', cursor: 'c1' },
    ]);
  });

  it("reads a session's QoS records from the route table's path and checks them against its schema", async () => {
    const qos = {
      sessionId: 'ses_1',
      sessionKey: `0x${'ab'.repeat(32)}`,
      domain: { name: 'Frameway QoS', version: '1', chainId: 31337 },
      chain: null,
      records: [],
      leafEncoding: ['bytes32', 'uint32'],
    };
    const { fetch, sent } = fakeFetch([() => json(200, qos)]);
    await expect(client(fetch).getSessionQos('ses_1')).resolves.toEqual(qos);
    expect([sent[0]?.method, sent[0]?.url.pathname]).toEqual(['GET', '/v1/sessions/ses_1/qos']);

    const broken = fakeFetch([() => json(200, { ...qos, records: [{ minuteIndex: 'zero' }] })]);
    await expect(client(broken.fetch).getSessionQos('ses_1')).rejects.toMatchObject({ code: 'FW_ERR_INVALID_PAYLOAD' });
  });
});
