import type { Migration } from '../../store/openDatabase.js';

/** The ledger's tables, migration namespace 'ledger'. Only add migrations; never edit an applied one. */
export const ledgerMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, reports, minute records, batches, chain outbox',
    up: `
      CREATE TABLE ledger_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE ledger_sessions (
        session_id TEXT PRIMARY KEY,
        session_key TEXT NOT NULL,
        node_id TEXT NOT NULL,
        provider TEXT,
        player_id TEXT NOT NULL,
        target_fps INTEGER NOT NULL,
        latency_budget_ms INTEGER NOT NULL,
        interval_ms INTEGER NOT NULL,
        price_per_block_wei TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        end_reason TEXT,
        next_minute INTEGER NOT NULL DEFAULT 0,
        settled INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX ledger_sessions_open ON ledger_sessions (settled) WHERE settled = 0;
      CREATE TABLE ledger_client_keys (
        session_id TEXT NOT NULL,
        address TEXT NOT NULL,
        bound_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, address)
      );
      CREATE TABLE ledger_reports (
        session_id TEXT NOT NULL,
        minute_index INTEGER NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('agent', 'client')),
        report TEXT NOT NULL,
        signature TEXT NOT NULL,
        digest TEXT NOT NULL,
        signer TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, minute_index, side)
      );
      CREATE TABLE ledger_rejections (
        session_id TEXT NOT NULL,
        minute_index INTEGER NOT NULL,
        side TEXT NOT NULL,
        count INTEGER NOT NULL,
        last_reason TEXT NOT NULL,
        PRIMARY KEY (session_id, minute_index, side)
      );
      CREATE TABLE ledger_records (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        minute_index INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        sla_met INTEGER NOT NULL,
        failure_mask INTEGER NOT NULL,
        fps_milli INTEGER NOT NULL,
        p95_latency_us INTEGER NOT NULL,
        rtt_p95_us INTEGER,
        input_p95_us INTEGER,
        agent_digest TEXT NOT NULL,
        client_digest TEXT NOT NULL,
        leaf_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        batch_id TEXT,
        UNIQUE (session_id, minute_index)
      );
      CREATE INDEX ledger_records_unbatched ON ledger_records (id) WHERE batch_id IS NULL;
      CREATE INDEX ledger_records_batch ON ledger_records (batch_id);
      CREATE TABLE ledger_batches (
        batch_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        root TEXT NOT NULL,
        leaf_count INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        committed_at INTEGER,
        tx_hash TEXT
      );
      CREATE TABLE ledger_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        tx_hash TEXT,
        gas_used TEXT,
        created_at INTEGER NOT NULL,
        done_at INTEGER,
        UNIQUE (kind, ref)
      );
      CREATE INDEX ledger_jobs_due ON ledger_jobs (next_attempt_at) WHERE status = 'pending';
    `,
  },
];
