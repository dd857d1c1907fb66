import { describe, expect, it } from 'vitest';
import { TargetBitrateMeter } from './TargetBitrateMeter.js';

describe('TargetBitrateMeter', () => {
  it('reports the time-weighted mean target of each window', () => {
    const meter = new TargetBitrateMeter(8000, 0);
    meter.set(2000, 30_000); // 8 Mb/s for 30 s, then 2 Mb/s for 30 s
    expect(meter.takeMean(60_000)).toBe(5000);
    // The next window starts where the last ended, at the current target.
    meter.set(4000, 90_000);
    expect(meter.takeMean(120_000)).toBe(3000);
    expect(meter.current).toBe(4000);
  });

  it('gives the current target for an empty window', () => {
    const meter = new TargetBitrateMeter(6000, 10);
    expect(meter.takeMean(10)).toBe(6000);
  });
});
