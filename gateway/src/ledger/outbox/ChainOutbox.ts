import { FramewayError, TypedEmitter } from '@frameway/protocol';
import type { Address, Hex } from 'viem';
import type { Logger } from '../../logging/logger.js';
import { AllocationStatus, type ChainTx, type LedgerChain } from '../chain/LedgerChain.js';
import type { JobRow, LedgerStore } from '../store/LedgerStore.js';
import { retryDelay } from './retryDelay.js';

/** Job payloads as stored (bigints as decimal strings: the outbox is JSON). */
export interface StakeJob {
  provider: Address;
  amountWei: string;
}
export interface AllocateJob {
  sessionKey: Hex;
  provider: Address;
  pricePerBlockWei: string;
  escrowWei: string;
  slaMinBps: number;
  penaltyBps: number;
}
export interface CommitJob {
  root: Hex;
  leafCount: number;
}
export interface SettleJob {
  sessionKey: Hex;
  durationSec: number;
  totalMinutes: number;
  failedBitmap: string[];
  p50LatencyUs: number;
  p95LatencyUs: number;
  fpsP5Milli: number;
}

export interface OutboxMetrics {
  /** Transactions sent and confirmed. */
  confirmed: number;
  /** Jobs found already done on chain (a replay, or a crash after sending). */
  alreadyOnChain: number;
  /** Attempts that failed (chain down, revert, timeout). */
  failures: number;
  /** Failures since the last success: > 0 means the chain is failing right now. */
  consecutiveFailures: number;
  pending: number;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
  gasUsed: bigint;
}

export type ChainOutboxEvents = {
  /** A job is done: `tx` is undefined when the chain already had it. */
  done: [job: JobRow, tx: ChainTx | undefined];
  /** An attempt failed; the job is retried at `retryAt`. */
  failed: [job: JobRow, error: FramewayError, retryAt: number];
};

export interface ChainOutboxOptions {
  store: LedgerStore;
  chain: LedgerChain;
  retry: { initialDelayMs: number; maxDelayMs: number };
  log: Logger;
  now: () => number;
  random: () => number;
  /** How long a job that waits on another one (a settlement on its batches) sleeps between checks. */
  waitMs?: number;
}

type Outcome = { kind: 'done'; tx: ChainTx | undefined } | { kind: 'wait' };

/**
 * Sends the ledger's queued chain work (stake, allocate, commit, settle) one
 * job at a time, oldest first. Each job first reads the chain: work that is
 * already there (sent before a crash, or by a replay) is marked done without
 * a second transaction. Failures are retried with backoff forever; nothing is
 * dropped, and `metrics` plus a warn log say the chain is failing.
 */
export class ChainOutbox extends TypedEmitter<ChainOutboxEvents> {
  readonly #options: ChainOutboxOptions & { waitMs: number };
  readonly #metrics: OutboxMetrics = {
    confirmed: 0,
    alreadyOnChain: 0,
    failures: 0,
    consecutiveFailures: 0,
    pending: 0,
    lastError: undefined,
    lastErrorAt: undefined,
    gasUsed: 0n,
  };
  #running: Promise<number> | undefined;
  /** Jobs postponed because another job must finish first. */
  readonly #waiting = new Set<number>();

  constructor(options: ChainOutboxOptions) {
    super((error, event) => options.log.error({ err: error, event }, 'outbox listener threw'));
    this.#options = { waitMs: 1_000, ...options };
  }

  get metrics(): Readonly<OutboxMetrics> {
    return { ...this.#metrics, pending: this.#options.store.jobs.pending().length };
  }

  /** Processes every due job once; concurrent calls share one run. Resolves with the jobs finished. */
  runDue(): Promise<number> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(): Promise<number> {
    const { store, now } = this.#options;
    let finished = 0;
    // Passes until one finishes nothing: a finished job wakes the ones waiting on it (a settlement on its batch).
    for (;;) {
      let progressed = false;
      for (const job of store.jobs.due(now(), 1000)) {
        const current = store.jobs.get(job.kind, job.ref);
        if (current?.status !== 'pending') continue;
        const result = await this.#attempt(current);
        if (result === 'wait') this.#waiting.add(current.id);
        else if (result === 'done') {
          finished++;
          progressed = true;
          for (const id of this.#waiting) store.jobs.postpone(id, now());
          this.#waiting.clear();
        }
      }
      if (!progressed) return finished;
    }
  }

  async #attempt(job: JobRow): Promise<'done' | 'wait' | 'failed'> {
    const { store, log, now, random, retry } = this.#options;
    let outcome: Outcome;
    try {
      outcome = await this.#execute(job);
    } catch (cause) {
      const error =
        cause instanceof FramewayError
          ? cause
          : new FramewayError('FW_ERR_CHAIN_UNAVAILABLE', String(cause), undefined, { cause });
      const retryAt = now() + retryDelay(job.attempts + 1, retry, random);
      store.jobs.markFailed(job.id, retryAt, `${error.code}: ${error.message}`);
      this.#metrics.failures++;
      this.#metrics.consecutiveFailures++;
      this.#metrics.lastError = `${error.code}: ${error.message}`;
      this.#metrics.lastErrorAt = now();
      log.warn(
        {
          job: job.kind,
          ref: job.ref,
          attempt: job.attempts + 1,
          code: error.code,
          detail: error.message,
          retryInMs: retryAt - now(),
          consecutiveFailures: this.#metrics.consecutiveFailures,
        },
        'chain job failed; kept in the outbox and retried',
      );
      this.emit('failed', job, error, retryAt);
      return 'failed';
    }
    if (outcome.kind === 'wait') {
      store.jobs.postpone(job.id, now() + this.#options.waitMs);
      return 'wait';
    }
    const { tx } = outcome;
    store.jobs.markDone(job.id, now(), tx?.hash ?? null, tx?.gasUsed ?? null);
    if (tx) {
      this.#metrics.confirmed++;
      this.#metrics.gasUsed += tx.gasUsed;
    } else this.#metrics.alreadyOnChain++;
    if (this.#metrics.consecutiveFailures > 0) {
      log.info({ job: job.kind, ref: job.ref, afterFailures: this.#metrics.consecutiveFailures }, 'chain is back');
    }
    this.#metrics.consecutiveFailures = 0;
    log.debug({ job: job.kind, ref: job.ref, tx: tx?.hash, gas: tx?.gasUsed?.toString() }, 'chain job done');
    this.emit('done', job, tx);
    return 'done';
  }

  async #execute(job: JobRow): Promise<Outcome> {
    const { chain, store, now } = this.#options;
    switch (job.kind) {
      case 'stake': {
        const payload = JSON.parse(job.payload) as StakeJob;
        const wanted = BigInt(payload.amountWei);
        const free = await chain.freeStakeOf(payload.provider);
        if (free >= wanted) return { kind: 'done', tx: undefined };
        return { kind: 'done', tx: await chain.stakeFor(payload.provider, wanted - free) };
      }
      case 'allocate': {
        const payload = JSON.parse(job.payload) as AllocateJob;
        if (store.jobs.get('stake', payload.provider)?.status === 'pending') return { kind: 'wait' };
        if ((await chain.allocationStatus(payload.sessionKey)) !== AllocationStatus.None) {
          return { kind: 'done', tx: undefined };
        }
        const tx = await chain.allocate({
          sessionKey: payload.sessionKey,
          provider: payload.provider,
          pricePerBlockWei: BigInt(payload.pricePerBlockWei),
          escrowWei: BigInt(payload.escrowWei),
          slaMinBps: payload.slaMinBps,
          penaltyBps: payload.penaltyBps,
        });
        return { kind: 'done', tx };
      }
      case 'commit': {
        const payload = JSON.parse(job.payload) as CommitJob;
        const batchId = job.ref as Hex;
        const onChain = await chain.batchRoot(batchId);
        if (onChain !== undefined) {
          if (onChain.toLowerCase() !== payload.root.toLowerCase()) {
            // Never expected: batch ids are derived from this ledger's id and sequence.
            throw new FramewayError('FW_ERR_CHAIN_REVERTED', `batch ${batchId} is committed with another root`, {
              onChain,
              ours: payload.root,
            });
          }
          store.markBatchCommitted(batchId, now(), null);
          return { kind: 'done', tx: undefined };
        }
        const tx = await chain.commitBatch(batchId, payload.root, payload.leafCount);
        store.markBatchCommitted(batchId, now(), tx.hash);
        return { kind: 'done', tx };
      }
      case 'settle': {
        const payload = JSON.parse(job.payload) as SettleJob;
        // Disputes need every minute of the session provable on chain before the window opens.
        if (store.jobs.get('allocate', job.ref)?.status !== 'done' || store.hasUncommittedRecords(job.ref)) {
          return { kind: 'wait' };
        }
        const status = await chain.allocationStatus(payload.sessionKey);
        // None: the chain lost the allocation (an embedded chain being replayed); wait for it.
        if (status === AllocationStatus.None) return { kind: 'wait' };
        if (status !== AllocationStatus.Allocated) return { kind: 'done', tx: undefined };
        const tx = await chain.settle({ ...payload, failedBitmap: payload.failedBitmap.map((word) => BigInt(word)) });
        return { kind: 'done', tx };
      }
    }
  }
}
