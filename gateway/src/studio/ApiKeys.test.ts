import { createHash } from 'node:crypto';
import { FramewayError } from '@frameway/protocol';
import { apiScopeList } from '@frameway/protocol/rest';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../store/openDatabase.js';
import { ApiKeys } from './ApiKeys.js';
import { createStudioContext } from './StudioContext.js';
import { Studios } from './Studios.js';
import { studioMigrations } from './studioMigrations.js';

function setup() {
  let now = 1_000_000;
  const db = openDatabase({ path: ':memory:' });
  migrate(db, 'studio', studioMigrations);
  const context = createStudioContext({ db, now: () => now });
  const studio = new Studios(context).create('s');
  return { db, keys: new ApiKeys(context), studioId: studio.id, advance: (ms: number) => (now += ms) };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof FramewayError ? error.code : 'not a FramewayError';
  }
  return undefined;
}

describe('ApiKeys', () => {
  it('stores only a SHA-256 of the key, never the key', () => {
    const { db, keys, studioId } = setup();
    const { secret, record } = keys.create(studioId, { name: 'ci', scopes: ['titles:read'] });
    expect(secret).toMatch(/^fwk\.key_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(db.prepare('SELECT * FROM studio_api_keys').all());
    expect(dump).not.toContain(secret.split('.')[2]);
    const row = db.prepare('SELECT hash FROM studio_api_keys WHERE id = ?').get(record.id) as { hash: string };
    expect(row.hash).toBe(createHash('sha256').update(secret).digest('hex'));
  });

  it('authenticates a genuine key with its studio and scopes', () => {
    const { keys, studioId } = setup();
    const { secret, record } = keys.create(studioId, { name: 'ci', scopes: ['sessions:write', 'titles:read'] });
    const auth = keys.authenticate(secret);
    expect(auth).toMatchObject({ studioId, keyId: record.id, localOnly: false });
    expect([...auth.scopes]).toEqual(['titles:read', 'sessions:write']);
  });

  it('rejects malformed, unknown and forged keys with FW_ERR_UNAUTHORIZED', () => {
    const { keys, studioId } = setup();
    const { secret } = keys.create(studioId, { name: 'ci', scopes: apiScopeList });
    const [prefix, id, tail] = secret.split('.') as [string, string, string];
    const flipped = `${tail.slice(0, -1)}${tail.endsWith('A') ? 'B' : 'A'}`;
    expect(codeOf(() => keys.authenticate('nope'))).toBe('FW_ERR_UNAUTHORIZED');
    expect(codeOf(() => keys.authenticate(`${prefix}.key_unknown.${tail}`))).toBe('FW_ERR_UNAUTHORIZED');
    expect(codeOf(() => keys.authenticate(`${prefix}.${id}.${flipped}`))).toBe('FW_ERR_UNAUTHORIZED');
  });

  it('rejects an expired key with FW_ERR_TOKEN_EXPIRED and a revoked one with FW_ERR_API_KEY_REVOKED', () => {
    const { keys, studioId, advance } = setup();
    const expiring = keys.create(studioId, { name: 'short', scopes: ['usage:read'], expiresAt: 1_000_000 + 60_000 });
    const revoked = keys.create(studioId, { name: 'gone', scopes: ['usage:read'] });
    keys.revoke(studioId, revoked.record.id);
    expect(codeOf(() => keys.authenticate(revoked.secret))).toBe('FW_ERR_API_KEY_REVOKED');
    expect(codeOf(() => keys.authenticate(expiring.secret))).toBeUndefined();
    advance(60_000);
    expect(codeOf(() => keys.authenticate(expiring.secret))).toBe('FW_ERR_TOKEN_EXPIRED');
  });

  it('rotates: the new key has the same scopes, the old one works until the grace period ends', () => {
    const { keys, studioId, advance } = setup();
    const old = keys.create(studioId, { name: 'backend', scopes: ['sessions:write'] });
    const fresh = keys.rotate(studioId, old.record.id, 30);
    expect(fresh.record).toMatchObject({ name: 'backend', scopes: ['sessions:write'] });
    expect(keys.get(studioId, old.record.id)).toMatchObject({ replacedBy: fresh.record.id, revokedAt: 1_030_000 });
    expect(codeOf(() => keys.authenticate(old.secret))).toBeUndefined();
    expect(codeOf(() => keys.rotate(studioId, old.record.id, 0))).toBe('FW_ERR_API_KEY_REVOKED');
    advance(30_000);
    expect(codeOf(() => keys.authenticate(old.secret))).toBe('FW_ERR_API_KEY_REVOKED');
    expect(keys.authenticate(fresh.secret).keyId).toBe(fresh.record.id);
  });

  it("does not let one studio see or revoke another's keys", () => {
    const { keys, studioId } = setup();
    const { record } = keys.create(studioId, { name: 'mine', scopes: ['usage:read'] });
    expect(keys.get('std_other', record.id)).toBeUndefined();
    expect(codeOf(() => keys.revoke('std_other', record.id))).toBe('FW_ERR_NOT_FOUND');
  });
});
