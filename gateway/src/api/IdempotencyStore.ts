import { createHash } from 'node:crypto';
import { FramewayError } from '@frameway/protocol';
import type { StudioContext } from '../studio/StudioContext.js';

export type IdempotencyClaim = { kind: 'claimed' } | { kind: 'replay'; status: number; body: string };

interface IdempotencyRow {
  request_hash: string;
  status: number | null;
  response: string | null;
  created_at: number;
}

/** A claimed key whose request never finished (process killed mid-request) may be retried after this. */
const STALE_CLAIM_MS = 60_000;
const PURGE_INTERVAL_MS = 60_000;

/**
 * Idempotency-Key records per studio: the first request with a key runs and
 * its response is kept; a retry with the same key and the same request gets
 * that response again; the same key with another request is a conflict.
 */
export class IdempotencyStore {
  readonly #context: StudioContext;
  readonly #ttlMs: number;
  #lastPurge = 0;

  constructor(context: StudioContext, options: { ttlSeconds: number }) {
    this.#context = context;
    this.#ttlMs = options.ttlSeconds * 1000;
  }

  /** The fingerprint a key is bound to: method, path and the JSON body with keys sorted. */
  static fingerprint(method: string, path: string, body: unknown): string {
    return createHash('sha256')
      .update(JSON.stringify([method, path, canonical(body)]))
      .digest('hex');
  }

  claim(studioId: string, key: string, fingerprint: string): IdempotencyClaim {
    const { db } = this.#context;
    const now = this.#context.now();
    this.#purge(now);
    return db.transaction((): IdempotencyClaim => {
      const row = db
        .prepare(
          'SELECT request_hash, status, response, created_at FROM studio_idempotency WHERE studio_id = ? AND key = ?',
        )
        .get(studioId, key) as IdempotencyRow | undefined;
      if (row && now - row.created_at < this.#ttlMs) {
        if (row.request_hash !== fingerprint) {
          throw new FramewayError(
            'FW_ERR_IDEMPOTENCY_CONFLICT',
            'this Idempotency-Key was used with a different request',
            {
              idempotencyKey: key,
            },
          );
        }
        if (row.status !== null && row.response !== null)
          return { kind: 'replay', status: row.status, body: row.response };
        if (now - row.created_at < STALE_CLAIM_MS) {
          throw new FramewayError(
            'FW_ERR_IDEMPOTENCY_CONFLICT',
            'a request with this Idempotency-Key is still running',
            {
              idempotencyKey: key,
            },
          );
        }
      }
      db.prepare(
        `INSERT INTO studio_idempotency (studio_id, key, request_hash, status, response, created_at) VALUES (?, ?, ?, NULL, NULL, ?)
         ON CONFLICT (studio_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = NULL, response = NULL,
           created_at = excluded.created_at`,
      ).run(studioId, key, fingerprint, now);
      return { kind: 'claimed' };
    })();
  }

  /** Stores the response of a claimed key. */
  complete(studioId: string, key: string, status: number, body: string): void {
    this.#context.db
      .prepare('UPDATE studio_idempotency SET status = ?, response = ? WHERE studio_id = ? AND key = ?')
      .run(status, body, studioId, key);
  }

  /** Releases a claimed key whose request failed on our side, so a retry runs again. */
  release(studioId: string, key: string): void {
    this.#context.db.prepare('DELETE FROM studio_idempotency WHERE studio_id = ? AND key = ?').run(studioId, key);
  }

  #purge(now: number): void {
    if (now - this.#lastPurge < PURGE_INTERVAL_MS) return;
    this.#lastPurge = now;
    this.#context.db.prepare('DELETE FROM studio_idempotency WHERE created_at < ?').run(now - this.#ttlMs);
  }
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
