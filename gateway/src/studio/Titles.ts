import { FramewayError } from '@frameway/protocol';
import type { CreateTitleRequest, Title } from '@frameway/protocol/rest';
import type * as v from 'valibot';
import { decodeCursor, pageRows } from './pageCursor.js';
import { isoTime, type StudioContext } from './StudioContext.js';

/** A validated title definition (defaults filled in). */
export type TitleSpec = v.InferOutput<typeof CreateTitleRequest>;

export interface TitleRecord {
  id: string;
  studioId: string;
  spec: TitleSpec;
  createdAt: number;
  archivedAt: number | null;
}

interface TitleRow {
  id: string;
  studio_id: string;
  spec: string;
  created_at: number;
  archived_at: number | null;
}

/** What studios stream: games and Android apps with their requirements. */
export class Titles {
  readonly #context: StudioContext;

  constructor(context: StudioContext) {
    this.#context = context;
  }

  create(studioId: string, spec: TitleSpec): TitleRecord {
    const record: TitleRecord = {
      id: this.#context.newId('tt'),
      studioId,
      spec,
      createdAt: this.#context.now(),
      archivedAt: null,
    };
    this.#context.db
      .prepare('INSERT INTO studio_titles (id, studio_id, spec, created_at) VALUES (?, ?, ?, ?)')
      .run(record.id, studioId, JSON.stringify(spec), record.createdAt);
    return record;
  }

  /** The studio's title; FW_ERR_TITLE_NOT_FOUND for unknown ids and other studios' titles alike. */
  get(studioId: string, titleId: string): TitleRecord {
    const row = this.#context.db
      .prepare('SELECT * FROM studio_titles WHERE id = ? AND studio_id = ?')
      .get(titleId, studioId) as TitleRow | undefined;
    if (!row) throw new FramewayError('FW_ERR_TITLE_NOT_FOUND', 'no such title', { titleId });
    return fromRow(row);
  }

  list(
    studioId: string,
    page: { cursor?: string | undefined; limit: number },
  ): {
    items: TitleRecord[];
    nextCursor: string | null;
  } {
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const rows = (
      after
        ? this.#context.db
            .prepare(
              `SELECT * FROM studio_titles WHERE studio_id = ? AND (created_at, id) < (?, ?)
               ORDER BY created_at DESC, id DESC LIMIT ?`,
            )
            .all(studioId, after.at, after.id, page.limit + 1)
        : this.#context.db
            .prepare('SELECT * FROM studio_titles WHERE studio_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
            .all(studioId, page.limit + 1)
    ) as TitleRow[];
    const { rows: pageRowsOut, nextCursor } = pageRows(rows, page.limit);
    return { items: pageRowsOut.map(fromRow), nextCursor };
  }

  /** Archives a title (idempotent); running sessions are not touched. */
  archive(studioId: string, titleId: string): TitleRecord {
    const title = this.get(studioId, titleId);
    if (title.archivedAt !== null) return title;
    const now = this.#context.now();
    this.#context.db.prepare('UPDATE studio_titles SET archived_at = ? WHERE id = ?').run(now, titleId);
    return { ...title, archivedAt: now };
  }

  static view(record: TitleRecord): Title {
    return {
      ...record.spec,
      id: record.id,
      createdAt: isoTime(record.createdAt),
      archivedAt: isoTime(record.archivedAt),
    } as Title;
  }
}

function fromRow(row: TitleRow): TitleRecord {
  return {
    id: row.id,
    studioId: row.studio_id,
    spec: JSON.parse(row.spec) as TitleSpec,
    createdAt: row.created_at,
    archivedAt: row.archived_at,
  };
}
