import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type Db = BetterSqlite3.Database;

/**
 * better-sqlite3 13 (N-API; installed as the optional `better-sqlite3-napi`
 * where Node is 22 or newer) when it loads, 12.x otherwise (Node 20). 12.x's
 * Statements are node::ObjectWrap objects, and since Node 24.19 collecting
 * one outside a JS context (idle GC, teardown) aborts the process in
 * RemoveEnvironmentCleanupHook; 13 does not use ObjectWrap. Same API.
 */
function loadSqlite(): typeof BetterSqlite3 {
  const require = createRequire(import.meta.url);
  if (Number(process.versions.node.split('.')[0]) >= 22) {
    try {
      return require('better-sqlite3-napi') as typeof BetterSqlite3;
    } catch {
      // Not installed (node_modules built under Node 20): 12.x below.
    }
  }
  return require('better-sqlite3') as typeof BetterSqlite3;
}

const Database = loadSqlite();

export interface OpenDatabaseOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /**
   * FULL survives power loss (the QoS outbox needs that); NORMAL survives a
   * process crash only, and is faster.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Opens (creating if needed) the gateway's embedded SQLite database in WAL mode. */
export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    namespace TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, version)
  )`);
  return db;
}

export interface Migration {
  version: number;
  name: string;
  /** SQL to run, or a function for migrations that need code. */
  up: string | ((db: Db) => void);
}

/**
 * Applies a feature's pending migrations in order, each in its own
 * transaction. Every feature (registry, ledger, studio API…) owns one
 * namespace, so features add tables without touching each other's files.
 */
export function migrate(db: Db, namespace: string, migrations: readonly Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.version === sorted[i - 1]!.version) {
      throw new Error(`duplicate migration version ${sorted[i]!.version} in ${namespace}`);
    }
  }
  const applied = new Set(
    (
      db.prepare('SELECT version FROM schema_migrations WHERE namespace = ?').all(namespace) as { version: number }[]
    ).map((row) => row.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (namespace, version, name, applied_at) VALUES (?, ?, ?, ?)');
  let count = 0;
  for (const migration of sorted) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      if (typeof migration.up === 'string') db.exec(migration.up);
      else migration.up(db);
      record.run(namespace, migration.version, migration.name, Date.now());
    })();
    count++;
  }
  return count;
}
