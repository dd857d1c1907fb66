import type { Hex } from 'viem';
import { type JobKind, type JobRow, jobFromRow, type Row } from './ledgerRows.js';
import type { StatementCache } from './StatementCache.js';

/**
 * The chain outbox's jobs in the ledger database: SQL only. A job is queued in
 * the same transaction as the record or session it anchors, so nothing the
 * chain must learn is lost in a crash.
 */
export class JobQueue {
  readonly #statements: StatementCache;

  constructor(statements: StatementCache) {
    this.#statements = statements;
  }

  /** Queues a chain job unless one with this kind and ref exists; returns whether it was new. */
  enqueue(kind: JobKind, ref: string, payload: object, now: number): boolean {
    const result = this.#statements
      .sql('INSERT OR IGNORE INTO ledger_jobs (kind, ref, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(kind, ref, JSON.stringify(payload), now, now);
    return result.changes === 1;
  }

  get(kind: JobKind, ref: string): JobRow | undefined {
    const row = this.#statements.sql('SELECT * FROM ledger_jobs WHERE kind = ? AND ref = ?').get(kind, ref) as
      | Row
      | undefined;
    return row ? jobFromRow(row) : undefined;
  }

  /** Pending jobs due at `now`, oldest first. */
  due(now: number, limit: number): JobRow[] {
    return (
      this.#statements
        .sql("SELECT * FROM ledger_jobs WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?")
        .all(now, limit) as Row[]
    ).map(jobFromRow);
  }

  pending(): JobRow[] {
    return (this.#statements.sql("SELECT * FROM ledger_jobs WHERE status = 'pending' ORDER BY id").all() as Row[]).map(
      jobFromRow,
    );
  }

  all(): JobRow[] {
    return (this.#statements.sql('SELECT * FROM ledger_jobs ORDER BY id').all() as Row[]).map(jobFromRow);
  }

  markDone(id: number, at: number, txHash: Hex | null, gasUsed: bigint | null): void {
    this.#statements
      .sql(
        "UPDATE ledger_jobs SET status = 'done', done_at = ?, tx_hash = ?, gas_used = ?, last_error = NULL WHERE id = ?",
      )
      .run(at, txHash, gasUsed === null ? null : gasUsed.toString(), id);
  }

  markFailed(id: number, nextAttemptAt: number, error: string): void {
    this.#statements
      .sql('UPDATE ledger_jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?')
      .run(nextAttemptAt, error.slice(0, 1024), id);
  }

  /** Not ready yet (waits on another job): try again later without counting an attempt. */
  postpone(id: number, nextAttemptAt: number): void {
    this.#statements.sql('UPDATE ledger_jobs SET next_attempt_at = ? WHERE id = ?').run(nextAttemptAt, id);
  }

  /** The embedded chain restarted empty: replay every job, in order. */
  reopenAll(now: number): number {
    return this.#statements
      .sql(
        "UPDATE ledger_jobs SET status = 'pending', attempts = 0, next_attempt_at = ?, done_at = NULL, tx_hash = NULL WHERE status = 'done'",
      )
      .run(now).changes;
  }
}
