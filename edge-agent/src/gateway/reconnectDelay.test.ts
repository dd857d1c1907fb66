import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnectDelay.js';

const policy = { initialDelayMs: 500, maxDelayMs: 15_000, jitter: 0.3 };

describe('reconnectDelay', () => {
  it('doubles from the initial delay and stops at the cap without jitter', () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((attempt) => reconnectDelay(attempt, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
  });

  it('stays within [base × (1 − jitter), base] for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt, 30));
          const delay = reconnectDelay(attempt, policy, () => r);
          return delay <= base && delay >= Math.floor(base * (1 - policy.jitter));
        },
      ),
    );
  });

  it('spreads agents that retry at the same attempt', () => {
    const delays = new Set([0.05, 0.35, 0.65, 0.95].map((r) => reconnectDelay(3, policy, () => r)));
    expect(delays.size).toBe(4);
  });
});
