import {
  agentReportDigest,
  clientReportDigest,
  leafFromValues,
  type MinuteRecordLeafValues,
  minuteRecordLeafHash,
  recoverSigner,
  verifyMerkleProof,
} from '@frameway/protocol/qos';
import { SessionQos, validateRest } from '@frameway/protocol/rest';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import type { ViemLedgerChain } from '../../ledger/chain/ViemLedgerChain.js';
import { ledgerConfig } from '../../ledger/ledgerConfig.js';
import { QosLedger, type QosSessionView } from '../../ledger/QosLedger.js';
import { playSession } from '../../ledger/testing/playSession.js';
import { ManualClock } from '../../ledger/testing/qosFixtures.js';
import { openDatabase } from '../../store/openDatabase.js';
import { createRestHost } from '../createRestHost.js';
import { toApiError } from '../toApiError.js';
import { qosRoutes } from './qosRoutes.js';

/** A bare host of route-table routes (the studio API app adds keys, rate limits and idempotency). */
const restHost = () => createRestHost({ name: 'qos-test', toError: toApiError });

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function servedLedger() {
  const clock = new ManualClock();
  const node = privateKeyToAccount(generatePrivateKey());
  const player = privateKeyToAccount(generatePrivateKey());
  const ledger = new QosLedger({
    db: openDatabase({ path: ':memory:' }),
    config: ledgerConfig({ chain: { kind: 'embedded' } }),
    nodeAddress: () => node.address,
    now: clock.now,
    tickIntervalMs: 0,
  });
  cleanup.push(() => ledger.close());
  await ledger.start();
  await playSession(ledger, clock, {
    sessionId: 'ses_api',
    nodeId: 'node-1',
    node,
    player,
    minutes: 3,
    clientMissing: new Set([1]),
  });
  // Another session in the same batch: proofs must hold across sessions.
  await playSession(ledger, clock, {
    sessionId: 'ses_other',
    nodeId: 'node-1',
    node,
    player: privateKeyToAccount(generatePrivateKey()),
    minutes: 2,
  });
  ledger.flush();
  await ledger.drain();
  const app = restHost();
  await app.register(qosRoutes, { ledger, canRead: (_request, id) => id !== 'ses_other' });
  cleanup.push(() => app.close());
  return { ledger, app, node, player, chain: ledger.chain as ViemLedgerChain };
}

describe('GET /v1/sessions/{sessionId}/qos', () => {
  it('serves every minute record with its reports and a proof that verifies independently and in the contract', async () => {
    const { ledger, app, node, player, chain } = await servedLedger();
    const response = await app.inject({ method: 'GET', url: '/v1/sessions/ses_api/qos' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const body = response.json() as QosSessionView & { leafEncoding: string[] };
    // The body is what the route table promises clients (StudioClient checks it too).
    expect(validateRest(SessionQos, body)).toMatchObject({ ok: true });
    expect(body.chain).toEqual({ kind: 'embedded', chainId: 31337, contract: chain.address });
    expect(body.records.map((r) => [r.minuteIndex, r.slaMet, r.failures])).toEqual([
      [0, true, []],
      [1, false, ['client_report_missing']],
      [2, true, []],
    ]);
    for (const record of body.records) {
      const batch = record.batch!;
      expect(batch.committed).toBe(true);
      // Independent implementation: OpenZeppelin's own encoder, keccak and tree code.
      expect(
        StandardMerkleTree.verify(batch.root, body.leafEncoding, record.leaf.values as unknown[], batch.proof),
      ).toBe(true);
      const leaf = leafFromValues(record.leaf.values as MinuteRecordLeafValues);
      expect(minuteRecordLeafHash(leaf)).toBe(record.leaf.hash);
      expect(verifyMerkleProof(batch.root, record.leaf.hash, batch.proof)).toBe(true);
      // The contract, against the root it holds.
      expect(await chain.batchRoot(batch.batchId)).toBe(batch.root);
      expect(await chain.verifyRecord(batch.batchId, { ...leaf, startedAt: BigInt(leaf.startedAt) }, batch.proof)).toBe(
        true,
      );
      // The record commits to the signed reports served with it.
      if (record.agentReport) {
        expect(agentReportDigest(body.domain, record.agentReport.report)).toBe(leaf.agentReportDigest);
        expect(await recoverSigner(leaf.agentReportDigest, record.agentReport.signature)).toBe(node.address);
      }
      if (record.clientReport) {
        expect(clientReportDigest(body.domain, record.clientReport.report)).toBe(leaf.clientReportDigest);
        expect(await recoverSigner(leaf.clientReportDigest, record.clientReport.signature)).toBe(player.address);
      }
    }
    const missing = body.records[1]!;
    expect(missing.clientReport).toBeNull();
    expect(missing.leaf.values[8]).toBe(`0x${'0'.repeat(64)}`);

    // A tampered leaf or proof fails both checks.
    const record = body.records[0]!;
    const forged = [...record.leaf.values] as MinuteRecordLeafValues;
    forged[5] = 60_000;
    const forgedLeaf = leafFromValues(forged);
    expect(StandardMerkleTree.verify(record.batch!.root, body.leafEncoding, forged, record.batch!.proof)).toBe(false);
    expect(
      await chain.verifyRecord(
        record.batch!.batchId,
        { ...forgedLeaf, startedAt: BigInt(forgedLeaf.startedAt) },
        record.batch!.proof,
      ),
    ).toBe(false);
    expect(ledger.store.batches()).toHaveLength(1);
  });

  it('answers 404 with a typed error for an unknown session, one the caller may not read, and a malformed id', async () => {
    const { app } = await servedLedger();
    for (const url of [
      '/v1/sessions/ses_nope/qos',
      '/v1/sessions/ses_other/qos',
      `/v1/sessions/${'x'.repeat(80)}/qos`,
    ]) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ code: 'FW_ERR_SESSION_NOT_FOUND' });
    }
  });

  it('serves records before their batch is cut, without a proof yet', async () => {
    const clock = new ManualClock();
    const node = privateKeyToAccount(generatePrivateKey());
    const ledger = new QosLedger({
      db: openDatabase({ path: ':memory:' }),
      config: ledgerConfig({ chain: { kind: 'none' } }),
      nodeAddress: () => node.address,
      now: clock.now,
      tickIntervalMs: 0,
    });
    cleanup.push(() => ledger.close());
    await ledger.start();
    await playSession(ledger, clock, {
      sessionId: 'ses_fresh',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 1,
    });
    const app = restHost();
    await app.register(qosRoutes, { ledger });
    cleanup.push(() => app.close());
    const body = (await app.inject({ method: 'GET', url: '/v1/sessions/ses_fresh/qos' })).json() as QosSessionView;
    expect(body.chain).toBeNull();
    expect(body.records).toHaveLength(1);
    expect(body.records[0]?.batch).toBeNull();
    ledger.flush();
    const after = (await app.inject({ method: 'GET', url: '/v1/sessions/ses_fresh/qos' })).json() as QosSessionView;
    expect(after.records[0]?.batch).toMatchObject({ committed: false, proof: [] as Hex[] });
  });
});
