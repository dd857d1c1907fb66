import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONGESTION_TUNING, resolveCongestionTuning } from './congestionTuning.js';

describe('resolveCongestionTuning', () => {
  it('merges overrides key by key over the defaults', () => {
    const tuning = resolveCongestionTuning({ rate: { decreaseFactor: 0.9 }, rembTimeoutMs: 1000 });
    expect(tuning.rate.decreaseFactor).toBe(0.9);
    expect(tuning.rate.holdAfterDecreaseMs).toBe(DEFAULT_CONGESTION_TUNING.rate.holdAfterDecreaseMs);
    expect(tuning.rembTimeoutMs).toBe(1000);
    expect(Object.isFrozen(tuning.rate)).toBe(true);
  });

  it('refuses unknown keys and numbers that are not finite and ≥ 0', () => {
    expect(() => resolveCongestionTuning({ bogus: {} } as never)).toThrow(FramewayError);
    expect(() => resolveCongestionTuning({ delay: { burstMS: 5 } as never })).toThrow(/delay\.burstMS/);
    expect(() => resolveCongestionTuning({ delay: { burstMs: Number.NaN } })).toThrow(/delay\.burstMs/);
    expect(() => resolveCongestionTuning({ ladder: { scales: [] } })).toThrow(FramewayError);
  });
});
