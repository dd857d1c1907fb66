import type { Coordinate } from '@frameway/protocol';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { type Db, type Migration, migrate } from '../store/openDatabase.js';

/** The fleet's tables in the gateway database (migration namespace 'fleet'). */
export const FLEET_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'nodes, identities, events',
    up: `
      CREATE TABLE fleet_nodes (
        node_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        address TEXT,
        record TEXT NOT NULL,
        coordinate TEXT,
        reputation REAL NOT NULL,
        drain_requested INTEGER NOT NULL DEFAULT 0,
        first_seen_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE fleet_identities (
        agent_id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        bound_at INTEGER NOT NULL
      );
      CREATE TABLE fleet_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        node_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX fleet_events_node_at ON fleet_events (node_id, at);
    `,
  },
];

/** One persisted node: the record (as it was last seen) and its network coordinate. */
export interface StoredNode {
  record: NodeRecord;
  coordinate: Coordinate | undefined;
  lastSeenAt: number;
}

export interface FleetEvent {
  nodeId: string;
  at: number;
  kind: string;
  detail: string | undefined;
}

export interface FleetStoreOptions {
  db: Db;
  now?: () => number;
  /** Events older than this are deleted when the store opens. */
  eventRetentionMs?: number;
}

/** Fields of a NodeRecord that describe the node rather than its current connection. */
type DurableRecord = Omit<NodeRecord, 'status' | 'reservedSessions' | 'reportedSessions' | 'cpuLoad'>;

/**
 * What the gateway remembers about its fleet across restarts: every node's
 * last registration, reputation, drain flag and coordinate; which node key
 * owns which agent id; and a history of lifecycle events.
 */
export class FleetStore {
  readonly #now: () => number;
  readonly #upsert;
  readonly #selectNodes;
  readonly #selectIdentity;
  readonly #insertIdentity;
  readonly #insertEvent;
  readonly #selectEvents;
  readonly #db: Db;

  constructor(options: FleetStoreOptions) {
    this.#db = options.db;
    this.#now = options.now ?? Date.now;
    migrate(options.db, 'fleet', FLEET_MIGRATIONS);
    const db = options.db;
    this.#upsert = db.prepare(`
      INSERT INTO fleet_nodes (node_id, agent_id, address, record, coordinate, reputation, drain_requested,
                               first_seen_at, last_seen_at, updated_at)
      VALUES (@nodeId, @agentId, @address, @record, @coordinate, @reputation, @drain, @firstSeenAt, @lastSeenAt, @now)
      ON CONFLICT (node_id) DO UPDATE SET
        agent_id = excluded.agent_id, address = excluded.address, record = excluded.record,
        coordinate = COALESCE(excluded.coordinate, fleet_nodes.coordinate), reputation = excluded.reputation,
        drain_requested = excluded.drain_requested, last_seen_at = excluded.last_seen_at, updated_at = excluded.updated_at`);
    this.#selectNodes = db.prepare('SELECT record, coordinate, last_seen_at FROM fleet_nodes ORDER BY node_id');
    this.#selectIdentity = db.prepare('SELECT address FROM fleet_identities WHERE agent_id = ?');
    this.#insertIdentity = db.prepare(
      'INSERT INTO fleet_identities (agent_id, address, bound_at) VALUES (?, ?, ?) ON CONFLICT (agent_id) DO NOTHING',
    );
    this.#insertEvent = db.prepare('INSERT INTO fleet_events (node_id, at, kind, detail) VALUES (?, ?, ?, ?)');
    this.#selectEvents = db.prepare(
      'SELECT node_id, at, kind, detail FROM fleet_events WHERE node_id = ? ORDER BY id DESC LIMIT ?',
    );
    if (options.eventRetentionMs !== undefined) {
      db.prepare('DELETE FROM fleet_events WHERE at < ?').run(this.#now() - options.eventRetentionMs);
    }
  }

  /** Every node known before; `status` is 'down' and live counters are zero. */
  loadNodes(): StoredNode[] {
    const rows = this.#selectNodes.all() as { record: string; coordinate: string | null; last_seen_at: number }[];
    return rows.map((row) => {
      const durable = JSON.parse(row.record) as DurableRecord;
      return {
        record: { ...durable, status: 'down', reservedSessions: 0, reportedSessions: 0, cpuLoad: undefined },
        coordinate: row.coordinate === null ? undefined : (JSON.parse(row.coordinate) as Coordinate),
        lastSeenAt: row.last_seen_at,
      };
    });
  }

  /** Writes nodes (and coordinates, where given) in one transaction. */
  saveNodes(nodes: readonly { record: Readonly<NodeRecord>; coordinate: Coordinate | undefined }[]): void {
    if (nodes.length === 0) return;
    const now = this.#now();
    this.#db.transaction(() => {
      for (const { record, coordinate } of nodes) {
        const { status: _s, reservedSessions: _r, reportedSessions: _p, cpuLoad: _c, ...durable } = record;
        this.#upsert.run({
          nodeId: record.nodeId,
          agentId: record.agentId,
          address: record.address ?? null,
          record: JSON.stringify(durable),
          coordinate: coordinate === undefined ? null : JSON.stringify(roundCoordinate(coordinate)),
          reputation: record.reputation,
          drain: record.drainRequested ? 1 : 0,
          firstSeenAt: record.firstSeenAt,
          lastSeenAt: record.status === 'down' ? record.lastHeartbeatAt : now,
          now,
        });
      }
    })();
  }

  /** The node-key address an agent id is bound to, if any. */
  boundAddress(agentId: string): string | undefined {
    const row = this.#selectIdentity.get(agentId) as { address: string } | undefined;
    return row?.address;
  }

  /** Binds an agent id to the address that first proved it (trust on first use); never rebinds. */
  bindIdentity(agentId: string, address: string): void {
    this.#insertIdentity.run(agentId, address.toLowerCase(), this.#now());
  }

  recordEvent(nodeId: string, kind: string, detail?: string): void {
    this.#insertEvent.run(nodeId, this.#now(), kind, detail?.slice(0, 512) ?? null);
  }

  /** A node's most recent events, newest first. */
  events(nodeId: string, limit = 50): FleetEvent[] {
    const rows = this.#selectEvents.all(nodeId, limit) as {
      node_id: string;
      at: number;
      kind: string;
      detail: string | null;
    }[];
    return rows.map((row) => ({ nodeId: row.node_id, at: row.at, kind: row.kind, detail: row.detail ?? undefined }));
  }
}

function roundCoordinate(coordinate: Coordinate): Coordinate {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { vec: coordinate.vec.map(round), height: round(coordinate.height), error: round(coordinate.error) };
}
