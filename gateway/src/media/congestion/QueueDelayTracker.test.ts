import { describe, expect, it } from 'vitest';
import type { PacketResult } from './PacketResult.js';
import { QueueDelayTracker } from './QueueDelayTracker.js';

/** A feedback of 10 packets sent 5 ms apart from `sendMs`, each `delayMs` on the way (player clock offset 5e5). */
function batch(sendMs: number, delayMs: number): PacketResult[] {
  return Array.from({ length: 10 }, (_, i) => ({
    wideSeq: sendMs + i,
    sendMs: sendMs + 5 * i,
    sizeBytes: 1200,
    arrivalMs: 5e5 + sendMs + 5 * i + delayMs + (i % 3),
  }));
}

describe('QueueDelayTracker', () => {
  it('measures the queue standing above the lowest delay seen, whatever the clock offset', () => {
    const tracker = new QueueDelayTracker({ baselineWindowMs: 30_000 });
    for (let t = 0; t < 5000; t += 50) tracker.update(batch(t, 20));
    expect(tracker.queueDelayMs).toBe(0);
    for (let t = 5000; t < 8000; t += 50) tracker.update(batch(t, 120));
    expect(tracker.queueDelayMs).toBe(100);
  });

  it('forgets a base delay older than the window (a route that got longer)', () => {
    const tracker = new QueueDelayTracker({ baselineWindowMs: 10_000 });
    for (let t = 0; t < 2000; t += 50) tracker.update(batch(t, 20));
    for (let t = 2000; t < 14_000; t += 50) tracker.update(batch(t, 60));
    expect(tracker.queueDelayMs).toBe(0);
  });

  it('starts over when the player clock jumps forward', () => {
    const tracker = new QueueDelayTracker({ baselineWindowMs: 30_000 });
    tracker.update(batch(0, 20));
    tracker.update(batch(50, 20 + 60_000));
    expect(tracker.queueDelayMs).toBe(0);
    expect(tracker.update(batch(100, 20 + 60_030))).toBe(30);
  });

  it('keeps its last value through a feedback of lost packets only', () => {
    const tracker = new QueueDelayTracker({ baselineWindowMs: 30_000 });
    tracker.update(batch(0, 20));
    tracker.update(batch(50, 70));
    const lost = batch(100, 0).map((p) => ({ ...p, arrivalMs: undefined }));
    expect(tracker.update(lost)).toBe(50);
  });
});
