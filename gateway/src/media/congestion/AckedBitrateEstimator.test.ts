import { describe, expect, it } from 'vitest';
import { AckedBitrateEstimator } from './AckedBitrateEstimator.js';
import type { PacketResult } from './PacketResult.js';

/** `count` packets of 1250 bytes (10 kbit), one every `gapMs`, arriving from `fromMs`. */
function arrivals(fromMs: number, count: number, gapMs: number, lostEvery = 0): PacketResult[] {
  return Array.from({ length: count }, (_, i) => ({
    wideSeq: i,
    sendMs: fromMs + i * gapMs,
    sizeBytes: 1250,
    arrivalMs: lostEvery > 0 && i % lostEvery === 0 ? undefined : 1e6 + fromMs + i * gapMs,
  }));
}

describe('AckedBitrateEstimator', () => {
  it('has no estimate until arrivals span 100 ms', () => {
    const acked = new AckedBitrateEstimator({ windowMs: 500, minSpanMs: 100 });
    acked.update(arrivals(0, 10, 5));
    expect(acked.kbps).toBeUndefined();
    acked.update(arrivals(50, 20, 5));
    // 30 packets over 145 ms: 2 Mb/s give or take one packet.
    expect(acked.kbps).toBeGreaterThan(1950);
    expect(acked.kbps).toBeLessThan(2100);
  });

  it('measures what arrived over the last 500 ms, lost packets aside', () => {
    const acked = new AckedBitrateEstimator({ windowMs: 500, minSpanMs: 100 });
    // 10 kbit every 5 ms = 2 Mb/s, then every 2.5 ms = 4 Mb/s with a quarter lost: 3 Mb/s.
    acked.update(arrivals(0, 400, 5));
    acked.update(arrivals(2000, 400, 2.5, 4));
    expect(acked.kbps).toBeCloseTo(3000, -2);
  });
});
