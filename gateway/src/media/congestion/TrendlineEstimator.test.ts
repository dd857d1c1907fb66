import { describe, expect, it } from 'vitest';
import { createRandom } from '../../random/createRandom.js';
import { DEFAULT_CONGESTION_TUNING } from './congestionTuning.js';
import type { PacketResult } from './PacketResult.js';
import { type DelayUsage, TrendlineEstimator } from './TrendlineEstimator.js';

const FRAME_MS = 1000 / 60;

/**
 * Frames of 5 packets sent every FRAME_MS; frame i arrives `delayOf(i)` ms
 * after it was sent (on a player clock 1e6 ms ahead). Returns the usage
 * after each frame, fed one frame per update.
 */
function run(frames: number, delayOf: (frame: number) => number, lostEvery = 0): DelayUsage[] {
  const estimator = new TrendlineEstimator(DEFAULT_CONGESTION_TUNING.delay);
  const usages: DelayUsage[] = [];
  let seq = 0;
  for (let frame = 0; frame < frames; frame++) {
    const sendMs = frame * FRAME_MS;
    const packets: PacketResult[] = [];
    for (let i = 0; i < 5; i++) {
      const lost = lostEvery > 0 && seq % lostEvery === 0;
      const arrivalMs = 1e6 + sendMs + delayOf(frame) + i * 0.2;
      packets.push({
        wideSeq: seq++,
        sendMs: sendMs + i * 0.01,
        sizeBytes: 1200,
        arrivalMs: lost ? undefined : arrivalMs,
      });
    }
    usages.push(estimator.update(packets).usage);
  }
  return usages;
}

describe('TrendlineEstimator', () => {
  it('reports overuse when the queue keeps growing', () => {
    // Each frame waits 1 ms longer than the one before: a queue filling at 6 % over capacity.
    const usages = run(60, (frame) => 20 + frame);
    expect(usages.slice(0, 20)).not.toContain('overusing');
    expect(usages.indexOf('overusing')).toBeGreaterThan(20);
    expect(usages.at(-1)).toBe('overusing');
  });

  it('reports underuse when the queue drains', () => {
    const usages = run(60, (frame) => 200 - 2 * frame);
    expect(usages.at(-1)).toBe('underusing');
  });

  it('stays normal on a flat path however much it jitters', () => {
    const random = createRandom(3);
    const usages = run(3000, () => 20 + random() * 8);
    expect(usages).not.toContain('overusing');
  });

  it('judges delay from the packets that arrived, lost ones aside', () => {
    const usages = run(60, (frame) => 20 + frame, 3);
    expect(usages.at(-1)).toBe('overusing');
  });

  it('starts over when the player clock jumps', () => {
    const usages = run(80, (frame) => (frame < 40 ? 20 + frame : 20 + frame - 10_000));
    expect(usages[39]).toBe('overusing');
    expect(usages.slice(41, 60)).not.toContain('overusing');
  });
});
