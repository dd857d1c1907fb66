import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { migrate, openDatabase } from '../store/openDatabase.js';
import type { SessionPricing } from '../studio/SessionPricing.js';
import { SessionRecords } from '../studio/SessionRecords.js';
import { createStudioContext } from '../studio/StudioContext.js';
import { studioMigrations } from '../studio/studioMigrations.js';
import { type StudioTestGateway, startStudioGateway } from '../testing/startStudioGateway.js';
import { Billing } from './Billing.js';
import { BillingConfigSchema } from './billingConfig.js';

const MINUTE = 60_000;

describe('usage and invoices API', () => {
  let gw: StudioTestGateway;
  let key: string;
  let titleId: string;

  beforeEach(async () => {
    gw = await startStudioGateway({
      config: {
        studioApi: {
          billing: {
            currency: 'EUR',
            blockMinutes: 15,
            minPricePerBlock: 100,
            maxPricePerBlock: 300,
            lowUtilisationPercent: 0,
            highUtilisationPercent: 100,
            utilisationBasis: 'node',
            slaCreditPercent: 100,
          },
        },
      },
    });
    key = gw.studio().key;
    titleId = (
      await gw.call('POST', '/v1/titles', { key, body: { kind: 'game', name: 'Scene', runtime: { type: 'scene' } } })
    ).body.id;
  });
  afterEach(() => gw.close());

  /** A session that streams for `minutes` on a 4-slot node, with the given failed minutes. */
  async function playedSession(minutes: number, failed: { minuteIndex: number; slaMet: boolean }[]): Promise<string> {
    const created = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'p1' } })).body;
    await gw.stream(created.playerToken);
    const startedAt = gw.now();
    for (const verdict of failed) {
      gw.verdicts.push({
        sessionId: created.session.id,
        startedAt: startedAt + verdict.minuteIndex * MINUTE,
        ...verdict,
      });
    }
    gw.advance(minutes * MINUTE);
    expect((await gw.call('DELETE', `/v1/sessions/${created.session.id}`, { key })).status).toBe(200);
    return created.session.id;
  }

  it('invoices a session with failed minutes exactly as computed by hand', async () => {
    await gw.agent({ slots: 4 });
    const from = new Date(gw.now() - MINUTE).toISOString();
    const sessionId = await playedSession(20, [
      { minuteIndex: 0, slaMet: true },
      { minuteIndex: 3, slaMet: false },
      { minuteIndex: 4, slaMet: false },
      { minuteIndex: 4, slaMet: false },
      { minuteIndex: 11, slaMet: false },
      { minuteIndex: 30, slaMet: false },
    ]);
    const to = new Date(gw.now() + MINUTE).toISOString();
    // By hand:
    //   utilisation at placement: 1 session on a 4-slot node = 25 %
    //   price per block = 100 + floor((300 − 100) × 2500 / 10000) = 150
    //   20 min streamed (plus the few ms the test took) → ceil(20/15) = 2 blocks → 300
    //   failed minutes: 3, 4 (reported twice), 11 → 3; minute 30 lies after the session → not credited
    //   credit = floor(3 × 150 × 100 % / 15) = 30; net = 270
    const usage = await gw.call('GET', `/v1/usage?from=${from}&to=${to}`, { key });
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      currency: 'EUR',
      blockMinutes: 15,
      sessions: 1,
      activeSessions: 0,
      blocks: 2,
      failedMinutes: 3,
      subtotal: 300,
      credits: 30,
      total: 270,
      byTitle: [{ titleId, sessions: 1, blocks: 2, failedMinutes: 3, subtotal: 300, credits: 30, total: 270 }],
    });

    // 20 minutes of the test clock plus the real milliseconds the test took.
    expect(usage.body.billableSeconds).toBeGreaterThanOrEqual(1200);
    expect(usage.body.billableSeconds).toBeLessThan(1230);
    const invoice = await gw.call('POST', '/v1/invoices', { key, body: { from, to } });
    expect(invoice.status).toBe(201);
    expect(invoice.body).toMatchObject({ currency: 'EUR', subtotal: 300, credits: 30, total: 270 });
    expect(invoice.body.lines).toEqual([
      {
        sessionId,
        titleId,
        playerId: 'p1',
        startedAt: expect.any(String),
        endedAt: expect.any(String),
        billableSeconds: usage.body.billableSeconds,
        blocks: 2,
        unitPrice: 150,
        utilisationPercent: 25,
        amount: 300,
        failedMinutes: 3,
        credit: 30,
        net: 270,
      },
    ]);
    const session = (await gw.call('GET', `/v1/sessions/${sessionId}`, { key })).body;
    expect(session.billing).toEqual({
      currency: 'EUR',
      blockMinutes: 15,
      pricePerBlock: 150,
      utilisationPercent: 25,
      blocks: 2,
      amount: 300,
    });

    const csv = await gw.call('GET', `/v1/invoices/${invoice.body.id}?format=csv`, { key });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, line, end] = csv.text.split('\r\n');
    expect(header?.split(',').slice(0, 2)).toEqual(['invoice_id', 'session_id']);
    expect(line?.split(',').slice(6)).toEqual([
      String(usage.body.billableSeconds),
      '2',
      '150',
      '25',
      '300',
      '3',
      '30',
      '270',
      'EUR',
    ]);
    expect(end).toBe('');
    expect((await gw.call('GET', `/v1/invoices/${invoice.body.id}`, { key })).body).toEqual(invoice.body);

    // A session is invoiced once: a second invoice over the same period has nothing on it.
    const second = await gw.call('POST', '/v1/invoices', { key, body: { from, to } });
    expect(second.body).toMatchObject({ lines: [], subtotal: 0, credits: 0, total: 0 });
  });

  it('prices a busier node higher and bills a session that never streamed nothing', async () => {
    await gw.agent({ slots: 2 });
    const from = new Date(gw.now() - MINUTE).toISOString();
    const first = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'a' } })).body;
    const second = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'b' } })).body;
    await gw.stream(first.playerToken); // 1 of 2 slots: 50 % → 200
    await gw.stream(second.playerToken); // 2 of 2 slots: 100 % → 300
    const never = (await gw.call('POST', '/v1/sessions', { key, body: { titleId, playerId: 'c' } })).body;
    gw.advance(MINUTE);
    for (const id of [first.session.id, second.session.id, never.session.id])
      await gw.call('DELETE', `/v1/sessions/${id}`, { key });
    const to = new Date(gw.now() + MINUTE).toISOString();
    const invoice = (await gw.call('POST', '/v1/invoices', { key, body: { from, to } })).body;
    const byPlayer = Object.fromEntries(invoice.lines.map((l: { playerId: string }) => [l.playerId, l]));
    expect(byPlayer.a).toMatchObject({ unitPrice: 200, blocks: 1, amount: 200 });
    expect(byPlayer.b).toMatchObject({ unitPrice: 300, blocks: 1, amount: 300 });
    expect(byPlayer.c).toMatchObject({ startedAt: null, blocks: 0, amount: 0 });
    expect(invoice.total).toBe(500);
  });

  it('lists invoices newest first and keeps them per studio', async () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      ids.push((await gw.call('POST', '/v1/invoices', { key, body: { from: day(i), to: day(i + 1) } })).body.id);
      gw.advance(1000);
    }
    const first = (await gw.call('GET', '/v1/invoices?limit=2', { key })).body;
    expect(first.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).toMatchObject({ lineCount: 0, total: 0, from: day(3) });
    const rest = (await gw.call('GET', `/v1/invoices?limit=2&cursor=${first.nextCursor}`, { key })).body;
    expect(rest).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
    const other = gw.studio('Other').key;
    expect((await gw.call('GET', `/v1/invoices/${ids[0]}`, { key: other })).body.code).toBe('FW_ERR_NOT_FOUND');
    expect((await gw.call('GET', '/v1/invoices', { key: other })).body.items).toEqual([]);
    expect((await gw.call('GET', '/v1/invoices?cursor=bm9wZQ', { key })).body.code).toBe('FW_ERR_INVALID_REQUEST');
  });

  it('refuses periods that end before they start or are not timestamps', async () => {
    const from = new Date().toISOString();
    const backwards = await gw.call('POST', '/v1/invoices', { key, body: { from, to: from } });
    expect([backwards.status, backwards.body.code]).toEqual([400, 'FW_ERR_INVALID_REQUEST']);
    expect((await gw.call('GET', `/v1/usage?from=${from}&to=yesterday`, { key })).body.details.part).toBe('query');
    expect((await gw.call('GET', '/v1/usage', { key })).status).toBe(400);
    expect((await gw.call('GET', '/v1/invoices/inv_nope', { key })).status).toBe(404);
    expect((await gw.call('GET', '/v1/invoices/inv_nope?format=xml', { key })).status).toBe(400);
  });
});

function node(nodeId: string, slots: number, reservedSessions: number) {
  return { nodeId, slots, reservedSessions, status: 'up' } as NodeRecord;
}

function pricing(config: v.InferInput<typeof BillingConfigSchema>): SessionPricing {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, 'studio', studioMigrations);
  const context = createStudioContext({ db, now: () => 1_000_000 });
  return new Billing({
    context,
    sessions: new SessionRecords(context),
    config: v.parse(BillingConfigSchema, config),
    verdicts: () => undefined,
  });
}

describe('Billing as the studio sessions’ pricing port', () => {
  const nodes = [node('quiet', 10, 1), node('busy', 10, 9)];

  it('stamps the configured currency and block length on new sessions', () => {
    expect(pricing({ currency: 'EUR', blockMinutes: 5 }).terms).toEqual({ currency: 'EUR', blockMinutes: 5 });
  });

  it("prices a placement from the node's utilisation on the node basis", () => {
    const port = pricing({});
    expect(port.priceAtPlacement(nodes, 'quiet')).toEqual({ utilisationBp: 1000, pricePerBlock: 60 });
    expect(port.priceAtPlacement(nodes, 'busy')).toEqual({ utilisationBp: 9000, pricePerBlock: 150 });
  });

  it("prices every placement from the fleet's utilisation on the fleet basis", () => {
    const port = pricing({ utilisationBasis: 'fleet' });
    // 10 of 20 slots reserved = 5000 bp: 60 + floor(90 × 3000 / 7000) = 98.
    expect(port.priceAtPlacement(nodes, 'quiet')).toEqual({ utilisationBp: 5000, pricePerBlock: 98 });
    expect(port.priceAtPlacement(nodes, 'busy')).toEqual({ utilisationBp: 5000, pricePerBlock: 98 });
  });
});
