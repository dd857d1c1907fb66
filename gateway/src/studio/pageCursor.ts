import { FramewayError } from '@frameway/protocol';

/** Where a page ends: the sort key (creation time) and id of its last item. */
export interface CursorPosition {
  at: number;
  id: string;
}

/** Opaque to clients: base64url of `<at>.<id>`. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.at}.${position.id}`).toString('base64url');
}

/** Reads a cursor from a query string; FW_ERR_INVALID_REQUEST when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) throw new FramewayError('FW_ERR_INVALID_REQUEST', 'cursor is not valid', { field: 'cursor' });
  return { at: Number(match[1]), id: match[2]! };
}

/**
 * Pages rows fetched with `limit + 1` (newest first): returns the first
 * `limit` and the cursor after the last of them when more exist.
 */
export function pageRows<Row extends { created_at: number; id: string }>(
  rows: readonly Row[],
  limit: number,
): { rows: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.created_at, id: last.id }) : null,
  };
}
