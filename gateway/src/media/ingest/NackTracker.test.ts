import { describe, expect, it } from 'vitest';
import { NackTracker } from './NackTracker.js';

describe('NackTracker', () => {
  it('NACKs a gap at once and nothing while packets arrive in order', () => {
    const tracker = new NackTracker();
    expect(tracker.onPacket(10, 0)).toBe('next');
    expect(tracker.onPacket(11, 1)).toBe('next');
    expect(tracker.poll(1)).toEqual({ nack: [], gaveUp: 0 });
    expect(tracker.onPacket(14, 2)).toBe('gap');
    expect(tracker.poll(2)).toEqual({ nack: [12, 13], gaveUp: 0 });
    expect(tracker.missingCount).toBe(2);
  });

  it('repeats a NACK after max(10 ms, 1.5 × RTT), not before', () => {
    const tracker = new NackTracker({ initialRttMs: 40 });
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 0);
    expect(tracker.poll(0).nack).toEqual([2]);
    expect(tracker.poll(59).nack).toEqual([]);
    expect(tracker.poll(60).nack).toEqual([2]);
    const fast = new NackTracker({ initialRttMs: 1 });
    fast.onPacket(1, 0);
    fast.onPacket(3, 0);
    fast.poll(0);
    expect(fast.poll(9).nack).toEqual([]);
    expect(fast.poll(10).nack).toEqual([2]);
  });

  it('calls a NACKed packet recovered and learns the RTT from it', () => {
    const tracker = new NackTracker();
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 100);
    tracker.poll(100);
    expect(tracker.rttMs).toBeUndefined();
    expect(tracker.onPacket(2, 130)).toBe('recovered');
    expect(tracker.rttMs).toBe(30);
    expect(tracker.pending).toBe(false);
    // The retry spacing now follows the measured RTT: 1.5 × 30 ms.
    tracker.onPacket(5, 200);
    tracker.poll(200);
    expect(tracker.poll(244).nack).toEqual([]);
    expect(tracker.poll(245).nack).toEqual([4]);
  });

  it('tells reordering (not NACKed yet) from recovery', () => {
    const tracker = new NackTracker();
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 0);
    expect(tracker.onPacket(2, 1)).toBe('reordered');
    expect(tracker.rttMs).toBeUndefined();
    expect(tracker.onPacket(2, 2)).toBe('late');
  });

  it('gives up after maxNacks NACKs', () => {
    const tracker = new NackTracker({ maxNacks: 3, initialRttMs: 10 });
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 0);
    const sent: number[] = [];
    let gaveUp = 0;
    for (let now = 0; now <= 100; now += 5) {
      const poll = tracker.poll(now);
      sent.push(...poll.nack);
      gaveUp += poll.gaveUp;
    }
    expect(sent).toEqual([2, 2, 2]);
    expect(gaveUp).toBe(1);
    expect(tracker.pending).toBe(false);
    expect(tracker.onPacket(2, 101)).toBe('late');
  });

  it('gives up on a packet older than maxAgeMs even with NACKs left', () => {
    const tracker = new NackTracker({ maxAgeMs: 1000, initialRttMs: 300 });
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 0);
    let nacks = 0;
    let gaveUpAt: number | undefined;
    for (let now = 0; now <= 1200 && gaveUpAt === undefined; now += 5) {
      const poll = tracker.poll(now);
      nacks += poll.nack.length;
      if (poll.gaveUp > 0) gaveUpAt = now;
    }
    expect(gaveUpAt).toBe(1000);
    expect(nacks).toBe(3); // at 0, 450, 900
  });

  it('tracks gaps across the wrap at 65535', () => {
    const tracker = new NackTracker();
    tracker.onPacket(65_533, 0);
    expect(tracker.onPacket(1, 0)).toBe('gap');
    expect(tracker.poll(0).nack).toEqual([65_534, 65_535, 0]);
    expect(tracker.onPacket(65_535, 5)).toBe('recovered');
    expect(tracker.onPacket(0, 5)).toBe('recovered');
    expect(tracker.onPacket(2, 6)).toBe('next');
    expect(tracker.missingCount).toBe(1);
  });

  it('restarts on a jump beyond maxMissing instead of NACKing thousands', () => {
    const tracker = new NackTracker({ maxMissing: 512 });
    tracker.onPacket(100, 0);
    tracker.onPacket(102, 0); // 101 missing
    expect(tracker.onPacket(5000, 1)).toBe('reset');
    expect(tracker.poll(1)).toEqual({ nack: [], gaveUp: 1 });
    expect(tracker.onPacket(5001, 2)).toBe('next');
    // Exactly maxMissing in one gap is still tracked.
    expect(tracker.onPacket(5001 + 513, 3)).toBe('gap');
    expect(tracker.poll(3).nack).toHaveLength(512);
  });

  it('caps the missing set by giving up on the oldest', () => {
    const tracker = new NackTracker({ maxMissing: 4 });
    tracker.onPacket(0, 0);
    tracker.onPacket(4, 0); // 1, 2, 3 missing
    tracker.onPacket(7, 0); // 5, 6 missing: 5 in all, 1 over the cap
    expect(tracker.missingCount).toBe(4);
    expect(tracker.poll(0)).toEqual({ nack: [2, 3, 5, 6], gaveUp: 1 });
  });

  it('forgets the stream on reset but keeps the RTT', () => {
    const tracker = new NackTracker();
    tracker.onPacket(1, 0);
    tracker.onPacket(3, 0);
    tracker.poll(0);
    tracker.onPacket(2, 20);
    tracker.onPacket(6, 20);
    tracker.reset();
    expect(tracker.pending).toBe(false);
    expect(tracker.onPacket(40_000, 30)).toBe('next');
    expect(tracker.rttMs).toBe(20);
    expect(() => new NackTracker({ maxNacks: 0 })).toThrow(RangeError);
  });
});
