import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageRows } from './pageCursor.js';

describe('page cursors', () => {
  it('round-trip a position', () => {
    expect(decodeCursor(encodeCursor({ at: 1_700_000_000_123, id: 'tt_abc-_9' }))).toEqual({
      at: 1_700_000_000_123,
      id: 'tt_abc-_9',
    });
  });

  it('reject a cursor that is not ours with FW_ERR_INVALID_REQUEST', () => {
    for (const bad of [
      '',
      'abc',
      Buffer.from('12.').toString('base64url'),
      Buffer.from("1.x' OR 1").toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrowError(FramewayError);
      try {
        decodeCursor(bad);
      } catch (error) {
        expect((error as FramewayError).code).toBe('FW_ERR_INVALID_REQUEST');
      }
    }
  });

  it('give a next cursor only when a row beyond the page was fetched', () => {
    const rows = [1, 2, 3].map((n) => ({ created_at: n, id: `r${n}` }));
    expect(pageRows(rows, 3).nextCursor).toBeNull();
    const page = pageRows(rows, 2);
    expect(page.rows.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(decodeCursor(page.nextCursor!)).toEqual({ at: 2, id: 'r2' });
  });
});
