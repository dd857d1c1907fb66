import { describe, expect, it } from 'vitest';
import { requestDemoSession } from './requestDemoSession.js';

type FetchArgs = Parameters<typeof fetch>;

function fakeFetch(respond: (...args: FetchArgs) => Promise<Response> | Response) {
  const calls: FetchArgs[] = [];
  const fetch = (async (...args: FetchArgs) => {
    calls.push(args);
    return respond(...args);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('requestDemoSession', () => {
  it('POSTs to /v1/demo/session and returns the session', async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(200, { token: 'tok', sessionId: 's1', signalingUrl: 'ws://gw.test:8080/ws/player' }),
    );
    await expect(requestDemoSession({ gatewayUrl: 'http://gw.test:8080', fetch })).resolves.toEqual({
      token: 'tok',
      sessionId: 's1',
      signalingUrl: 'ws://gw.test:8080/ws/player',
    });
    expect(calls[0]?.[0]).toBe('http://gw.test:8080/v1/demo/session');
    expect(calls[0]?.[1]?.method).toBe('POST');
  });

  it("rethrows the gateway's error with its FW_ERR code and HTTP status", async () => {
    const { fetch } = fakeFetch(() => json(503, { code: 'FW_ERR_NO_CAPACITY', message: 'all nodes busy' }));
    await expect(requestDemoSession({ gatewayUrl: 'http://gw.test', fetch })).rejects.toMatchObject({
      name: 'FramewayError',
      code: 'FW_ERR_NO_CAPACITY',
      message: 'all nodes busy',
      details: { status: 503 },
    });
  });

  it('turns a non-JSON or unknown-code error into FW_ERR_INTERNAL', async () => {
    const { fetch } = fakeFetch(() => new Response('<h1>Bad gateway</h1>', { status: 502 }));
    await expect(requestDemoSession({ gatewayUrl: 'http://gw.test', fetch })).rejects.toMatchObject({
      code: 'FW_ERR_INTERNAL',
    });
  });

  it('rejects a success body without a token with FW_ERR_INVALID_PAYLOAD', async () => {
    const { fetch } = fakeFetch(() => json(200, { sessionId: 's1' }));
    await expect(requestDemoSession({ gatewayUrl: 'http://gw.test', fetch })).rejects.toMatchObject({
      code: 'FW_ERR_INVALID_PAYLOAD',
    });
  });

  it('reports an unreachable gateway as FW_ERR_CONNECTION_CLOSED and a slow one as FW_ERR_TIMEOUT', async () => {
    const down = fakeFetch(() => Promise.reject(new TypeError('fetch failed')));
    await expect(requestDemoSession({ gatewayUrl: 'http://gw.test', fetch: down.fetch })).rejects.toMatchObject({
      code: 'FW_ERR_CONNECTION_CLOSED',
    });
    const slow = fakeFetch(
      (_url, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    );
    await expect(
      requestDemoSession({ gatewayUrl: 'http://gw.test', fetch: slow.fetch, timeoutMs: 20 }),
    ).rejects.toMatchObject({ code: 'FW_ERR_TIMEOUT' });
  });
});
