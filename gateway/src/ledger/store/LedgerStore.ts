import type { QosSide } from '@frameway/protocol/qos';
import type { Statement } from 'better-sqlite3';
import type { Address, Hex } from 'viem';
import { type Db, migrate } from '../../store/openDatabase.js';
import { ledgerMigrations } from './ledgerMigrations.js';

export const LEDGER_NAMESPACE = 'ledger';

export interface LedgerSessionRow {
  sessionId: string;
  sessionKey: Hex;
  nodeId: string;
  /** The node's EVM address (its key signs the agent reports); null when the node has no identity. */
  provider: Address | null;
  playerId: string;
  targetFps: number;
  latencyBudgetMs: number;
  intervalMs: number;
  pricePerBlockWei: string;
  createdAt: number;
  /** Start of minute 0 (gateway clock): when the session started streaming. */
  startedAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  /** The first minute not yet recorded. */
  nextMinute: number;
  /** A settlement job exists (or none is needed): the session is closed for the ledger. */
  settled: boolean;
}

export interface StoredReport {
  sessionId: string;
  minuteIndex: number;
  side: QosSide;
  /** The report as received (JSON). */
  report: unknown;
  signature: Hex;
  digest: Hex;
  signer: Address;
  receivedAt: number;
}

export interface MinuteRecordRow {
  id: number;
  sessionId: string;
  minuteIndex: number;
  startedAt: number;
  slaMet: boolean;
  failureMask: number;
  fpsMilli: number;
  p95LatencyUs: number;
  rttP95Us: number | null;
  inputP95Us: number | null;
  agentDigest: Hex;
  clientDigest: Hex;
  leafHash: Hex;
  createdAt: number;
  batchId: Hex | null;
}

export type NewMinuteRecord = Omit<MinuteRecordRow, 'id' | 'batchId'>;

export interface BatchRow {
  batchId: Hex;
  seq: number;
  root: Hex;
  leafCount: number;
  createdAt: number;
  committedAt: number | null;
  txHash: Hex | null;
}

export type JobKind = 'stake' | 'allocate' | 'commit' | 'settle';

export interface JobRow {
  id: number;
  kind: JobKind;
  ref: string;
  payload: string;
  status: 'pending' | 'done';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  txHash: Hex | null;
  gasUsed: string | null;
  createdAt: number;
  doneAt: number | null;
}

type Row = Record<string, unknown>;

const sessionFromRow = (row: Row): LedgerSessionRow => ({
  sessionId: row.session_id as string,
  sessionKey: row.session_key as Hex,
  nodeId: row.node_id as string,
  provider: (row.provider as Address | null) ?? null,
  playerId: row.player_id as string,
  targetFps: row.target_fps as number,
  latencyBudgetMs: row.latency_budget_ms as number,
  intervalMs: row.interval_ms as number,
  pricePerBlockWei: row.price_per_block_wei as string,
  createdAt: row.created_at as number,
  startedAt: (row.started_at as number | null) ?? null,
  endedAt: (row.ended_at as number | null) ?? null,
  endReason: (row.end_reason as string | null) ?? null,
  nextMinute: row.next_minute as number,
  settled: row.settled === 1,
});

const reportFromRow = (row: Row): StoredReport => ({
  sessionId: row.session_id as string,
  minuteIndex: row.minute_index as number,
  side: row.side as QosSide,
  report: JSON.parse(row.report as string),
  signature: row.signature as Hex,
  digest: row.digest as Hex,
  signer: row.signer as Address,
  receivedAt: row.received_at as number,
});

const recordFromRow = (row: Row): MinuteRecordRow => ({
  id: row.id as number,
  sessionId: row.session_id as string,
  minuteIndex: row.minute_index as number,
  startedAt: row.started_at as number,
  slaMet: row.sla_met === 1,
  failureMask: row.failure_mask as number,
  fpsMilli: row.fps_milli as number,
  p95LatencyUs: row.p95_latency_us as number,
  rttP95Us: (row.rtt_p95_us as number | null) ?? null,
  inputP95Us: (row.input_p95_us as number | null) ?? null,
  agentDigest: row.agent_digest as Hex,
  clientDigest: row.client_digest as Hex,
  leafHash: row.leaf_hash as Hex,
  createdAt: row.created_at as number,
  batchId: (row.batch_id as Hex | null) ?? null,
});

const batchFromRow = (row: Row): BatchRow => ({
  batchId: row.batch_id as Hex,
  seq: row.seq as number,
  root: row.root as Hex,
  leafCount: row.leaf_count as number,
  createdAt: row.created_at as number,
  committedAt: (row.committed_at as number | null) ?? null,
  txHash: (row.tx_hash as Hex | null) ?? null,
});

const jobFromRow = (row: Row): JobRow => ({
  id: row.id as number,
  kind: row.kind as JobKind,
  ref: row.ref as string,
  payload: row.payload as string,
  status: row.status as 'pending' | 'done',
  attempts: row.attempts as number,
  nextAttemptAt: row.next_attempt_at as number,
  lastError: (row.last_error as string | null) ?? null,
  txHash: (row.tx_hash as Hex | null) ?? null,
  gasUsed: (row.gas_used as string | null) ?? null,
  createdAt: row.created_at as number,
  doneAt: (row.done_at as number | null) ?? null,
});

/**
 * The ledger's tables in the gateway database: SQL only, no decisions. Every
 * write is one statement or one transaction, committed before the caller
 * acts on it (the database runs synchronous=FULL).
 */
export class LedgerStore {
  readonly db: Db;
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(db: Db) {
    this.db = db;
    migrate(db, LEDGER_NAMESPACE, ledgerMigrations);
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

  // ------------------------------------------------------------------- jobs

  /** Queues a chain job unless one with this kind and ref exists; returns whether it was new. */
  enqueueJob(kind: JobKind, ref: string, payload: object, now: number): boolean {
    const result = this.#sql(
      'INSERT OR IGNORE INTO ledger_jobs (kind, ref, payload, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(kind, ref, JSON.stringify(payload), now, now);
    return result.changes === 1;
  }

  job(kind: JobKind, ref: string): JobRow | undefined {
    const row = this.#sql('SELECT * FROM ledger_jobs WHERE kind = ? AND ref = ?').get(kind, ref) as Row | undefined;
    return row ? jobFromRow(row) : undefined;
  }

  /** Pending jobs due at `now`, oldest first. */
  dueJobs(now: number, limit: number): JobRow[] {
    return (
      this.#sql("SELECT * FROM ledger_jobs WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?").all(
        now,
        limit,
      ) as Row[]
    ).map(jobFromRow);
  }

  pendingJobs(): JobRow[] {
    return (this.#sql("SELECT * FROM ledger_jobs WHERE status = 'pending' ORDER BY id").all() as Row[]).map(jobFromRow);
  }

  jobs(): JobRow[] {
    return (this.#sql('SELECT * FROM ledger_jobs ORDER BY id').all() as Row[]).map(jobFromRow);
  }

  markJobDone(id: number, at: number, txHash: Hex | null, gasUsed: bigint | null): void {
    this.#sql(
      "UPDATE ledger_jobs SET status = 'done', done_at = ?, tx_hash = ?, gas_used = ?, last_error = NULL WHERE id = ?",
    ).run(at, txHash, gasUsed === null ? null : gasUsed.toString(), id);
  }

  markJobFailed(id: number, nextAttemptAt: number, error: string): void {
    this.#sql('UPDATE ledger_jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(
      nextAttemptAt,
      error.slice(0, 1024),
      id,
    );
  }

  /** Not ready yet (waits on another job): try again later without counting an attempt. */
  postponeJob(id: number, nextAttemptAt: number): void {
    this.#sql('UPDATE ledger_jobs SET next_attempt_at = ? WHERE id = ?').run(nextAttemptAt, id);
  }

  /** The embedded chain restarted empty: replay every job, in order. */
  reopenAllJobs(now: number): number {
    return this.#sql(
      "UPDATE ledger_jobs SET status = 'pending', attempts = 0, next_attempt_at = ?, done_at = NULL, tx_hash = NULL WHERE status = 'done'",
    ).run(now).changes;
  }

  #sql(text: string): Statement<unknown[]> {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.db.prepare<unknown[]>(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }
}
