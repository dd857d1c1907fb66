import { describe, expect, it } from 'vitest';
import { LossWindow } from './LossWindow.js';
import type { PacketResult } from './PacketResult.js';

/** One packet per ms from `fromMs`; every `lostEvery`-th lost. */
function packets(fromMs: number, count: number, lostEvery: number): PacketResult[] {
  return Array.from({ length: count }, (_, i) => ({
    wideSeq: fromMs + i,
    sendMs: fromMs + i,
    sizeBytes: 1000,
    arrivalMs: (i + 1) % lostEvery === 0 ? undefined : fromMs + i + 20,
  }));
}

describe('LossWindow', () => {
  it('measures loss over the last second of sent packets', () => {
    const window = new LossWindow({ windowMs: 1000, minPackets: 100 });
    window.add(packets(0, 2000, 2));
    window.add(packets(2000, 1000, 10));
    expect(window.measure()?.fraction).toBeCloseTo(0.1, 2);
  });

  it('leaves out packets sent before a given time', () => {
    const window = new LossWindow({ windowMs: 1000, minPackets: 10 });
    window.add(packets(0, 1000, 2));
    window.add(packets(1000, 100, 1000));
    expect(window.measure(999)).toEqual({ fraction: 0, packets: 100 });
  });

  it('reaches back past the window for enough packets, and says nothing below them', () => {
    const window = new LossWindow({ windowMs: 100, minPackets: 50 });
    window.add(packets(0, 40, 4));
    expect(window.measure()).toBeUndefined();
    window.add(packets(5000, 20, 1000));
    // 20 packets in the window, the newest 30 from before it: 8 lost of 50.
    expect(window.measure()).toEqual({ fraction: 0.16, packets: 50 });
  });
});
