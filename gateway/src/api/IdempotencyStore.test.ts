import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../store/openDatabase.js';
import { createStudioContext } from '../studio/StudioContext.js';
import { studioMigrations } from '../studio/studioMigrations.js';
import { IdempotencyStore } from './IdempotencyStore.js';

function setup() {
  let now = 1_000_000;
  const db = openDatabase({ path: ':memory:' });
  migrate(db, 'studio', studioMigrations);
  const store = new IdempotencyStore(createStudioContext({ db, now: () => now }), { ttlSeconds: 3600 });
  return { store, advance: (ms: number) => (now += ms) };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof FramewayError ? error.code : 'not a FramewayError';
  }
  return undefined;
}

describe('IdempotencyStore', () => {
  const fp = IdempotencyStore.fingerprint('POST', '/v1/titles', { name: 'a', kind: 'game' });

  it('fingerprints JSON bodies regardless of key order, but not of values, path or method', () => {
    expect(IdempotencyStore.fingerprint('POST', '/v1/titles', { kind: 'game', name: 'a' })).toBe(fp);
    expect(IdempotencyStore.fingerprint('POST', '/v1/titles', { kind: 'game', name: 'b' })).not.toBe(fp);
    expect(IdempotencyStore.fingerprint('POST', '/v1/sessions', { kind: 'game', name: 'a' })).not.toBe(fp);
  });

  it('replays the stored response for the same key and request', () => {
    const { store } = setup();
    expect(store.claim('std_a', 'k1', fp)).toEqual({ kind: 'claimed' });
    store.complete('std_a', 'k1', 201, '{"id":"tt_1"}');
    expect(store.claim('std_a', 'k1', fp)).toEqual({ kind: 'replay', status: 201, body: '{"id":"tt_1"}' });
  });

  it('refuses the same key with another request, or while the first is still running', () => {
    const { store } = setup();
    store.claim('std_a', 'k1', fp);
    expect(codeOf(() => store.claim('std_a', 'k1', fp))).toBe('FW_ERR_IDEMPOTENCY_CONFLICT');
    store.complete('std_a', 'k1', 201, '{}');
    expect(codeOf(() => store.claim('std_a', 'k1', 'other'))).toBe('FW_ERR_IDEMPOTENCY_CONFLICT');
  });

  it('scopes keys per studio, lets a released or stale claim run again, and forgets keys after the TTL', () => {
    const { store, advance } = setup();
    store.claim('std_a', 'k1', fp);
    expect(store.claim('std_b', 'k1', 'other')).toEqual({ kind: 'claimed' });
    store.release('std_b', 'k1');
    expect(store.claim('std_b', 'k1', fp)).toEqual({ kind: 'claimed' });
    advance(61_000); // the process died mid-request: the claim goes stale
    expect(store.claim('std_a', 'k1', fp)).toEqual({ kind: 'claimed' });
    store.complete('std_a', 'k1', 200, '{}');
    advance(3600_000);
    expect(store.claim('std_a', 'k1', 'other')).toEqual({ kind: 'claimed' });
  });
});
