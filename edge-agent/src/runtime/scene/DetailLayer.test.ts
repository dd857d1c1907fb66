import { describe, expect, it } from 'vitest';
import { DetailLayer } from './DetailLayer.js';

/** A yuv420p frame of one value, the layer drawn over it at `timeSec`. */
function drawn(width: number, height: number, quietSize: number, timeSec: number): Buffer {
  const frame = Buffer.alloc((width * height * 3) / 2, 7);
  new DetailLayer({ width, height, quietSize }).draw(frame, timeSec);
  return frame;
}

describe('DetailLayer', () => {
  it('draws every pixel outside the quiet corner and none inside it', () => {
    const [width, height, quiet] = [64, 48, 20];
    const frame = drawn(width, height, quiet, 1.25);
    // 7 is below the texture's range (luma ≥ 24, chroma ≥ 80), so untouched bytes show
    for (let row = 0; row < height; row++) {
      for (let x = 0; x < width; x++) expect(frame[row * width + x] === 7).toBe(row < quiet && x < quiet);
    }
    const chromaWidth = width / 2;
    for (const plane of [width * height, (width * height * 5) / 4]) {
      for (let row = 0; row < height / 2; row++) {
        for (let x = 0; x < chromaWidth; x++) {
          expect(frame[plane + row * chromaWidth + x] === 7).toBe(row < quiet / 2 && x < quiet / 2);
        }
      }
    }
  });

  it('copes with frames smaller than the quiet corner', () => {
    expect(drawn(16, 16, 128, 0).every((value) => value === 7)).toBe(true);
    const narrow = drawn(32, 160, 128, 0);
    expect(narrow.subarray(0, 32 * 128).every((value) => value === 7)).toBe(true);
    expect(narrow.subarray(32 * 128, 32 * 160).every((value) => value !== 7)).toBe(true);
  });

  it('moves the texture from one millisecond to the next, and only with time', () => {
    const a = drawn(64, 48, 0, 1);
    expect(drawn(64, 48, 0, 1).equals(a)).toBe(true);
    const b = drawn(64, 48, 0, 1.001);
    let changed = 0;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) changed += 1;
    expect(changed / a.length).toBeGreaterThan(0.5);
  });
});
