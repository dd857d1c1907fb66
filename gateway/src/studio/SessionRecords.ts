import type { SessionEndReason, SessionStateName } from '@frameway/protocol';
import { decodeCursor, pageRows } from './pageCursor.js';
import type { StudioContext } from './StudioContext.js';

/** What the studio API keeps about a session after the live Session object is gone. */
export interface SessionRecord {
  id: string;
  studioId: string;
  titleId: string;
  playerId: string;
  state: SessionStateName;
  nodeId: string | null;
  region: string | null;
  createdAt: number;
  placedAt: number | null;
  startedAt: number | null;
  endedAt: number | null;
  endReason: SessionEndReason | null;
  endCode: string | null;
  endMessage: string | null;
  tokenExpiresAt: number;
  failovers: number;
  /** Utilisation (basis points, 0-10000) the price was set from. */
  utilisationBp: number | null;
  pricePerBlock: number | null;
  currency: string;
  blockMinutes: number;
  metadata: Record<string, string>;
  invoiceId: string | null;
}

export type SessionEventType = 'created' | 'placed' | 'streaming' | 'failed_over' | 'ended' | 'sla_breach';

export interface SessionEventRecord {
  at: number;
  type: SessionEventType;
  data: Record<string, unknown>;
}

export interface SessionFilters {
  state?: SessionStateName | undefined;
  titleId?: string | undefined;
  playerId?: string | undefined;
  createdAfter?: number | undefined;
  createdBefore?: number | undefined;
}

interface SessionRow {
  id: string;
  studio_id: string;
  title_id: string;
  player_id: string;
  state: string;
  node_id: string | null;
  region: string | null;
  created_at: number;
  placed_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  end_reason: string | null;
  end_code: string | null;
  end_message: string | null;
  token_expires_at: number;
  failovers: number;
  utilisation_bp: number | null;
  price_per_block: number | null;
  currency: string;
  block_minutes: number;
  metadata: string;
  invoice_id: string | null;
}

/** Session metadata and history in SQLite (namespace 'studio'), one row per studio session. */
export class SessionRecords {
  readonly #context: StudioContext;

  constructor(context: StudioContext) {
    this.#context = context;
  }

  insert(record: SessionRecord): void {
    this.#context.db
      .prepare(
        `INSERT INTO studio_sessions (id, studio_id, title_id, player_id, state, node_id, region, created_at,
           placed_at, started_at, ended_at, end_reason, end_code, end_message, token_expires_at, failovers,
           utilisation_bp, price_per_block, currency, block_minutes, metadata, invoice_id)
         VALUES (@id, @studioId, @titleId, @playerId, @state, @nodeId, @region, @createdAt, @placedAt, @startedAt,
           @endedAt, @endReason, @endCode, @endMessage, @tokenExpiresAt, @failovers, @utilisationBp, @pricePerBlock,
           @currency, @blockMinutes, @metadata, @invoiceId)`,
      )
      .run({ ...record, metadata: JSON.stringify(record.metadata) });
  }

  /** Any studio's session (event handlers); API reads go through `get`. */
  find(sessionId: string): SessionRecord | undefined {
    const row = this.#context.db.prepare('SELECT * FROM studio_sessions WHERE id = ?').get(sessionId) as
      | SessionRow
      | undefined;
    return row && fromRow(row);
  }

  get(studioId: string, sessionId: string): SessionRecord | undefined {
    const record = this.find(sessionId);
    return record?.studioId === studioId ? record : undefined;
  }

  update(
    sessionId: string,
    changes: Partial<Omit<SessionRecord, 'id' | 'studioId' | 'metadata' | 'createdAt'>>,
  ): SessionRecord | undefined {
    const columns = Object.entries(changes)
      .filter(([key, value]) => key in COLUMN_OF && value !== undefined)
      .map(([key]) => key);
    if (columns.length > 0) {
      const assignments = columns.map((key) => `${COLUMN_OF[key as keyof typeof COLUMN_OF]} = @${key}`).join(', ');
      this.#context.db
        .prepare(`UPDATE studio_sessions SET ${assignments} WHERE id = @sessionId`)
        .run({ ...changes, sessionId });
    }
    return this.find(sessionId);
  }

  addEvent(sessionId: string, type: SessionEventType, data: Record<string, unknown>, at = this.#context.now()): void {
    this.#context.db
      .prepare('INSERT INTO studio_session_events (session_id, at, type, data) VALUES (?, ?, ?, ?)')
      .run(sessionId, at, type, JSON.stringify(data));
  }

  history(sessionId: string): SessionEventRecord[] {
    const rows = this.#context.db
      .prepare('SELECT at, type, data FROM studio_session_events WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as { at: number; type: SessionEventType; data: string }[];
    return rows.map((row) => ({ at: row.at, type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));
  }

  list(
    studioId: string,
    filters: SessionFilters,
    page: { cursor?: string | undefined; limit: number },
  ): { items: SessionRecord[]; nextCursor: string | null } {
    const where = ['studio_id = @studioId'];
    const args: Record<string, unknown> = { studioId, limit: page.limit + 1 };
    if (filters.state !== undefined) where.push('state = @state');
    if (filters.titleId !== undefined) where.push('title_id = @titleId');
    if (filters.playerId !== undefined) where.push('player_id = @playerId');
    if (filters.createdAfter !== undefined) where.push('created_at >= @createdAfter');
    if (filters.createdBefore !== undefined) where.push('created_at < @createdBefore');
    Object.assign(args, filters);
    if (page.cursor !== undefined) {
      const after = decodeCursor(page.cursor);
      where.push('(created_at, id) < (@afterAt, @afterId)');
      args.afterAt = after.at;
      args.afterId = after.id;
    }
    const rows = this.#context.db
      .prepare(
        `SELECT * FROM studio_sessions WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all(withoutUndefined(args)) as SessionRow[];
    const { rows: pageOut, nextCursor } = pageRows(rows, page.limit);
    return { items: pageOut.map(fromRow), nextCursor };
  }

  /** Sessions of a studio that ended in [from, to), oldest first. */
  endedBetween(
    studioId: string,
    from: number,
    to: number,
    options: { uninvoicedOnly?: boolean } = {},
  ): SessionRecord[] {
    const rows = this.#context.db
      .prepare(
        `SELECT * FROM studio_sessions WHERE studio_id = ? AND ended_at >= ? AND ended_at < ?
         ${options.uninvoicedOnly ? 'AND invoice_id IS NULL' : ''} ORDER BY ended_at, id`,
      )
      .all(studioId, from, to) as SessionRow[];
    return rows.map(fromRow);
  }

  activeCount(studioId: string): number {
    const row = this.#context.db
      .prepare('SELECT COUNT(*) AS n FROM studio_sessions WHERE studio_id = ? AND ended_at IS NULL')
      .get(studioId) as { n: number };
    return row.n;
  }

  markInvoiced(sessionIds: readonly string[], invoiceId: string): void {
    const statement = this.#context.db.prepare('UPDATE studio_sessions SET invoice_id = ? WHERE id = ?');
    for (const id of sessionIds) statement.run(invoiceId, id);
  }

  /**
   * Sessions the previous process left unfinished (it crashed: live sessions
   * live in memory only). They end at the last moment known of them, so
   * nothing is billed for time nobody saw.
   */
  endUnfinished(reason: SessionEndReason): SessionRecord[] {
    const rows = this.#context.db.prepare('SELECT * FROM studio_sessions WHERE ended_at IS NULL').all() as SessionRow[];
    const ended: SessionRecord[] = [];
    for (const row of rows) {
      const lastEvent = this.#context.db
        .prepare('SELECT MAX(at) AS at FROM studio_session_events WHERE session_id = ?')
        .get(row.id) as { at: number | null };
      const at = Math.max(lastEvent.at ?? row.created_at, row.started_at ?? row.created_at);
      const record = this.update(row.id, { state: 'ended', endedAt: at, endReason: reason });
      this.addEvent(row.id, 'ended', { reason, recovered: true }, at);
      if (record) ended.push(record);
    }
    return ended;
  }
}

const COLUMN_OF = {
  state: 'state',
  nodeId: 'node_id',
  region: 'region',
  placedAt: 'placed_at',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  endCode: 'end_code',
  endMessage: 'end_message',
  failovers: 'failovers',
  utilisationBp: 'utilisation_bp',
  pricePerBlock: 'price_per_block',
  invoiceId: 'invoice_id',
  tokenExpiresAt: 'token_expires_at',
} as const;

function withoutUndefined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
}

function fromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    studioId: row.studio_id,
    titleId: row.title_id,
    playerId: row.player_id,
    state: row.state as SessionStateName,
    nodeId: row.node_id,
    region: row.region,
    createdAt: row.created_at,
    placedAt: row.placed_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endReason: row.end_reason as SessionEndReason | null,
    endCode: row.end_code,
    endMessage: row.end_message,
    tokenExpiresAt: row.token_expires_at,
    failovers: row.failovers,
    utilisationBp: row.utilisation_bp,
    pricePerBlock: row.price_per_block,
    currency: row.currency,
    blockMinutes: row.block_minutes,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    invoiceId: row.invoice_id,
  };
}
