import { describe, expect, it } from 'vitest';
import { MARKER_PALETTE } from './markerPalette.js';

describe('MARKER_PALETTE', () => {
  it('has eight distinct saturated colours', () => {
    expect(MARKER_PALETTE).toHaveLength(8);
    expect(new Set(MARKER_PALETTE.map(({ r, g, b }) => `${r},${g},${b}`)).size).toBe(8);
    for (const { r, g, b } of MARKER_PALETTE) expect(Math.max(r, g, b)).toBe(255);
  });

  it('makes every change, including the wrap-around, a big jump in RGB', () => {
    for (let i = 0; i < MARKER_PALETTE.length; i++) {
      const a = MARKER_PALETTE[i];
      const b = MARKER_PALETTE[(i + 1) % MARKER_PALETTE.length];
      if (!a || !b) throw new Error('palette hole');
      const distance = Math.hypot(a.r - b.r, a.g - b.g, a.b - b.b);
      expect(distance, `palette ${i} -> ${i + 1}`).toBeGreaterThan(250);
    }
  });
});
