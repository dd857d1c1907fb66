import { describe, expect, it } from 'vitest';
import { mulberry32, valueNoisePlane } from './valueNoisePlane.js';

const options = {
  width: 96,
  height: 64,
  seed: 7,
  centre: 100,
  octaves: [
    { spacing: 16, amplitude: 60 },
    { spacing: 4, amplitude: 30 },
  ],
  grain: 8,
  min: 40,
  max: 170,
};

describe('valueNoisePlane', () => {
  it('gives the same bytes for a seed and different bytes for another', () => {
    const a = valueNoisePlane(options);
    expect(Buffer.from(valueNoisePlane(options)).equals(Buffer.from(a))).toBe(true);
    const b = valueNoisePlane({ ...options, seed: 8 });
    expect(a.filter((value, i) => value !== b[i]).length).toBeGreaterThan(a.length / 2);
  });

  it('keeps samples within [min, max] and spreads them around the centre', () => {
    const plane = valueNoisePlane(options);
    expect(plane).toHaveLength(96 * 64);
    expect(Math.min(...plane)).toBe(40); // amplitudes reach past the clamps
    expect(Math.max(...plane)).toBe(170);
    const mean = plane.reduce((sum, value) => sum + value, 0) / plane.length;
    expect(Math.abs(mean - 100)).toBeLessThan(15);
    expect(new Set(plane).size).toBeGreaterThan(60);
  });

  it('is smooth without grain: neighbours differ far less than the range', () => {
    const plane = valueNoisePlane({ ...options, octaves: [{ spacing: 16, amplitude: 60 }], grain: 0 });
    let steps = 0;
    for (let i = 1; i < plane.length; i++) if (i % 96 !== 0) steps += Math.abs((plane[i] ?? 0) - (plane[i - 1] ?? 0));
    expect(steps / (plane.length - 64)).toBeLessThan(8);
  });
});

describe('mulberry32', () => {
  it('is seeded and uniform in [0, 1)', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const values = Array.from({ length: 1000 }, () => a());
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
});
