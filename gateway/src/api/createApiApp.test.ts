import { createHash } from 'node:crypto';
import { type ApiScope, apiScopeList, restRoutes } from '@frameway/protocol/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type StudioTestGateway, startStudioGateway } from '../testing/startStudioGateway.js';

const game = { kind: 'game', name: 'Scene', runtime: { type: 'scene' } };

/** Fills a route's path template with syntactically valid ids. */
function samplePath(path: string): string {
  return path.replace(/\{[A-Za-z]+\}/g, 'x_missing');
}

describe('studio API on the gateway listener', () => {
  let gw: StudioTestGateway;
  let key: string;

  beforeEach(async () => {
    gw = await startStudioGateway();
    key = gw.studio().key;
  });
  afterEach(() => gw.close());

  describe('authentication', () => {
    it('refuses a missing, malformed, unknown or forged key with 401 FW_ERR_UNAUTHORIZED', async () => {
      const [prefix, id, tail] = key.split('.') as [string, string, string];
      const forged = `${prefix}.${id}.${tail.slice(0, -2)}${tail.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const headers of [
        {},
        { authorization: `Basic ${key}` },
        { authorization: 'Bearer not-a-key' },
        { authorization: `Bearer ${prefix}.key_doesnotexist00.${tail}` },
        { authorization: `Bearer ${forged}` },
      ]) {
        const response = await gw.call('GET', '/v1/titles', { headers });
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('FW_ERR_UNAUTHORIZED');
      }
    });

    it('refuses an expired key with 401 FW_ERR_TOKEN_EXPIRED', async () => {
      const created = await gw.call('POST', '/v1/keys', {
        key,
        body: { name: 'short-lived', scopes: ['titles:read'], expiresInSeconds: 60 },
      });
      expect(created.status).toBe(201);
      expect((await gw.call('GET', '/v1/titles', { key: created.body.secret })).status).toBe(200);
      gw.advance(61_000);
      const expired = await gw.call('GET', '/v1/titles', { key: created.body.secret });
      expect([expired.status, expired.body.code]).toEqual([401, 'FW_ERR_TOKEN_EXPIRED']);
    });

    it('answers the demo key from loopback only', async () => {
      const demo = gw.gateway.studio.createDemoKey().key;
      const local = await gw.call('GET', '/v1/studio', { key: demo });
      expect(local.status).toBe(200);
      const remote = await gw.gateway.studio.app.inject({
        method: 'GET',
        url: '/v1/studio',
        headers: { authorization: `Bearer ${demo}` },
        remoteAddress: '203.0.113.7',
      });
      expect([remote.statusCode, remote.json().code]).toEqual([403, 'FW_ERR_FORBIDDEN']);
      // A new run's demo key replaces the old one.
      gw.gateway.studio.createDemoKey();
      expect((await gw.call('GET', '/v1/studio', { key: demo })).body.code).toBe('FW_ERR_API_KEY_REVOKED');
    });
  });

  describe('scopes', () => {
    const scoped = Object.entries(restRoutes).filter(
      (entry): entry is [string, (typeof entry)[1] & { auth: ApiScope }] =>
        entry[1].auth !== 'public' && entry[1].auth !== 'key',
    );

    it.each(scoped)('%s refuses a key without its scope with 403 FW_ERR_INSUFFICIENT_SCOPE', async (_id, route) => {
      const others = apiScopeList.filter((scope) => scope !== route.auth);
      const limited = await gw.call('POST', '/v1/keys', { key, body: { name: 'limited', scopes: others } });
      const response = await gw.call(route.method, samplePath(route.path), {
        key: limited.body.secret,
        ...(route.method === 'POST' ? { body: {} } : {}),
      });
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'FW_ERR_INSUFFICIENT_SCOPE', details: { required: route.auth } });
    });

    it('lets a key with only the needed scope through', async () => {
      const reader = await gw.call('POST', '/v1/keys', { key, body: { name: 'reader', scopes: ['titles:read'] } });
      expect((await gw.call('GET', '/v1/titles', { key: reader.body.secret })).status).toBe(200);
      expect((await gw.call('POST', '/v1/titles', { key: reader.body.secret, body: game })).status).toBe(403);
    });
  });

  describe('API keys', () => {
    it('GET /v1/studio names the studio and the calling key', async () => {
      const response = await gw.call('GET', '/v1/studio', { key });
      expect(response.status).toBe(200);
      expect(response.body.studio.name).toBe('Test studio');
      expect(response.body.key.scopes).toEqual(apiScopeList);
      expect(key.startsWith(response.body.key.prefix)).toBe(true);
    });

    it('creates, lists and revokes keys; secrets are shown once and stored hashed', async () => {
      const created = await gw.call('POST', '/v1/keys', { key, body: { name: 'backend', scopes: ['sessions:write'] } });
      expect(created.status).toBe(201);
      expect(created.body.key).toMatchObject({ name: 'backend', scopes: ['sessions:write'], revokedAt: null });
      const list = await gw.call('GET', '/v1/keys', { key });
      expect(list.body.items.map((k: { name: string }) => k.name)).toEqual(['backend', 'admin']);
      expect(list.text).not.toContain(created.body.secret);
      const stored = JSON.stringify(gw.gateway.db.prepare('SELECT * FROM studio_api_keys').all());
      expect(stored).not.toContain(created.body.secret.split('.')[2]);
      expect(stored).toContain(createHash('sha256').update(created.body.secret).digest('hex'));

      gw.advance(60_000);
      const revokedAfter = gw.now();
      const revoked = await gw.call('DELETE', `/v1/keys/${created.body.key.id}`, { key });
      expect(revoked.status).toBe(200);
      expect(Date.parse(revoked.body.revokedAt)).toBeGreaterThanOrEqual(revokedAfter);
      expect(Date.parse(revoked.body.revokedAt)).toBeLessThanOrEqual(gw.now());
      const refused = await gw.call('POST', '/v1/sessions', { key: created.body.secret, body: {} });
      expect([refused.status, refused.body.code]).toEqual([401, 'FW_ERR_API_KEY_REVOKED']);
      expect((await gw.call('DELETE', '/v1/keys/key_unknown', { key })).body.code).toBe('FW_ERR_NOT_FOUND');
    });

    it('refuses to create a key with scopes the caller lacks', async () => {
      const limited = await gw.call('POST', '/v1/keys', {
        key,
        body: { name: 'keys-only', scopes: ['keys:write', 'titles:read'] },
      });
      const escalate = await gw.call('POST', '/v1/keys', {
        key: limited.body.secret,
        body: { name: 'escalate', scopes: ['titles:read', 'billing:write'] },
      });
      expect(escalate.status).toBe(403);
      expect(escalate.body).toMatchObject({
        code: 'FW_ERR_INSUFFICIENT_SCOPE',
        details: { missing: ['billing:write'] },
      });
      const bad = await gw.call('POST', '/v1/keys', { key, body: { name: 'x', scopes: ['root'] } });
      expect([bad.status, bad.body.code]).toEqual([400, 'FW_ERR_INVALID_REQUEST']);
    });

    it('rotates a key: the old key works through the grace period, then is revoked', async () => {
      const old = await gw.call('POST', '/v1/keys', { key, body: { name: 'backend', scopes: ['titles:read'] } });
      const rotated = await gw.call('POST', `/v1/keys/${old.body.key.id}/rotate`, { key, body: { graceSeconds: 120 } });
      expect(rotated.status).toBe(201);
      expect(rotated.body.key).toMatchObject({ name: 'backend', scopes: ['titles:read'] });
      expect(rotated.body.secret).not.toBe(old.body.secret);
      expect((await gw.call('GET', '/v1/titles', { key: old.body.secret })).status).toBe(200);
      expect((await gw.call('GET', '/v1/titles', { key: rotated.body.secret })).status).toBe(200);
      const again = await gw.call('POST', `/v1/keys/${old.body.key.id}/rotate`, { key });
      expect([again.status, again.body.code]).toEqual([401, 'FW_ERR_API_KEY_REVOKED']);
      gw.advance(120_000);
      expect((await gw.call('GET', '/v1/titles', { key: old.body.secret })).body.code).toBe('FW_ERR_API_KEY_REVOKED');
      expect((await gw.call('GET', '/v1/titles', { key: rotated.body.secret })).status).toBe(200);
      // Without a body the grace is 0: revoked at once.
      const now = await gw.call('POST', `/v1/keys/${rotated.body.key.id}/rotate`, { key });
      expect(now.status).toBe(201);
      expect((await gw.call('GET', '/v1/titles', { key: rotated.body.secret })).body.code).toBe(
        'FW_ERR_API_KEY_REVOKED',
      );
      expect((await gw.call('POST', '/v1/keys/key_unknown/rotate', { key })).body.code).toBe('FW_ERR_NOT_FOUND');
    });
  });

  describe('idempotency', () => {
    it('returns the first response again for a retry with the same key and body', async () => {
      const headers = { 'idempotency-key': 'create-title-1' };
      const first = await gw.call('POST', '/v1/titles', { key, body: game, headers });
      const retry = await gw.call('POST', '/v1/titles', {
        key,
        // Same JSON, keys in another order.
        body: { runtime: { type: 'scene' }, name: 'Scene', kind: 'game' },
        headers,
      });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect((await gw.call('GET', '/v1/titles', { key })).body.items).toHaveLength(1);
    });

    it('answers 409 FW_ERR_IDEMPOTENCY_CONFLICT for the same key with another body', async () => {
      const headers = { 'idempotency-key': 'k-2' };
      await gw.call('POST', '/v1/titles', { key, body: game, headers });
      const conflict = await gw.call('POST', '/v1/titles', { key, body: { ...game, name: 'Other' }, headers });
      expect([conflict.status, conflict.body.code]).toEqual([409, 'FW_ERR_IDEMPOTENCY_CONFLICT']);
      const otherRoute = await gw.call('POST', '/v1/webhooks', {
        key,
        body: { url: 'http://127.0.0.1:9/hook', events: ['session.ended'] },
        headers,
      });
      expect(otherRoute.body.code).toBe('FW_ERR_IDEMPOTENCY_CONFLICT');
    });

    it('replays error answers too, keeps keys per studio, and rejects malformed keys', async () => {
      const headers = { 'idempotency-key': 'session-for-missing-title' };
      const body = { titleId: 'tt_missing', playerId: 'p1' };
      const first = await gw.call('POST', '/v1/sessions', { key, body, headers });
      const retry = await gw.call('POST', '/v1/sessions', { key, body, headers });
      expect([first.status, retry.status, retry.headers.get('idempotent-replayed')]).toEqual([404, 404, 'true']);
      const other = gw.studio('Other studio').key;
      expect((await gw.call('POST', '/v1/titles', { key: other, body: game, headers })).status).toBe(201);
      const bad = await gw.call('POST', '/v1/titles', {
        key,
        body: game,
        headers: { 'idempotency-key': 'with space' },
      });
      expect([bad.status, bad.body.code]).toEqual([400, 'FW_ERR_INVALID_REQUEST']);
    });
  });

  describe('errors', () => {
    it('answers unknown /v1 routes with a JSON 404 FW_ERR_NOT_FOUND, while exact gateway routes still win', async () => {
      const missing = await gw.call('GET', '/v1/nothing-here', { key });
      expect([missing.status, missing.body.code]).toEqual([404, 'FW_ERR_NOT_FOUND']);
      const wrongMethod = await gw.call('PUT', '/v1/titles', { key });
      expect(wrongMethod.body.code).toBe('FW_ERR_NOT_FOUND');
      // POST /v1/demo/session is the gateway's own route (demo mode is off here: its 403).
      const demo = await gw.call('POST', '/v1/demo/session');
      expect([demo.status, demo.body.message]).toEqual([403, 'demo mode is off']);
    });

    it('refuses bodies that are not JSON, not valid JSON, or too large', async () => {
      const text = await gw.call('POST', '/v1/titles', {
        key,
        body: 'name=x',
        headers: { 'content-type': 'text/plain' },
      });
      expect([text.status, text.body.code]).toEqual([415, 'FW_ERR_UNSUPPORTED_MEDIA_TYPE']);
      const broken = await gw.call('POST', '/v1/titles', { key, body: '{"kind":' });
      expect([broken.status, broken.body.code]).toEqual([400, 'FW_ERR_INVALID_REQUEST']);
      const huge = await gw.call('POST', '/v1/titles', { key, body: { ...game, name: 'x'.repeat(300_000) } });
      expect([huge.status, huge.body.code]).toEqual([413, 'FW_ERR_MESSAGE_TOO_LARGE']);
    });

    it('names the field and the part of the request that failed validation', async () => {
      const response = await gw.call('GET', '/v1/sessions?limit=500&state=flying', { key });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('FW_ERR_INVALID_REQUEST');
      expect(response.body.details.part).toBe('query');
      expect(response.body.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['limit', 'state']);
      const unknownField = await gw.call('POST', '/v1/titles', { key, body: { ...game, colour: 'red' } });
      expect(unknownField.body.details.issues[0].path).toBe('colour');
      const badPath = await gw.call('GET', '/v1/titles/has%20space', { key });
      expect([badPath.status, badPath.body.details.part]).toEqual([400, 'path']);
    });

    it('accepts a chunked request body through the gateway listener', async () => {
      const { request } = await import('node:http');
      const url = new URL(`${gw.url}/v1/titles`);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${key}`,
              'content-type': 'application/json',
              'transfer-encoding': 'chunked',
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"kind":"game","name":"Chunked",');
        req.end('"runtime":{"type":"scene"}}');
      });
      expect(status).toBe(201);
      expect((await gw.call('GET', '/v1/titles', { key })).body.items[0].name).toBe('Chunked');
    });

    it('sends no-store on every API answer', async () => {
      expect((await gw.call('GET', '/v1/titles', { key })).headers.get('cache-control')).toBe('no-store');
      expect((await gw.call('GET', '/v1/titles')).headers.get('cache-control')).toBe('no-store');
    });
  });
});

describe('studio API rate limit', () => {
  it('answers 429 FW_ERR_RATE_LIMITED with Retry-After once a key spends its bucket, per key', async () => {
    await using gw = await startStudioGateway({ config: { studioApi: { rateLimit: { burst: 3, perSecond: 0.5 } } } });
    const { key } = gw.studio();
    const other = gw.studio('Other').key;
    for (let i = 0; i < 3; i++) {
      const ok = await gw.call('GET', '/v1/titles', { key });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const limited = await gw.call('GET', '/v1/titles', { key });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('FW_ERR_RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('2');
    expect((await gw.call('GET', '/v1/titles', { key: other })).status).toBe(200);
    gw.advance(2000);
    expect((await gw.call('GET', '/v1/titles', { key })).status).toBe(200);
    expect((await gw.call('GET', '/v1/titles', { key })).status).toBe(429);
    // Public routes are limited per client address.
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await gw.call('GET', '/v1/openapi.json')).status);
    expect(anonymous).toEqual([200, 200, 200, 429]);
  });
});
