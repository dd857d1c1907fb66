import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceForUtilisation } from './priceForUtilisation.js';

const band = { minPricePerBlock: 60, maxPricePerBlock: 150, lowUtilisationPercent: 20, highUtilisationPercent: 90 };

describe('priceForUtilisation', () => {
  it('charges the minimum at or below the low utilisation and the maximum at or above the high one', () => {
    expect(priceForUtilisation(0, band)).toBe(60);
    expect(priceForUtilisation(2000, band)).toBe(60);
    expect(priceForUtilisation(9000, band)).toBe(150);
    expect(priceForUtilisation(10_000, band)).toBe(150);
  });

  it('interpolates linearly inside the band, rounding down to a whole minor unit', () => {
    // 60 + floor(90 × (5500 − 2000) / 7000) = 60 + 45
    expect(priceForUtilisation(5500, band)).toBe(105);
    // 60 + floor(90 × 1 / 7000) = 60
    expect(priceForUtilisation(2001, band)).toBe(60);
    // 60 + floor(90 × 6999 / 7000) = 60 + 89
    expect(priceForUtilisation(8999, band)).toBe(149);
  });

  it('always yields an integer inside [min, max] that never falls as utilisation rises', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const p = priceForUtilisation(lo, band);
        expect(Number.isInteger(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(60);
        expect(p).toBeLessThanOrEqual(150);
        expect(priceForUtilisation(hi, band)).toBeGreaterThanOrEqual(p);
      }),
    );
  });
});
