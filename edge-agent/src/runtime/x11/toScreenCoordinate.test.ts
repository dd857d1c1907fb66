import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toScreenCoordinate } from './toScreenCoordinate.js';

describe('toScreenCoordinate', () => {
  it('maps 0 and 65535 to the first and last pixel, and the middle to the middle', () => {
    expect(toScreenCoordinate(0, 1280)).toBe(0);
    expect(toScreenCoordinate(0xffff, 1280)).toBe(1279);
    expect(toScreenCoordinate(0x8000, 1281)).toBe(640);
  });

  it('stays on the screen and never moves backwards as the coordinate grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: -10, max: 70_000 }),
        fc.nat(1000),
        (size, n, step) => {
          const a = toScreenCoordinate(n, size);
          expect(a).toBeGreaterThanOrEqual(0);
          expect(a).toBeLessThan(size);
          expect(toScreenCoordinate(n + step, size)).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});
