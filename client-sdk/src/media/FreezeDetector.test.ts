import { describe, expect, it } from 'vitest';
import { FreezeDetector } from './FreezeDetector.js';

function steady(detector: FreezeDetector, from: number, count: number, intervalMs: number): number {
  let at = from;
  for (let i = 0; i < count; i++, at += intervalMs) expect(detector.frame(at)).toBeUndefined();
  return at - intervalMs;
}

describe('FreezeDetector', () => {
  it('does not call a steady 60 fps stream frozen', () => {
    const detector = new FreezeDetector();
    const last = steady(detector, 0, 120, 1000 / 60);
    expect(detector.check(last + 100)).toBeUndefined();
    expect(detector.thresholdMs).toBeCloseTo(1000 / 60 + 150, 0);
  });

  it('reports a freeze once when frames stop, and its duration when they resume', () => {
    const detector = new FreezeDetector();
    const last = steady(detector, 0, 60, 16);
    expect(detector.check(last + 160)).toBeUndefined();
    expect(detector.check(last + 200)).toEqual({ type: 'start', gapMs: 200 });
    expect(detector.check(last + 400)).toBeUndefined();
    expect(detector.frozen).toBe(true);
    expect(detector.frame(last + 700)).toEqual({ type: 'end', durationMs: 700 });
    expect(detector.frozen).toBe(false);
    expect([detector.count, detector.totalMs]).toEqual([1, 700]);
    // The long gap did not inflate the mean interval.
    expect(detector.thresholdMs).toBeLessThan(200);
  });

  it('scales with the frame rate: 3 intervals at 5 fps', () => {
    const detector = new FreezeDetector();
    const last = steady(detector, 0, 30, 200);
    expect(detector.check(last + 590)).toBeUndefined();
    expect(detector.check(last + 610)).toMatchObject({ type: 'start' });
  });

  it('follows a stream that speeds up after a slow start', () => {
    const detector = new FreezeDetector();
    const slow = steady(detector, 0, 5, 500); // 2 fps while it starts
    const last = steady(detector, slow + 16, 40, 16); // then 60 fps
    expect(detector.check(last + 200)).toMatchObject({ type: 'start' });
  });

  it('counts a gap the clock never checked, and starts afresh after reset', () => {
    const detector = new FreezeDetector();
    const last = steady(detector, 0, 30, 16);
    expect(detector.frame(last + 500)).toEqual({ type: 'end', durationMs: 500 });
    detector.reset();
    expect(detector.check(9_000)).toBeUndefined(); // no frame since the reset: nothing to be late against
    expect(detector.frame(10_000)).toBeUndefined(); // the gap across the reset is not a freeze
    expect(detector.count).toBe(1);
    expect(detector.check(10_400)).toMatchObject({ type: 'start' });
  });
});
