import { describe, expect, it } from 'vitest';
import { retryDelay } from './retryDelay.js';

describe('retryDelay', () => {
  it('doubles per failed attempt from the base, between half and all of it', () => {
    expect(retryDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelay(1, 1000, 60_000, () => 0.999_999)).toBe(999);
    expect(retryDelay(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelay(3, 1000, 60_000, () => 0.5)).toBe(3000);
  });

  it('is capped at the maximum however many attempts failed', () => {
    expect(retryDelay(10, 1000, 60_000, () => 0.999_999)).toBeLessThan(60_000);
    expect(retryDelay(1000, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
