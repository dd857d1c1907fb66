import { describe, expect, it } from 'vitest';
import { RetransmitBudget } from './RetransmitBudget.js';

describe('RetransmitBudget', () => {
  it('allows the burst at once and no more', () => {
    const budget = new RetransmitBudget({ burstBytes: 3000 });
    expect(budget.tryTake(1200, 0)).toBe(true);
    expect(budget.tryTake(1200, 0)).toBe(true);
    expect(budget.tryTake(1200, 0)).toBe(false);
    expect(budget.tryTake(600, 0)).toBe(true);
  });

  it('refills at the given share of the recent media rate', () => {
    const budget = new RetransmitBudget({ ratio: 0.5, burstBytes: 10_000, windowMs: 1000 });
    // 100 kB/s of media over the last second.
    for (let t = 0; t < 1000; t += 10) budget.onMediaSent(1000, t);
    expect(budget.mediaBytesPerSecond(999)).toBeCloseTo(100_000, -3);
    expect(budget.tryTake(10_000, 999)).toBe(true);
    expect(budget.tryTake(1, 999)).toBe(false);
    // 20 ms later: 50 kB/s × 20 ms = 1000 bytes back.
    expect(budget.tryTake(900, 1019)).toBe(true);
    expect(budget.tryTake(300, 1019)).toBe(false);
  });

  it('gives nothing back while no media flows', () => {
    const budget = new RetransmitBudget({ burstBytes: 1000 });
    expect(budget.tryTake(1000, 0)).toBe(true);
    expect(budget.tryTake(1, 60_000)).toBe(false);
  });

  it('never holds more than the burst, however long it idles', () => {
    const budget = new RetransmitBudget({ ratio: 1, burstBytes: 2000 });
    for (let t = 0; t < 1000; t += 10) budget.onMediaSent(10_000, t);
    expect(budget.tryTake(2000, 999)).toBe(true);
    // 100 ms at ~1 MB/s would be 100 kB; the bucket holds 2000 bytes.
    expect(budget.tryTake(2001, 1100)).toBe(false);
    expect(budget.tryTake(2000, 1100)).toBe(true);
  });
});
