import { describe, expect, it } from 'vitest';
import type { SessionStats } from '../media/deriveStats.js';
import { toLinkStats } from './toLinkStats.js';

/** A stats sample with the fields toLinkStats reads; the rest do not matter to it. */
function stats(patch: Partial<SessionStats>): SessionStats {
  return {
    rttMs: 23.5,
    jitterMs: 1.25,
    lossPercent: 0.5,
    fps: 59.9,
    freezeCount: 2,
    ...patch,
  } as SessionStats;
}

describe('toLinkStats', () => {
  it('answers with nothing before the first stats sample', () => {
    expect(toLinkStats(undefined)).toEqual({});
  });

  it('carries the RTT, jitter, loss, frame rate and freezes of the latest sample', () => {
    expect(toLinkStats(stats({}))).toEqual({
      rttMs: 23.5,
      jitterMs: 1.25,
      lossPercent: 0.5,
      fps: 59.9,
      freezeCount: 2,
    });
  });

  it('leaves out figures the browser has not measured or got wrong', () => {
    expect(
      toLinkStats(
        stats({ rttMs: undefined, jitterMs: Number.NaN, lossPercent: Number.NaN, fps: Number.POSITIVE_INFINITY }),
      ),
    ).toEqual({ freezeCount: 2 });
    expect(toLinkStats(stats({ rttMs: -1, jitterMs: -0.5, freezeCount: -1 }))).toEqual({ lossPercent: 0.5, fps: 59.9 });
    expect(toLinkStats(stats({ freezeCount: 1.5 }))).not.toHaveProperty('freezeCount');
  });

  it('keeps every figure inside what the LinkStats message accepts', () => {
    expect(toLinkStats(stats({ rttMs: 1e9, jitterMs: 1e9, lossPercent: 250, fps: 5000, freezeCount: 0 }))).toEqual({
      rttMs: 600_000,
      jitterMs: 600_000,
      lossPercent: 100,
      fps: 1000,
      freezeCount: 0,
    });
    expect(toLinkStats(stats({ lossPercent: -3, fps: -1 }))).toMatchObject({ lossPercent: 0, fps: 0 });
  });
});
