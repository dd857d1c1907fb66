import type { QosSide } from '@frameway/protocol/qos';
import type { Address, Hex } from 'viem';

// The ledger's rows as the store hands them out, and the mappers from SQLite
// rows (snake_case, 0/1 booleans, JSON text) to them.

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

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

export const sessionFromRow = (row: Row): LedgerSessionRow => ({
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

export const reportFromRow = (row: Row): StoredReport => ({
  sessionId: row.session_id as string,
  minuteIndex: row.minute_index as number,
  side: row.side as QosSide,
  report: JSON.parse(row.report as string),
  signature: row.signature as Hex,
  digest: row.digest as Hex,
  signer: row.signer as Address,
  receivedAt: row.received_at as number,
});

export const recordFromRow = (row: Row): MinuteRecordRow => ({
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

export const batchFromRow = (row: Row): BatchRow => ({
  batchId: row.batch_id as Hex,
  seq: row.seq as number,
  root: row.root as Hex,
  leafCount: row.leaf_count as number,
  createdAt: row.created_at as number,
  committedAt: (row.committed_at as number | null) ?? null,
  txHash: (row.tx_hash as Hex | null) ?? null,
});

export const jobFromRow = (row: Row): JobRow => ({
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
