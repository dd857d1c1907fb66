import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateRest, WebhookEvent } from '@frameway/protocol/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../testing/pollUntil.js';
import { type StudioTestGateway, startStudioGateway } from '../testing/startStudioGateway.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on loopback that records every request and answers with scripted statuses. */
async function receiver(statuses: (path: string, count: number) => number | 'hang' = () => 200) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses(path, count);
      if (status === 'hang') return;
      response.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Signature check written from the documentation alone, not from the gateway's code:
 * header `t=<unix seconds>,v1=<hex>`, HMAC-SHA256(secret, `${t}.${rawBody}`), 300 s window.
 */
function verifySignature(secret: string, header: string | undefined, rawBody: string, nowSeconds: number): boolean {
  if (!header) return false;
  const fields = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(fields.get('t'));
  const v1 = fields.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

const ALL_EVENTS = ['session.started', 'session.ended', 'session.failed_over', 'qos.sla_breach', 'invoice.ready'];

describe('webhooks', () => {
  let gw: StudioTestGateway;
  let key: string;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    gw = await startStudioGateway({
      config: { studioApi: { webhooks: { baseDelayMs: 40, maxDelayMs: 120, maxAttempts: 3, timeoutMs: 3000 } } },
      overrides: { random: () => 0.5 },
    });
    key = gw.studio().key;
  });
  afterEach(async () => {
    await gw.close();
    for (const close of closers.splice(0)) await close();
  });

  async function endpoint(statuses?: Parameters<typeof receiver>[0]) {
    const r = await receiver(statuses);
    closers.push(r.close);
    return r;
  }

  it('delivers every event type, signed so that an independent verifier accepts it', async () => {
    const sink = await endpoint();
    const hook = await gw.call('POST', '/v1/webhooks', {
      key,
      body: { url: `${sink.base}/hooks`, events: ALL_EVENTS },
    });
    expect(hook.status).toBe(201);
    const secret: string = hook.body.secret;
    expect(secret).toMatch(/^whsec_/);

    await gw.agent({ agentId: 'node-a' });
    const title = await gw.call('POST', '/v1/titles', {
      key,
      body: { kind: 'game', name: 'S', runtime: { type: 'scene' } },
    });
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId: title.body.id, playerId: 'p1' } }))
      .body;
    const id = created.session.id;
    await gw.stream(created.playerToken);
    gw.verdicts.push({ sessionId: id, minuteIndex: 0, startedAt: gw.now(), slaMet: true });
    gw.verdicts.push({
      sessionId: id,
      minuteIndex: 1,
      startedAt: gw.now(),
      slaMet: false,
      failures: ['latency_over_budget'],
    });
    await gw.agent({ agentId: 'node-b' });
    expect(await gw.gateway.sessions.migrate(id, 'degraded')).toBe(true);
    await gw.call('DELETE', `/v1/sessions/${id}`, { key });
    const from = new Date(gw.now() - 60_000).toISOString();
    const to = new Date(gw.now() + 60_000).toISOString();
    const invoice = (await gw.call('POST', '/v1/invoices', { key, body: { from, to } })).body;

    await pollUntil(() => new Set(sink.received.map((r) => r.headers['frameway-event-id'])).size >= 5, 'five events');
    // Deliveries run concurrently, so they may arrive in any order: index them by type.
    // (A receiver too slow for the timeout gets a retry of the same event: count events, not requests.)
    const events = [
      ...new Map(sink.received.map((r) => [r.headers['frameway-event-id'], JSON.parse(r.body)])).values(),
    ];
    expect(events.map((e) => e.type).sort()).toEqual([...ALL_EVENTS].sort());
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    for (const request of sink.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(
        verifySignature(secret, request.headers['frameway-signature'] as string, request.body, Date.now() / 1000),
      ).toBe(true);
      // The same signature over a tampered body, with another secret, or replayed later, fails.
      const tampered = request.body.replace('"type"', '"typ3"');
      expect(
        verifySignature(secret, request.headers['frameway-signature'] as string, tampered, Date.now() / 1000),
      ).toBe(false);
      expect(
        verifySignature(
          'whsec_other',
          request.headers['frameway-signature'] as string,
          request.body,
          Date.now() / 1000,
        ),
      ).toBe(false);
      expect(
        verifySignature(secret, request.headers['frameway-signature'] as string, request.body, Date.now() / 1000 + 301),
      ).toBe(false);
      const event = JSON.parse(request.body);
      expect(validateRest(WebhookEvent, event)).toMatchObject({ ok: true });
      expect(request.headers['frameway-event-id']).toBe(event.id);
      expect(request.headers['frameway-event-type']).toBe(event.type);
      expect(event.studioId).toMatch(/^std_/);
    }
    expect(byType['session.started'].data.session).toMatchObject({ id, state: 'streaming', nodeId: 'node-a' });
    expect(byType['qos.sla_breach'].data).toMatchObject({
      sessionId: id,
      minuteIndex: 1,
      failures: ['latency_over_budget'],
    });
    expect(byType['session.failed_over'].data).toMatchObject({
      fromNodeId: 'node-a',
      toNodeId: 'node-b',
      session: { failovers: 1 },
    });
    expect(byType['session.ended'].data.session).toMatchObject({ id, state: 'ended', endReason: 'terminated' });
    expect(byType['invoice.ready'].data.invoice).toMatchObject({ id: invoice.id, lineCount: 1 });

    const log = await pollUntil(async () => {
      const page = await gw.call('GET', `/v1/webhooks/${hook.body.webhook.id}/deliveries`, { key });
      return page.body.items.every((d: { status: string }) => d.status === 'delivered') && page.body;
    }, 'every delivery logged as delivered');
    expect(log.items).toHaveLength(5);
  });

  it('retries failed deliveries with backoff and logs every attempt', async () => {
    const flaky = await endpoint((_path, count) => (count <= 2 ? 500 : 204));
    const hook = (await gw.call('POST', '/v1/webhooks', { key, body: { url: flaky.base, events: ['invoice.ready'] } }))
      .body;
    await gw.call('POST', '/v1/invoices', { key, body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } });
    // Settled either way (delivered, or failed for good): a failure then shows its attempt log, not a timeout.
    const delivery = await pollUntil(async () => {
      const log = await gw.call('GET', `/v1/webhooks/${hook.webhook.id}/deliveries`, { key });
      const item = log.body.items?.[0];
      return item && item.status !== 'pending' && item;
    }, 'a delivery after retries');
    expect(delivery.log).toMatchObject([{ statusCode: 500 }, { statusCode: 500 }, { statusCode: 204 }]);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(delivery.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 204]);
    expect(delivery.log[0].error).toBe('endpoint answered HTTP 500');
    // Backoff: 40 ms then 80 ms (× 0.75 with this jitter), so the attempts are spread out.
    const gaps = [1, 2].map((i) => Date.parse(delivery.log[i].at) - Date.parse(delivery.log[i - 1].at));
    expect(gaps[0]).toBeGreaterThanOrEqual(30);
    expect(gaps[1]).toBeGreaterThanOrEqual(60);
    // Every attempt carried the same event, each freshly signed.
    const bodies = new Set(flaky.received.map((r) => r.body));
    expect(bodies.size).toBe(1);
  });

  it('gives up after the last attempt, counting timeouts and refused connections as failures', async () => {
    await gw.close();
    gw = await startStudioGateway({
      config: { studioApi: { webhooks: { baseDelayMs: 40, maxDelayMs: 120, maxAttempts: 3, timeoutMs: 300 } } },
    });
    key = gw.studio().key;
    const hanging = await endpoint(() => 'hang');
    const dead = await endpoint();
    await dead.close();
    const a = (await gw.call('POST', '/v1/webhooks', { key, body: { url: hanging.base, events: ['invoice.ready'] } }))
      .body;
    const b = (await gw.call('POST', '/v1/webhooks', { key, body: { url: dead.base, events: ['invoice.ready'] } }))
      .body;
    await gw.call('POST', '/v1/invoices', { key, body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } });
    for (const [hook, error] of [
      [a, 'no answer within 300 ms'],
      [b, 'fetch failed'],
    ] as const) {
      const delivery = await pollUntil(async () => {
        const log = await gw.call('GET', `/v1/webhooks/${hook.webhook.id}/deliveries?status=failed`, { key });
        return log.body.items?.[0];
      }, `failed delivery to ${hook.webhook.url}`);
      expect(delivery).toMatchObject({ attempts: 3, nextAttemptAt: null, lastStatusCode: null });
      expect(delivery.log).toHaveLength(3);
      expect(delivery.lastError).toContain(error);
    }
  });

  it('keeps pending deliveries across a gateway restart', async () => {
    await gw.close();
    let up = false;
    const sink = await endpoint(() => (up ? 200 : 503));
    const database = join(mkdtempSync(join(tmpdir(), 'fw-studio-')), 'gateway.db');
    const config = { database, studioApi: { webhooks: { baseDelayMs: 300, maxDelayMs: 300, maxAttempts: 5 } } };
    gw = await startStudioGateway({ config });
    const { key: durable } = gw.studio();
    const hook = (
      await gw.call('POST', '/v1/webhooks', { key: durable, body: { url: sink.base, events: ['invoice.ready'] } })
    ).body;
    await gw.call('POST', '/v1/invoices', {
      key: durable,
      body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    });
    await pollUntil(async () => {
      const log = await gw.call('GET', `/v1/webhooks/${hook.webhook.id}/deliveries`, { key: durable });
      return log.body.items?.[0]?.attempts === 1;
    }, 'the first attempt logged');
    await gw.close();
    up = true;
    gw = await startStudioGateway({ config });
    const delivery = await pollUntil(async () => {
      const log = await gw.call('GET', `/v1/webhooks/${hook.webhook.id}/deliveries`, { key: durable });
      return log.body.items?.[0]?.status === 'delivered' && log.body.items?.[0];
    }, 'delivery after the restart');
    expect(delivery.log.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 200]);
  });

  it('manages endpoints: create, list, delete, and refuses bad ones', async () => {
    const sink = await endpoint();
    const created = await gw.call('POST', '/v1/webhooks', {
      key,
      body: { url: `${sink.base}/a`, events: ['session.ended'], description: 'ops' },
    });
    expect(created.body.webhook).toMatchObject({
      url: `${sink.base}/a`,
      events: ['session.ended'],
      description: 'ops',
    });
    const list = await gw.call('GET', '/v1/webhooks', { key });
    expect(list.body.items).toEqual([created.body.webhook]);
    expect(list.text).not.toContain(created.body.secret);
    for (const body of [
      { url: 'ftp://example.org/hook', events: ['session.ended'] },
      { url: `${sink.base}/a`, events: [] },
      { url: `${sink.base}/a`, events: ['session.exploded'] },
      { url: `${sink.base}/a`, events: ['session.ended', 'session.ended'] },
    ]) {
      expect((await gw.call('POST', '/v1/webhooks', { key, body })).body.code).toBe('FW_ERR_INVALID_REQUEST');
    }
    const other = gw.studio('Other').key;
    expect((await gw.call('DELETE', `/v1/webhooks/${created.body.webhook.id}`, { key: other })).status).toBe(404);
    expect((await gw.call('GET', `/v1/webhooks/${created.body.webhook.id}/deliveries`, { key: other })).status).toBe(
      404,
    );
    const deleted = await gw.call('DELETE', `/v1/webhooks/${created.body.webhook.id}`, { key });
    expect(deleted.status).toBe(200);
    expect((await gw.call('GET', '/v1/webhooks', { key })).body.items).toEqual([]);
    expect((await gw.call('DELETE', `/v1/webhooks/${created.body.webhook.id}`, { key })).body.code).toBe(
      'FW_ERR_NOT_FOUND',
    );
    expect((await gw.call('GET', `/v1/webhooks/${created.body.webhook.id}/deliveries`, { key })).status).toBe(404);
  });

  it('sends nothing to endpoints not subscribed to the event or belonging to another studio', async () => {
    const mine = await endpoint();
    const theirs = await endpoint();
    await gw.call('POST', '/v1/webhooks', { key, body: { url: mine.base, events: ['session.started'] } });
    await gw.call('POST', '/v1/webhooks', {
      key: gw.studio('Other').key,
      body: { url: theirs.base, events: ['invoice.ready'] },
    });
    await gw.call('POST', '/v1/invoices', { key, body: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([mine.received.length, theirs.received.length]).toEqual([0, 0]);
  });
});
