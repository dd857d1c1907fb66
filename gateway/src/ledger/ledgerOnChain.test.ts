import { leafFromValues, type MinuteRecordLeafValues, sessionKeyOf } from '@frameway/protocol/qos';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/openDatabase.js';
import type { MinuteRecordStruct, ViemLedgerChain } from './chain/ViemLedgerChain.js';
import { ledgerConfig } from './ledgerConfig.js';
import { QosLedger } from './QosLedger.js';
import { playSession } from './testing/playSession.js';
import { ManualClock } from './testing/qosFixtures.js';

const PRICE = 10n ** 15n; // default pricePerBlockWei
const ESCROW = 8n * PRICE; // default escrowBlocks
const COLLATERAL = ESCROW / 10n; // default penaltyBps 1000
const STAKE = 10n ** 18n; // default embeddedStakeWei
const WINDOW_SEC = 60;

const open: QosLedger[] = [];
afterEach(() => {
  for (const ledger of open.splice(0)) ledger.close();
});

async function ledgerOnEmbeddedChain() {
  const clock = new ManualClock();
  const node = privateKeyToAccount(generatePrivateKey());
  const ledger = new QosLedger({
    db: openDatabase({ path: ':memory:' }),
    config: ledgerConfig({
      batch: { maxAgeMs: 24 * 3600_000 },
      chain: { kind: 'embedded', challengeWindowSec: WINDOW_SEC },
    }),
    nodeAddress: (nodeId) => (nodeId === 'node-1' ? node.address : undefined),
    now: clock.now,
    tickIntervalMs: 0,
  });
  open.push(ledger);
  await ledger.start();
  return { ledger, clock, node, chain: ledger.chain as ViemLedgerChain };
}

function toStruct(values: readonly unknown[]): MinuteRecordStruct {
  const leaf = leafFromValues(values as MinuteRecordLeafValues);
  return { ...leaf, startedAt: BigInt(leaf.startedAt) };
}

describe('QoS ledger on the embedded chain', () => {
  it('allocates, anchors and settles sessions, paying the provider for delivered minutes only', async () => {
    const { ledger, clock, node, chain } = await ledgerOnEmbeddedChain();
    // 20 complete minutes + 30 s = 2 billable blocks. Three failed minutes (15 %) breach the 95 % SLA; one does not.
    await playSession(ledger, clock, {
      sessionId: 'ses_breach',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 20,
      failing: new Set([3, 7, 11]),
    });
    await playSession(ledger, clock, {
      sessionId: 'ses_ok',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 20,
      failing: new Set([5]),
    });
    expect(
      ledger
        .verdictsFor('ses_breach')
        .filter((v) => !v.slaMet)
        .map((v) => v.minuteIndex),
    ).toEqual([3, 7, 11]);
    ledger.flush();
    await ledger.drain();
    expect(ledger.store.jobs.pending()).toEqual([]);
    // Both sessions' 40 records went into one anchored batch.
    expect(ledger.store.batches()).toMatchObject([{ leafCount: 40, committedAt: expect.any(Number) }]);

    const breach = await chain.quote(sessionKeyOf('ses_breach'));
    const charge = 2n * PRICE;
    expect(breach).toEqual({
      payout: charge - (charge * 3n) / 20n,
      refund: ESCROW - (charge - (charge * 3n) / 20n),
      penalty: COLLATERAL,
      slaBreached: true,
      billableBlocks: 2n,
    });
    const ok = await chain.quote(sessionKeyOf('ses_ok'));
    expect(ok).toEqual({
      payout: charge - charge / 20n,
      refund: ESCROW - (charge - charge / 20n),
      penalty: 0n,
      slaBreached: false,
      billableBlocks: 2n,
    });

    await expect(chain.finalize(sessionKeyOf('ses_breach'))).rejects.toMatchObject({
      code: 'FW_ERR_CHAIN_REVERTED',
      details: { revert: 'ChallengeWindowOpen' },
    });
    await ledger.evm?.increaseTime(WINDOW_SEC + 1);
    await chain.finalize(sessionKeyOf('ses_breach'));
    await chain.finalize(sessionKeyOf('ses_ok'));
    expect(await chain.balanceOf(node.address)).toBe(breach.payout + ok.payout);
    expect(await chain.balanceOf(chain.operator)).toBe(breach.refund + breach.penalty + ok.refund);
    // The breach forfeited its collateral; nothing stays locked.
    expect(await chain.freeStakeOf(node.address)).toBe(STAKE - COLLATERAL);
  });

  it('lets anyone correct a settled minute with the record and proof the API serves, and refuses a forged one', async () => {
    const { ledger, clock, node, chain } = await ledgerOnEmbeddedChain();
    await playSession(ledger, clock, {
      sessionId: 'ses_dispute',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 4,
      failing: new Set([2]),
    });
    const key = sessionKeyOf('ses_dispute');
    // Allocation and stake first, then a settlement that wrongly calls minute 2 met, posted before the ledger's own.
    await ledger.outbox?.runDue();
    await chain.settle({
      sessionKey: key,
      durationSec: 4 * 60 + 30,
      totalMinutes: 4,
      failedBitmap: [0n],
      p50LatencyUs: 0,
      p95LatencyUs: 0,
      fpsP5Milli: 0,
    });
    ledger.flush();
    await ledger.drain();
    const before = await chain.quote(key);
    expect(before.payout).toBe(PRICE);

    const records = ledger.sessionView('ses_dispute')?.records ?? [];
    const failed = records.find((record) => record.minuteIndex === 2)!;
    const met = records.find((record) => record.minuteIndex === 1)!;
    expect(failed.slaMet).toBe(false);
    const batchId = failed.batch!.batchId;

    // A forged record (minute 1 claimed failed) with the genuine proof, and a genuine record with another's proof.
    const forged = { ...toStruct(met.leaf.values), slaMet: false };
    await expect(chain.dispute(batchId, forged, met.batch!.proof)).rejects.toMatchObject({
      details: { revert: 'InvalidProof' },
    });
    await expect(chain.dispute(batchId, toStruct(failed.leaf.values), met.batch!.proof)).rejects.toMatchObject({
      details: { revert: 'InvalidProof' },
    });
    // A genuine record that agrees with the settlement has nothing to dispute.
    await expect(chain.dispute(batchId, toStruct(met.leaf.values), met.batch!.proof)).rejects.toMatchObject({
      details: { revert: 'NothingToDispute' },
    });

    await chain.dispute(batchId, toStruct(failed.leaf.values), failed.batch!.proof as Hex[]);
    const after = await chain.quote(key);
    expect(after.payout).toBe(PRICE - PRICE / 4n);
    await expect(chain.dispute(batchId, toStruct(failed.leaf.values), failed.batch!.proof)).rejects.toMatchObject({
      details: { revert: 'AlreadyDisputed' },
    });
    await ledger.evm?.increaseTime(WINDOW_SEC + 1);
    const late = records.find((record) => record.minuteIndex === 0)!;
    await expect(chain.dispute(batchId, toStruct(late.leaf.values), late.batch!.proof)).rejects.toMatchObject({
      details: { revert: 'ChallengeWindowClosed' },
    });
  });
});
