import type { Migration } from '../store/openDatabase.js';

/** The studio API's tables (namespace 'studio'): studios, keys, titles, session records, billing, webhooks. */
export const studioMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'studios, keys, titles, sessions, idempotency, invoices, webhooks',
    up: `
      CREATE TABLE studio_studios (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE studio_api_keys (
        id TEXT PRIMARY KEY,
        studio_id TEXT NOT NULL REFERENCES studio_studios(id),
        name TEXT NOT NULL,
        prefix TEXT NOT NULL,
        -- SHA-256 of the whole key; the key itself is never stored
        hash TEXT NOT NULL,
        scopes TEXT NOT NULL,
        local_only INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        replaced_by TEXT,
        last_used_at INTEGER
      );
      CREATE INDEX studio_api_keys_by_studio ON studio_api_keys (studio_id, created_at);
      CREATE TABLE studio_titles (
        id TEXT PRIMARY KEY,
        studio_id TEXT NOT NULL REFERENCES studio_studios(id),
        spec TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        archived_at INTEGER
      );
      CREATE INDEX studio_titles_by_studio ON studio_titles (studio_id, created_at DESC, id DESC);
      CREATE TABLE studio_sessions (
        id TEXT PRIMARY KEY,
        studio_id TEXT NOT NULL REFERENCES studio_studios(id),
        title_id TEXT NOT NULL,
        player_id TEXT NOT NULL,
        state TEXT NOT NULL,
        node_id TEXT,
        region TEXT,
        created_at INTEGER NOT NULL,
        placed_at INTEGER,
        started_at INTEGER,
        ended_at INTEGER,
        end_reason TEXT,
        end_code TEXT,
        end_message TEXT,
        token_expires_at INTEGER NOT NULL,
        failovers INTEGER NOT NULL DEFAULT 0,
        utilisation_bp INTEGER,
        price_per_block INTEGER,
        currency TEXT NOT NULL,
        block_minutes INTEGER NOT NULL,
        metadata TEXT NOT NULL,
        invoice_id TEXT
      );
      CREATE INDEX studio_sessions_by_studio ON studio_sessions (studio_id, created_at DESC, id DESC);
      CREATE INDEX studio_sessions_by_end ON studio_sessions (studio_id, ended_at);
      CREATE TABLE studio_session_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES studio_sessions(id),
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX studio_session_events_by_session ON studio_session_events (session_id, seq);
      CREATE TABLE studio_idempotency (
        studio_id TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER,
        response TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (studio_id, key)
      );
      CREATE INDEX studio_idempotency_by_age ON studio_idempotency (created_at);
      CREATE TABLE studio_invoices (
        id TEXT PRIMARY KEY,
        studio_id TEXT NOT NULL REFERENCES studio_studios(id),
        period_from INTEGER NOT NULL,
        period_to INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        document TEXT NOT NULL
      );
      CREATE INDEX studio_invoices_by_studio ON studio_invoices (studio_id, created_at DESC, id DESC);
      CREATE TABLE studio_webhooks (
        id TEXT PRIMARY KEY,
        studio_id TEXT NOT NULL REFERENCES studio_studios(id),
        url TEXT NOT NULL,
        events TEXT NOT NULL,
        description TEXT,
        -- the HMAC key must be usable to sign, so it is kept as issued (see docs/studio-api.md)
        secret TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        deleted_at INTEGER
      );
      CREATE INDEX studio_webhooks_by_studio ON studio_webhooks (studio_id, created_at);
      CREATE TABLE studio_webhook_deliveries (
        id TEXT PRIMARY KEY,
        webhook_id TEXT NOT NULL REFERENCES studio_webhooks(id),
        event_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        last_status_code INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER
      );
      CREATE INDEX studio_webhook_deliveries_by_webhook ON studio_webhook_deliveries (webhook_id, created_at DESC, id DESC);
      CREATE INDEX studio_webhook_deliveries_due ON studio_webhook_deliveries (status, next_attempt_at);
      CREATE TABLE studio_webhook_attempts (
        delivery_id TEXT NOT NULL REFERENCES studio_webhook_deliveries(id),
        attempt INTEGER NOT NULL,
        at INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      );
    `,
  },
];
