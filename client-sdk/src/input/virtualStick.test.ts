import { describe, expect, it } from 'vitest';
import { stick } from './mapStandardGamepad.js';
import { virtualStick } from './virtualStick.js';

describe('virtualStick', () => {
  it('is the offset over the radius inside the circle', () => {
    expect(virtualStick(25, -50, 100)).toEqual([0.25, -0.5]);
  });

  it('clamps a finger beyond the rim onto the circle, keeping the direction', () => {
    const [x, y] = virtualStick(300, 400, 100);
    expect(x).toBeCloseTo(0.6);
    expect(y).toBeCloseTo(0.8);
  });

  it('is centred for a degenerate radius or offset', () => {
    expect(virtualStick(10, 10, 0)).toEqual([0, 0]);
    expect(virtualStick(Number.NaN, 10, 50)).toEqual([0, 0]);
  });

  it('pushing the stick up is positive y in protocol units', () => {
    const [x, y] = virtualStick(0, -100, 100);
    expect(stick(x, y)).toEqual([0, 32767]);
  });
});
