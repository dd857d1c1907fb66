import type { LedgerStore } from '../store/LedgerStore.js';

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: a write joins one transaction shared with every write queued
 * in the same turn of the event loop (one fsync for many reports under
 * synchronous=FULL). Each write resolves once committed, so a reporter's Ack
 * always follows durability; a write that throws rejects alone.
 */
export class GroupCommit {
  readonly #store: LedgerStore;
  #pending: PendingWrite[] = [];

  constructor(store: LedgerStore) {
    this.#store = store;
  }

  /** Queues `write`; resolves with its result once the shared transaction commits. */
  durably<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.#pending.length === 1) setImmediate(() => this.commit());
    });
  }

  /** Commits what is queued now (the ledger calls it on close, while the database is still open). */
  commit(): void {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.#store.transaction(() => {
        for (const pending of batch) {
          try {
            outcomes.push({ ok: true, value: this.#store.transaction(pending.write) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
