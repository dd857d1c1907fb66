import { describe, expect, it } from 'vitest';
import { PlayerTokens } from './PlayerTokens.js';

const secret = Buffer.alloc(32, 7);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('PlayerTokens', () => {
  it('verifies a token it issued and returns its claims', () => {
    let now = 1_000_000;
    const tokens = new PlayerTokens({ secret, now: () => now });
    const token = tokens.issue({ sid: 'ses_1', sub: 'player-9', ttlSeconds: 60 });
    expect(tokens.verify(token)).toEqual({ sid: 'ses_1', sub: 'player-9', iat: 1000, exp: 1060 });
    now += 59_000;
    expect(tokens.verify(token).sid).toBe('ses_1');
  });

  it('rejects an expired token with FW_ERR_TOKEN_EXPIRED', () => {
    let now = 1_000_000;
    const tokens = new PlayerTokens({ secret, now: () => now });
    const token = tokens.issue({ sid: 'ses_1', sub: 'p', ttlSeconds: 60 });
    now += 60_000;
    expect(codeOf(() => tokens.verify(token))).toBe('FW_ERR_TOKEN_EXPIRED');
  });

  it('rejects a token whose claims were altered', () => {
    const tokens = new PlayerTokens({ secret });
    const [version, , signature] = tokens.issue({ sid: 'ses_1', sub: 'p', ttlSeconds: 60 }).split('.');
    const forged = Buffer.from(JSON.stringify({ sid: 'ses_other', sub: 'p', iat: 0, exp: 9e9 })).toString('base64url');
    expect(codeOf(() => tokens.verify(`${version}.${forged}.${signature}`))).toBe('FW_ERR_UNAUTHORIZED');
  });

  it('rejects a token signed with another key', () => {
    const mine = new PlayerTokens({ secret });
    const theirs = new PlayerTokens({ secret: Buffer.alloc(32, 8) });
    expect(codeOf(() => mine.verify(theirs.issue({ sid: 's', sub: 'p', ttlSeconds: 60 })))).toBe('FW_ERR_UNAUTHORIZED');
  });

  it('rejects malformed tokens with FW_ERR_UNAUTHORIZED', () => {
    const tokens = new PlayerTokens({ secret });
    for (const bad of ['', 'abc', 'fw1..', 'fw2.a.b', 'fw1.a.b.c', `fw1.${'a'.repeat(3000)}.b`]) {
      expect(codeOf(() => tokens.verify(bad))).toBe('FW_ERR_UNAUTHORIZED');
    }
  });

  it('refuses a short secret', () => {
    expect(() => new PlayerTokens({ secret: Buffer.alloc(8) })).toThrow(/32 bytes/);
  });
});
