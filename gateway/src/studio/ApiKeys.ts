import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { FramewayError } from '@frameway/protocol';
import { type ApiKey, type ApiScope, apiScopeList } from '@frameway/protocol/rest';
import { isoTime, type StudioContext } from './StudioContext.js';

/** Who is calling: resolved from a valid API key. */
export interface AuthContext {
  studioId: string;
  keyId: string;
  scopes: ReadonlySet<ApiScope>;
  /** Demo keys answer loopback callers only. */
  localOnly: boolean;
}

export interface ApiKeyRecord {
  id: string;
  studioId: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  localOnly: boolean;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
  replacedBy: string | null;
  lastUsedAt: number | null;
}

interface KeyRow {
  id: string;
  studio_id: string;
  name: string;
  prefix: string;
  hash: string;
  scopes: string;
  local_only: number;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  replaced_by: string | null;
  last_used_at: number | null;
}

const KEY_PREFIX = 'fwk';
const KEY_PATTERN = /^fwk\.([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/;
/** last_used_at is written at most this often per key, so reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * API keys: `fwk.<keyId>.<43 base64url chars of secret>`. Only a SHA-256 of
 * the whole key is stored; 256 random bits need no slow hash to resist guessing.
 */
export class ApiKeys {
  readonly #context: StudioContext;

  constructor(context: StudioContext) {
    this.#context = context;
  }

  create(
    studioId: string,
    options: { name: string; scopes: readonly ApiScope[]; expiresAt?: number | null; localOnly?: boolean },
  ): { record: ApiKeyRecord; secret: string } {
    const id = this.#context.newId('key');
    const secret = `${KEY_PREFIX}.${id}.${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      studioId,
      name: options.name,
      prefix: secret.slice(0, KEY_PREFIX.length + id.length + 6),
      scopes: apiScopeList.filter((scope) => options.scopes.includes(scope)),
      localOnly: options.localOnly ?? false,
      createdAt: this.#context.now(),
      expiresAt: options.expiresAt ?? null,
      revokedAt: null,
      replacedBy: null,
      lastUsedAt: null,
    };
    this.#context.db
      .prepare(
        `INSERT INTO studio_api_keys (id, studio_id, name, prefix, hash, scopes, local_only, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        studioId,
        record.name,
        record.prefix,
        hashKey(secret),
        JSON.stringify(record.scopes),
        record.localOnly ? 1 : 0,
        record.createdAt,
        record.expiresAt,
      );
    return { record, secret };
  }

  /**
   * The caller behind an `Authorization: Bearer` value. Throws
   * FW_ERR_UNAUTHORIZED (missing, malformed, unknown or forged),
   * FW_ERR_API_KEY_REVOKED or FW_ERR_TOKEN_EXPIRED.
   */
  authenticate(secret: string): AuthContext {
    const match = KEY_PATTERN.exec(secret);
    if (!match) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'malformed API key');
    const row = this.#row(match[1]!);
    const given = Buffer.from(hashKey(secret), 'hex');
    // Compare against a hash even for unknown ids, so timing does not tell which ids exist.
    const expected = Buffer.from(row?.hash ?? hashKey(`${secret}.unknown`), 'hex');
    if (!row || !timingSafeEqual(given, expected)) throw new FramewayError('FW_ERR_UNAUTHORIZED', 'unknown API key');
    const now = this.#context.now();
    if (row.revoked_at !== null && row.revoked_at <= now) {
      throw new FramewayError('FW_ERR_API_KEY_REVOKED', 'this API key was revoked', { keyId: row.id });
    }
    if (row.expires_at !== null && row.expires_at <= now) {
      throw new FramewayError('FW_ERR_TOKEN_EXPIRED', 'this API key has expired', { keyId: row.id });
    }
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
      this.#context.db.prepare('UPDATE studio_api_keys SET last_used_at = ? WHERE id = ?').run(now, row.id);
    }
    return {
      studioId: row.studio_id,
      keyId: row.id,
      scopes: new Set(JSON.parse(row.scopes) as ApiScope[]),
      localOnly: row.local_only === 1,
    };
  }

  get(studioId: string, keyId: string): ApiKeyRecord | undefined {
    const row = this.#row(keyId);
    return row && row.studio_id === studioId ? fromRow(row) : undefined;
  }

  list(studioId: string): ApiKeyRecord[] {
    const rows = this.#context.db
      .prepare('SELECT * FROM studio_api_keys WHERE studio_id = ? ORDER BY created_at DESC, id DESC')
      .all(studioId) as KeyRow[];
    return rows.map(fromRow);
  }

  /** A new key with the old one's name and scopes; the old one stops working after `graceSeconds`. */
  rotate(studioId: string, keyId: string, graceSeconds: number): { record: ApiKeyRecord; secret: string } {
    const old = this.#live(studioId, keyId);
    return this.#context.db.transaction(() => {
      const created = this.create(studioId, {
        name: old.name,
        scopes: old.scopes,
        expiresAt: old.expiresAt,
        localOnly: old.localOnly,
      });
      const revokeAt = this.#context.now() + graceSeconds * 1000;
      this.#context.db
        .prepare('UPDATE studio_api_keys SET revoked_at = ?, replaced_by = ? WHERE id = ?')
        .run(revokeAt, created.record.id, old.id);
      return created;
    })();
  }

  revoke(studioId: string, keyId: string): ApiKeyRecord {
    const key = this.get(studioId, keyId);
    if (!key) throw new FramewayError('FW_ERR_NOT_FOUND', 'no such API key', { resource: 'key', id: keyId });
    const now = this.#context.now();
    if (key.revokedAt === null || key.revokedAt > now) {
      this.#context.db.prepare('UPDATE studio_api_keys SET revoked_at = ? WHERE id = ?').run(now, keyId);
    }
    return this.get(studioId, keyId)!;
  }

  /** Revokes every live key of a studio with this name (the demo key is replaced on each start). */
  revokeByName(studioId: string, name: string): number {
    return this.#context.db
      .prepare('UPDATE studio_api_keys SET revoked_at = ? WHERE studio_id = ? AND name = ? AND revoked_at IS NULL')
      .run(this.#context.now(), studioId, name).changes;
  }

  static view(record: ApiKeyRecord): ApiKey {
    return {
      id: record.id,
      name: record.name,
      prefix: record.prefix,
      scopes: [...record.scopes],
      createdAt: isoTime(record.createdAt),
      expiresAt: isoTime(record.expiresAt),
      revokedAt: isoTime(record.revokedAt),
      lastUsedAt: isoTime(record.lastUsedAt),
      replacedBy: record.replacedBy,
    };
  }

  #live(studioId: string, keyId: string): ApiKeyRecord {
    const key = this.get(studioId, keyId);
    if (!key) throw new FramewayError('FW_ERR_NOT_FOUND', 'no such API key', { resource: 'key', id: keyId });
    if (key.revokedAt !== null && key.revokedAt <= this.#context.now()) {
      throw new FramewayError('FW_ERR_API_KEY_REVOKED', 'this API key is already revoked', { keyId });
    }
    if (key.replacedBy !== null) {
      throw new FramewayError('FW_ERR_API_KEY_REVOKED', 'this API key was already rotated', {
        keyId,
        replacedBy: key.replacedBy,
      });
    }
    return key;
  }

  #row(keyId: string): KeyRow | undefined {
    return this.#context.db.prepare('SELECT * FROM studio_api_keys WHERE id = ?').get(keyId) as KeyRow | undefined;
  }
}

function hashKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function fromRow(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    studioId: row.studio_id,
    name: row.name,
    prefix: row.prefix,
    scopes: JSON.parse(row.scopes) as ApiScope[],
    localOnly: row.local_only === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    replacedBy: row.replaced_by,
    lastUsedAt: row.last_used_at,
  };
}
