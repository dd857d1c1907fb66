import { encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { MerkleTree } from '../merkle/MerkleTree.js';
import type { BatchRow, LedgerStore } from '../store/LedgerStore.js';

/** When minute records are cut into a batch: by size or by the age of the oldest one. */
export interface BatchPolicy {
  maxLeaves: number;
  maxAgeMs: number;
}

export interface BatcherOptions {
  store: LedgerStore;
  policy: BatchPolicy;
  /** This ledger's id, part of every batch id (several gateways may share one contract). */
  ledgerId: string;
  /** Queue a chain commit for each new batch. */
  anchor: boolean;
  now: () => number;
}

/** `keccak256(abi.encode(ledgerId, seq))`: deterministic, so a retried commit reuses it and the contract refuses a second one. */
export function batchIdOf(ledgerId: string, seq: number): Hex {
  return keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'uint64' }], [ledgerId, BigInt(seq)]));
}

/**
 * Cuts unbatched minute records (across sessions, in arrival order) into
 * Merkle batches. A batch, its records' assignment and its commit job are
 * written in one transaction: after a crash either all exist or none.
 */
export class Batcher {
  readonly #options: BatcherOptions;

  constructor(options: BatcherOptions) {
    this.#options = options;
  }

  /** True when the policy says a batch is due now. */
  due(): boolean {
    const { store, policy, now } = this.#options;
    const pending = store.unbatchedCount();
    if (pending === 0) return false;
    if (pending >= policy.maxLeaves) return true;
    const oldest = store.oldestUnbatchedAt();
    return oldest !== undefined && now() - oldest >= policy.maxAgeMs;
  }

  /** Cuts every full batch, then a partial one if its oldest record is due (or `force`). */
  flush(force = false): BatchRow[] {
    const { store, policy } = this.#options;
    const cut: BatchRow[] = [];
    while (store.unbatchedCount() >= policy.maxLeaves) cut.push(this.#cut());
    if (store.unbatchedCount() > 0 && (force || this.due())) cut.push(this.#cut());
    return cut;
  }

  #cut(): BatchRow {
    const { store, policy, ledgerId, anchor, now } = this.#options;
    return store.transaction(() => {
      const records = store.unbatched(policy.maxLeaves);
      const tree = new MerkleTree(records.map((record) => record.leafHash));
      const seq = store.nextBatchSeq();
      const batch = {
        batchId: batchIdOf(ledgerId, seq),
        seq,
        root: tree.root,
        leafCount: records.length,
        createdAt: now(),
      };
      store.insertBatch(
        batch,
        records.map((record) => record.id),
      );
      if (anchor) store.jobs.enqueue('commit', batch.batchId, { root: batch.root, leafCount: batch.leafCount }, now());
      return { ...batch, committedAt: null, txHash: null };
    });
  }
}
