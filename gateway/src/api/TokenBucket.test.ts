import { describe, expect, it } from 'vitest';
import { RateLimiter } from './RateLimiter.js';
import { TokenBucket } from './TokenBucket.js';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)].map((r) => r.ok)).toEqual([true, true, true]);
    expect(bucket.take(0)).toEqual({ ok: false, remaining: 0, retryAfterMs: 500 });
    expect(bucket.take(250)).toEqual({ ok: false, remaining: 0, retryAfterMs: 250 });
    expect(bucket.take(500).ok).toBe(true);
  });

  it('refills continuously up to its capacity, never beyond', () => {
    const bucket = new TokenBucket(2, 1, 0);
    bucket.take(0);
    bucket.take(0);
    expect(bucket.isFull(60_000)).toBe(true);
    expect(bucket.take(60_000).remaining).toBe(1);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 1, perSecond: 1, now: () => now });
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
    now = 1000;
    expect(limiter.take('a').ok).toBe(true);
  });

  it('forgets full buckets when it holds too many, and still limits busy keys', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 1, perSecond: 1, now: () => now, sweepAbove: 2 });
    limiter.take('idle');
    limiter.take('busy');
    now = 500;
    limiter.take('new'); // sweep: 'idle' is not full yet either (half a token), both kept
    expect(limiter.take('busy').ok).toBe(false);
    now = 5000;
    limiter.take('another'); // now every old bucket is full again and may go
    expect(limiter.take('busy').ok).toBe(true);
  });
});
