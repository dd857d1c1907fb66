import { randomBytes } from 'node:crypto';
import type { Db } from '../store/openDatabase.js';

/** What every studio store shares: the database, the clock and the id source (both injectable for tests). */
export interface StudioContext {
  readonly db: Db;
  readonly now: () => number;
  /** A fresh opaque id with a readable prefix, e.g. `tt_…` for a title. */
  readonly newId: (prefix: string) => string;
}

export function createStudioContext(options: {
  db: Db;
  now?: (() => number) | undefined;
  newId?: ((prefix: string) => string) | undefined;
}): StudioContext {
  return {
    db: options.db,
    now: options.now ?? Date.now,
    newId: options.newId ?? ((prefix) => `${prefix}_${randomBytes(12).toString('base64url')}`),
  };
}

/** Epoch ms → ISO 8601 (the REST representation of time); null stays null. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null | undefined): string | null;
export function isoTime(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
