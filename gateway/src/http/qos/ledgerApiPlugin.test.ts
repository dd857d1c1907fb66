import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../config.js';
import { Gateway } from '../../Gateway.js';

let gateway: Gateway;

beforeEach(async () => {
  gateway = new Gateway(
    loadGatewayConfig({
      port: 0,
      demo: true,
      agentSecret: 'ledger-plugin-secret',
      server: { engine: 'node' },
      ledger: { chain: { kind: 'none' } },
    }),
  );
  await gateway.start();
});
afterEach(async () => {
  await gateway.close();
});

async function api(path: string, init: RequestInit = {}, key = gateway.demoApiKey) {
  const response = await fetch(`${gateway.url}${path}`, {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GET /v1/sessions/{sessionId}/qos on the studio API', () => {
  it('is served by the gateway with the API key of the studio that owns the session, and documented', async () => {
    const title = await api('/v1/titles', {
      method: 'POST',
      body: JSON.stringify({ kind: 'game', name: 'Scene', runtime: { type: 'scene' } }),
    });
    expect(title.status).toBe(201);
    const session = await api('/v1/sessions', {
      method: 'POST',
      body: JSON.stringify({ titleId: title.body.id, playerId: 'player-1' }),
    });
    expect(session.status).toBe(201);
    const sessionId = (session.body.session as { id: string }).id;
    // Not placed yet: the ledger has nothing for it.
    expect(await api(`/v1/sessions/${sessionId}/qos`)).toMatchObject({
      status: 404,
      body: { code: 'FW_ERR_SESSION_NOT_FOUND' },
    });
    gateway.ledger?.sessionPlaced({
      sessionId,
      playerId: 'player-1',
      nodeId: 'node-x',
      targetFps: 60,
      latencyBudgetMs: 30,
    });
    const qos = await api(`/v1/sessions/${sessionId}/qos`);
    expect(qos.status).toBe(200);
    expect(qos.body).toMatchObject({ sessionId, records: [], chain: null });

    expect((await api(`/v1/sessions/${sessionId}/qos`, {}, '')).status).toBe(401);
    // The API's own session route beside it still answers.
    expect((await api(`/v1/sessions/${sessionId}`)).status).toBe(200);
    const document = await api('/v1/openapi.json');
    expect(Object.keys(document.body.paths as object)).toContain('/v1/sessions/{sessionId}/qos');
  });

  it('hides sessions the caller does not own', async () => {
    gateway.ledger?.sessionPlaced({
      sessionId: 'ses_not_a_studio_one',
      playerId: 'p',
      nodeId: 'node-x',
      targetFps: 60,
      latencyBudgetMs: 30,
    });
    expect(await api('/v1/sessions/ses_not_a_studio_one/qos')).toMatchObject({
      status: 404,
      body: { code: 'FW_ERR_SESSION_NOT_FOUND' },
    });
  });
});
