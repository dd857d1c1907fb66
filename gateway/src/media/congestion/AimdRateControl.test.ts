import { describe, expect, it } from 'vitest';
import { AimdRateControl } from './AimdRateControl.js';
import { DEFAULT_CONGESTION_TUNING } from './congestionTuning.js';
import type { DelayUsage } from './TrendlineEstimator.js';

const limits = { minKbps: 300, maxKbps: 8000, startKbps: 8000 };

function control(startKbps = 8000) {
  return new AimdRateControl(DEFAULT_CONGESTION_TUNING.rate, { ...limits, startKbps });
}

/** Feeds one update per 50 ms from `fromMs` up to `toMs`. */
function feed(rate: AimdRateControl, usage: DelayUsage, ackedKbps: number | undefined, fromMs: number, toMs: number) {
  for (let t = fromMs; t <= toMs; t += 50) rate.update({ usage, ackedKbps, nowMs: t });
}

describe('AimdRateControl', () => {
  it('cuts to 0.85 × the acknowledged bitrate at the first overuse', () => {
    const rate = control();
    expect(rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 })).toBe('decrease');
    expect(rate.estimateKbps).toBeCloseTo(3400);
    expect(rate.congestionPointKbps).toBe(4000);
  });

  it('cuts again while overuse lasts, but not more often than every 200 ms', () => {
    const rate = control();
    rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 });
    expect(rate.update({ usage: 'overusing', ackedKbps: 3000, nowMs: 100 })).toBe('hold');
    expect(rate.update({ usage: 'overusing', ackedKbps: 3000, nowMs: 200 })).toBe('decrease');
    expect(rate.estimateKbps).toBeCloseTo(2550);
  });

  it('holds for a second after a decrease, and while the queue drains', () => {
    const rate = control();
    rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 });
    feed(rate, 'normal', 3400, 50, 950);
    expect(rate.estimateKbps).toBeCloseTo(3400);
    feed(rate, 'underusing', 3400, 1000, 3000);
    expect(rate.estimateKbps).toBeCloseTo(3400);
    expect(rate.update({ usage: 'normal', ackedKbps: 3400, nowMs: 3050 })).toBe('increase');
  });

  it('climbs about 20 %/s far from any congestion point', () => {
    const rate = control(2000);
    feed(rate, 'normal', 4000, 0, 1000);
    expect(rate.estimateKbps).toBeGreaterThan(2000 * 1.19);
    expect(rate.estimateKbps).toBeLessThan(2000 * 1.21);
  });

  it('returns to the congestion point at the fast rate, then creeps about 5 %/s past it', () => {
    const rate = control();
    rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 });
    let t = 1000;
    for (; rate.estimateKbps < 4000; t += 50) rate.update({ usage: 'normal', ackedKbps: 3900, nowMs: t });
    // 3400 → 4000 is 18 %: about a second at 20 %/s.
    expect(t - 1000).toBeLessThanOrEqual(1050);
    const nearStart = rate.estimateKbps;
    feed(rate, 'normal', 3900, t, t + 1000);
    expect(rate.estimateKbps / nearStart).toBeGreaterThan(1.04);
    expect(rate.estimateKbps / nearStart).toBeLessThan(1.06);
  });

  it('forgets the congestion point once the path delivers 3 % past it', () => {
    const rate = control();
    rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 });
    rate.update({ usage: 'normal', ackedKbps: 4100, nowMs: 1000 });
    expect(rate.congestionPointKbps).toBe(4000);
    rate.update({ usage: 'normal', ackedKbps: 4150, nowMs: 1050 });
    expect(rate.congestionPointKbps).toBeUndefined();
  });

  it('averages overuse samples close to the point and jumps to a distant one', () => {
    const rate = control();
    rate.update({ usage: 'overusing', ackedKbps: 4000, nowMs: 0 });
    rate.update({ usage: 'overusing', ackedKbps: 3800, nowMs: 1000 });
    expect(rate.congestionPointKbps).toBeCloseTo(3940);
    rate.update({ usage: 'overusing', ackedKbps: 2000, nowMs: 2000 });
    expect(rate.congestionPointKbps).toBe(2000);
  });

  it('never climbs past 1.5 × the acknowledged bitrate, nor pulls down to it', () => {
    const rate = control(2000);
    feed(rate, 'normal', 1000, 0, 5000);
    expect(rate.estimateKbps).toBeCloseTo(2000);
    feed(rate, 'normal', 1500, 5050, 10_000);
    expect(rate.estimateKbps).toBeCloseTo(1.5 * 1500 + 10);
  });

  it('stays within the limits', () => {
    const rate = control(7900);
    feed(rate, 'normal', 8000, 0, 5000);
    expect(rate.estimateKbps).toBe(8000);
    rate.update({ usage: 'overusing', ackedKbps: 100, nowMs: 6000 });
    expect(rate.estimateKbps).toBe(300);
  });
});
