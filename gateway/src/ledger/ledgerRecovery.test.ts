import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../store/openDatabase.js';
import { createLedgerChain } from './chain/createLedgerChain.js';
import { framewayLedgerAbi } from './chain/framewayLedgerArtifact.js';
import type { LedgerChain } from './chain/LedgerChain.js';
import type { ViemLedgerChain } from './chain/ViemLedgerChain.js';
import { type LedgerConfig, ledgerConfig } from './ledgerConfig.js';
import { QosLedger } from './QosLedger.js';
import { playSession } from './testing/playSession.js';
import { ManualClock, silentLogger } from './testing/qosFixtures.js';

let dir: string;
const cleanup: Array<() => void> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fw-ledger-'));
});
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
  rmSync(dir, { recursive: true, force: true });
});

const config: LedgerConfig = ledgerConfig({ batch: { maxAgeMs: 3_600_000 }, chain: { kind: 'embedded' } });
const node = privateKeyToAccount(generatePrivateKey());

/** One "process": a connection to the database file and a ledger on the chain that outlives it. */
function boot(chain: LedgerChain, clock: ManualClock, fresh: boolean): { ledger: QosLedger; db: Db } {
  const db = openDatabase({ path: join(dir, 'gateway.db') });
  const ledger = new QosLedger({
    db,
    config,
    chain,
    chainFresh: fresh,
    nodeAddress: () => node.address,
    now: clock.now,
    tickIntervalMs: 0,
    logger: silentLogger(),
  });
  cleanup.push(() => {
    ledger.close();
    if (db.open) db.close();
  });
  return { ledger, db };
}

async function sharedChain(): Promise<ViemLedgerChain> {
  const { chain } = await createLedgerChain(config.chain, { embeddedOperatorKey: generatePrivateKey() });
  cleanup.push(() => chain.close());
  return chain;
}

/** The chain as a process that is about to die sees it: every call hangs. */
function neverAnswers(chain: ViemLedgerChain): LedgerChain {
  const hang = () => new Promise<never>(() => undefined);
  return {
    kind: chain.kind,
    chainId: chain.chainId,
    address: chain.address,
    operator: chain.operator,
    allocationStatus: hang,
    allocate: hang,
    batchRoot: hang,
    commitBatch: hang,
    settle: hang,
    freeStakeOf: hang,
    stakeFor: hang,
    close: () => undefined,
  };
}

async function commitEvents(chain: ViemLedgerChain) {
  return chain.publicClient.getContractEvents({
    address: chain.address,
    abi: framewayLedgerAbi,
    eventName: 'BatchCommitted',
    fromBlock: 0n,
  });
}

describe('QoS ledger across a crash', () => {
  it('resubmits work queued before a crash exactly once after the database is reopened', async () => {
    const chain = await sharedChain();
    const clock = new ManualClock();
    // The first process queues its work and dies before any of it reaches the chain.
    const first = boot(neverAnswers(chain), clock, true);
    await first.ledger.start();
    await playSession(first.ledger, clock, {
      sessionId: 'ses_crash',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 3,
    });
    first.ledger.flush();
    const queued = first.ledger.store.jobs.pending().map((job) => job.kind);
    expect(queued).toEqual(['stake', 'allocate', 'settle', 'commit']);
    expect(await commitEvents(chain)).toHaveLength(0);
    // Only the database file survives.
    first.ledger.close();
    first.db.close();

    const second = boot(chain, clock, false);
    await second.ledger.start();
    expect(second.ledger.verdictsFor('ses_crash')).toHaveLength(3);
    await second.ledger.drain();
    expect(second.ledger.store.jobs.pending()).toEqual([]);
    const events = await commitEvents(chain);
    expect(events).toHaveLength(1);
    expect(events[0]?.args.root).toBe(second.ledger.store.batches()[0]?.root);
    expect(second.ledger.metrics.outbox).toMatchObject({ confirmed: 4, alreadyOnChain: 0 });

    // A third start finds everything done and sends nothing.
    second.ledger.close();
    second.db.close();
    const third = boot(chain, clock, false);
    await third.ledger.start();
    await third.ledger.drain();
    expect(await commitEvents(chain)).toHaveLength(1);
    expect(third.ledger.metrics.outbox).toMatchObject({ confirmed: 0, alreadyOnChain: 0 });
  });

  it('does not send a second commit when the crash came after the transaction but before the outbox knew', async () => {
    const chain = await sharedChain();
    const clock = new ManualClock();
    // A chain whose commit lands on chain, then the process dies before recording it.
    const dying: LedgerChain = {
      kind: chain.kind,
      chainId: chain.chainId,
      address: chain.address,
      operator: chain.operator,
      allocationStatus: (key) => chain.allocationStatus(key),
      allocate: (request) => chain.allocate(request),
      batchRoot: (batchId) => chain.batchRoot(batchId),
      commitBatch: async (batchId, root, count) => {
        await chain.commitBatch(batchId, root, count);
        throw new Error('process killed after sending');
      },
      settle: (request) => chain.settle(request),
      freeStakeOf: (provider) => chain.freeStakeOf(provider),
      stakeFor: (provider, amount) => chain.stakeFor(provider, amount),
      close: () => undefined,
    };
    const first = boot(dying, clock, true);
    await first.ledger.start();
    await playSession(first.ledger, clock, {
      sessionId: 'ses_crash2',
      nodeId: 'node-1',
      node,
      player: privateKeyToAccount(generatePrivateKey()),
      minutes: 2,
    });
    first.ledger.flush();
    await first.ledger.drain();
    expect(await commitEvents(chain)).toHaveLength(1);
    expect(first.ledger.store.jobs.get('commit', first.ledger.store.batches()[0]!.batchId)?.status).toBe('pending');
    first.ledger.close();
    first.db.close();

    const second = boot(chain, clock, false);
    await second.ledger.start();
    clock.advance(config.chain.retry.maxDelayMs);
    await second.ledger.drain();
    expect(second.ledger.store.jobs.pending()).toEqual([]);
    expect(await commitEvents(chain)).toHaveLength(1);
    expect(second.ledger.metrics.outbox).toMatchObject({ alreadyOnChain: 1 });
    expect(second.ledger.store.batches()[0]?.committedAt).not.toBeNull();
  });

  it('closes sessions a crash interrupted and keeps their recorded minutes', async () => {
    const chain = await sharedChain();
    const clock = new ManualClock();
    const first = boot(chain, clock, true);
    await first.ledger.start();
    first.ledger.sessionPlaced({
      sessionId: 'ses_live',
      playerId: 'p',
      nodeId: 'node-1',
      targetFps: 60,
      latencyBudgetMs: 30,
    });
    first.ledger.sessionStreaming('ses_live');
    clock.advance(3 * config.intervalMs + 5_000);
    first.ledger.close();
    first.db.close();

    const second = boot(chain, clock, false);
    await second.ledger.start();
    clock.advance(config.reportGraceMs + 1);
    second.ledger.tick();
    // No reports ever arrived for the interrupted session; its minutes up to the last evidence are closed.
    expect(second.ledger.store.session('ses_live')).toMatchObject({ settled: true, endReason: 'gateway_restarted' });
  });
});
