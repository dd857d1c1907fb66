import type { QosSide } from '@frameway/protocol/qos';
import type { Statement } from 'better-sqlite3';
import type { Address, Hex } from 'viem';
import { type Db, migrate } from '../../store/openDatabase.js';
import { JobQueue } from './JobQueue.js';
import { ledgerMigrations } from './ledgerMigrations.js';
import {
  type BatchRow,
  batchFromRow,
  type LedgerSessionRow,
  type MinuteRecordRow,
  type NewMinuteRecord,
  type Row,
  recordFromRow,
  reportFromRow,
  type StoredReport,
  sessionFromRow,
} from './ledgerRows.js';
import { StatementCache } from './StatementCache.js';

export type {
  BatchRow,
  JobKind,
  JobRow,
  LedgerSessionRow,
  MinuteRecordRow,
  NewMinuteRecord,
  StoredReport,
} from './ledgerRows.js';

export const LEDGER_NAMESPACE = 'ledger';

/**
 * The ledger's tables in the gateway database: SQL only, no decisions. Every
 * write is one statement or one transaction, committed before the caller
 * acts on it (the database runs synchronous=FULL).
 */
export class LedgerStore {
  readonly db: Db;
  /** The chain outbox's job queue (same database, same transactions). */
  readonly jobs: JobQueue;
  readonly #statements: StatementCache;

  constructor(db: Db) {
    this.db = db;
    migrate(db, LEDGER_NAMESPACE, ledgerMigrations);
    this.#statements = new StatementCache(db);
    this.jobs = new JobQueue(this.#statements);
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  // ------------------------------------------------------------------ meta

  meta(key: string): string | undefined {
    const row = this.#sql('SELECT value FROM ledger_meta WHERE key = ?').get(key) as Row | undefined;
    return row?.value as string | undefined;
  }

  /** Stores `value` under `key` unless one is there; returns what is stored. */
  metaOrInsert(key: string, value: string): string {
    this.#sql('INSERT OR IGNORE INTO ledger_meta (key, value) VALUES (?, ?)').run(key, value);
    return this.meta(key) as string;
  }

  setMeta(key: string, value: string): void {
    this.#sql(
      'INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  // -------------------------------------------------------------- sessions

  /** Inserts the session unless it is known; returns whether it was new. */
  insertSession(
    session: Omit<LedgerSessionRow, 'startedAt' | 'endedAt' | 'endReason' | 'nextMinute' | 'settled'>,
  ): boolean {
    const result = this.#sql(
      `INSERT OR IGNORE INTO ledger_sessions (session_id, session_key, node_id, provider, player_id, target_fps,
        latency_budget_ms, interval_ms, price_per_block_wei, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      session.sessionId,
      session.sessionKey,
      session.nodeId,
      session.provider,
      session.playerId,
      session.targetFps,
      session.latencyBudgetMs,
      session.intervalMs,
      session.pricePerBlockWei,
      session.createdAt,
    );
    return result.changes === 1;
  }

  session(sessionId: string): LedgerSessionRow | undefined {
    const row = this.#sql('SELECT * FROM ledger_sessions WHERE session_id = ?').get(sessionId) as Row | undefined;
    return row ? sessionFromRow(row) : undefined;
  }

  /** Sessions the ledger has not closed yet (no settlement decided). */
  openSessions(): LedgerSessionRow[] {
    return (this.#sql('SELECT * FROM ledger_sessions WHERE settled = 0 ORDER BY created_at').all() as Row[]).map(
      sessionFromRow,
    );
  }

  /** Sets minute 0 once; later calls keep the first value. */
  markStarted(sessionId: string, at: number): void {
    this.#sql('UPDATE ledger_sessions SET started_at = ? WHERE session_id = ? AND started_at IS NULL').run(
      at,
      sessionId,
    );
  }

  markEnded(sessionId: string, at: number, reason: string): void {
    this.#sql('UPDATE ledger_sessions SET ended_at = ?, end_reason = ? WHERE session_id = ? AND ended_at IS NULL').run(
      at,
      reason,
      sessionId,
    );
  }

  moveToNode(sessionId: string, nodeId: string, provider: Address | null): void {
    this.#sql('UPDATE ledger_sessions SET node_id = ?, provider = ? WHERE session_id = ?').run(
      nodeId,
      provider,
      sessionId,
    );
  }

  advanceMinute(sessionId: string, nextMinute: number): void {
    this.#sql('UPDATE ledger_sessions SET next_minute = MAX(next_minute, ?) WHERE session_id = ?').run(
      nextMinute,
      sessionId,
    );
  }

  markSettled(sessionId: string): void {
    this.#sql('UPDATE ledger_sessions SET settled = 1 WHERE session_id = ?').run(sessionId);
  }

  // ------------------------------------------------------------ client keys

  bindClientKey(sessionId: string, address: Address, at: number): void {
    this.#sql('INSERT OR IGNORE INTO ledger_client_keys (session_id, address, bound_at) VALUES (?, ?, ?)').run(
      sessionId,
      address,
      at,
    );
  }

  clientKeys(sessionId: string): { address: Address; boundAt: number }[] {
    return (
      this.#sql('SELECT address, bound_at FROM ledger_client_keys WHERE session_id = ? ORDER BY bound_at').all(
        sessionId,
      ) as Row[]
    ).map((row) => ({ address: row.address as Address, boundAt: row.bound_at as number }));
  }

  // ---------------------------------------------------------------- reports

  /** Stores a verified report; false when one for this side and minute exists. */
  insertReport(report: Omit<StoredReport, 'report'> & { report: object }): boolean {
    const result = this.#sql(
      `INSERT OR IGNORE INTO ledger_reports (session_id, minute_index, side, report, signature, digest, signer, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      report.sessionId,
      report.minuteIndex,
      report.side,
      JSON.stringify(report.report),
      report.signature,
      report.digest,
      report.signer,
      report.receivedAt,
    );
    return result.changes === 1;
  }

  report(sessionId: string, minuteIndex: number, side: QosSide): StoredReport | undefined {
    const row = this.#sql('SELECT * FROM ledger_reports WHERE session_id = ? AND minute_index = ? AND side = ?').get(
      sessionId,
      minuteIndex,
      side,
    ) as Row | undefined;
    return row ? reportFromRow(row) : undefined;
  }

  reportsFor(sessionId: string): StoredReport[] {
    return (
      this.#sql('SELECT * FROM ledger_reports WHERE session_id = ? ORDER BY minute_index, side').all(sessionId) as Row[]
    ).map(reportFromRow);
  }

  /** Counts a report that failed verification, so the minute says "invalid" rather than "missing". */
  noteRejection(sessionId: string, minuteIndex: number, side: QosSide, reason: string): void {
    this.#sql(
      `INSERT INTO ledger_rejections (session_id, minute_index, side, count, last_reason) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (session_id, minute_index, side) DO UPDATE SET count = count + 1, last_reason = excluded.last_reason`,
    ).run(sessionId, minuteIndex, side, reason.slice(0, 256));
  }

  rejections(sessionId: string, minuteIndex: number, side: QosSide): number {
    const row = this.#sql(
      'SELECT count FROM ledger_rejections WHERE session_id = ? AND minute_index = ? AND side = ?',
    ).get(sessionId, minuteIndex, side) as Row | undefined;
    return (row?.count as number | undefined) ?? 0;
  }

  // ---------------------------------------------------------------- records

  /** Inserts a minute record; false when the minute is already recorded. */
  insertRecord(record: NewMinuteRecord): boolean {
    const result = this.#sql(
      `INSERT OR IGNORE INTO ledger_records (session_id, minute_index, started_at, sla_met, failure_mask, fps_milli,
        p95_latency_us, rtt_p95_us, input_p95_us, agent_digest, client_digest, leaf_hash, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      record.sessionId,
      record.minuteIndex,
      record.startedAt,
      record.slaMet ? 1 : 0,
      record.failureMask,
      record.fpsMilli,
      record.p95LatencyUs,
      record.rttP95Us,
      record.inputP95Us,
      record.agentDigest,
      record.clientDigest,
      record.leafHash,
      record.createdAt,
    );
    return result.changes === 1;
  }

  record(sessionId: string, minuteIndex: number): MinuteRecordRow | undefined {
    const row = this.#sql('SELECT * FROM ledger_records WHERE session_id = ? AND minute_index = ?').get(
      sessionId,
      minuteIndex,
    ) as Row | undefined;
    return row ? recordFromRow(row) : undefined;
  }

  recordsFor(sessionId: string): MinuteRecordRow[] {
    return (
      this.#sql('SELECT * FROM ledger_records WHERE session_id = ? ORDER BY minute_index').all(sessionId) as Row[]
    ).map(recordFromRow);
  }

  unbatchedCount(): number {
    return (this.#sql('SELECT COUNT(*) AS n FROM ledger_records WHERE batch_id IS NULL').get() as Row).n as number;
  }

  oldestUnbatchedAt(): number | undefined {
    const row = this.#sql('SELECT MIN(created_at) AS at FROM ledger_records WHERE batch_id IS NULL').get() as Row;
    return (row.at as number | null) ?? undefined;
  }

  unbatched(limit: number): MinuteRecordRow[] {
    return (
      this.#sql('SELECT * FROM ledger_records WHERE batch_id IS NULL ORDER BY id LIMIT ?').all(limit) as Row[]
    ).map(recordFromRow);
  }

  /** Sessions with a record not yet in a committed batch. */
  hasUncommittedRecords(sessionId: string): boolean {
    const row = this.#sql(
      `SELECT 1 FROM ledger_records r LEFT JOIN ledger_batches b ON b.batch_id = r.batch_id
       WHERE r.session_id = ? AND (r.batch_id IS NULL OR b.committed_at IS NULL) LIMIT 1`,
    ).get(sessionId);
    return row !== undefined;
  }

  // ---------------------------------------------------------------- batches

  nextBatchSeq(): number {
    const row = this.#sql('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM ledger_batches').get() as Row;
    return row.seq as number;
  }

  insertBatch(batch: Omit<BatchRow, 'committedAt' | 'txHash'>, recordIds: readonly number[]): void {
    this.#sql('INSERT INTO ledger_batches (batch_id, seq, root, leaf_count, created_at) VALUES (?, ?, ?, ?, ?)').run(
      batch.batchId,
      batch.seq,
      batch.root,
      batch.leafCount,
      batch.createdAt,
    );
    const assign = this.#sql('UPDATE ledger_records SET batch_id = ? WHERE id = ? AND batch_id IS NULL');
    for (const id of recordIds) assign.run(batch.batchId, id);
  }

  batch(batchId: Hex): BatchRow | undefined {
    const row = this.#sql('SELECT * FROM ledger_batches WHERE batch_id = ?').get(batchId) as Row | undefined;
    return row ? batchFromRow(row) : undefined;
  }

  batches(): BatchRow[] {
    return (this.#sql('SELECT * FROM ledger_batches ORDER BY seq').all() as Row[]).map(batchFromRow);
  }

  batchLeaves(batchId: Hex): Hex[] {
    return (this.#sql('SELECT leaf_hash FROM ledger_records WHERE batch_id = ? ORDER BY id').all(batchId) as Row[]).map(
      (row) => row.leaf_hash as Hex,
    );
  }

  markBatchCommitted(batchId: Hex, at: number, txHash: Hex | null): void {
    this.#sql('UPDATE ledger_batches SET committed_at = ?, tx_hash = COALESCE(?, tx_hash) WHERE batch_id = ?').run(
      at,
      txHash,
      batchId,
    );
  }

  /** The embedded chain restarted empty: every batch must be anchored again. */
  markAllBatchesUncommitted(): void {
    this.#sql('UPDATE ledger_batches SET committed_at = NULL, tx_hash = NULL').run();
  }

  #sql(text: string): Statement<unknown[]> {
    return this.#statements.sql(text);
  }
}
