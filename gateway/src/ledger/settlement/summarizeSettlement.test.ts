import { sessionKeyOf } from '@frameway/protocol/qos';
import { describe, expect, it } from 'vitest';
import { percentile, summarizeSettlement } from './summarizeSettlement.js';

const minute = (minuteIndex: number, slaMet = true, p95LatencyUs = 20_000, fpsMilli = 60_000) => ({
  minuteIndex,
  slaMet,
  p95LatencyUs,
  fpsMilli,
});

describe('summarizeSettlement', () => {
  it('bills started 15-minute blocks of streamed time and sets one bit per failed minute', () => {
    const summary = summarizeSettlement({
      sessionKey: sessionKeyOf('s'),
      startedAt: 1_000_000,
      endedAt: 1_000_000 + 16 * 60_000 + 500,
      minutes: Array.from({ length: 16 }, (_, i) => minute(i, ![1, 4, 15].includes(i))),
    });
    expect(summary).toMatchObject({ durationSec: 960, billableBlocks: 2, totalMinutes: 16 });
    expect(summary.failedBitmap).toEqual([(1n << 1n) | (1n << 4n) | (1n << 15n)]);
  });

  it('counts a minute with no record at all as failed, across 256-minute words', () => {
    const minutes = Array.from({ length: 300 }, (_, i) => minute(i)).filter((m) => m.minuteIndex !== 260);
    const summary = summarizeSettlement({
      sessionKey: sessionKeyOf('s'),
      startedAt: 0,
      endedAt: 300 * 60_000,
      minutes,
    });
    expect(summary.totalMinutes).toBe(300);
    expect(summary.failedBitmap).toEqual([0n, 1n << 4n]);
  });

  it('takes nearest-rank percentiles of the minutes: p50/p95 latency and the 5th-percentile frame rate', () => {
    const minutes = Array.from({ length: 20 }, (_, i) => minute(i, true, (i + 1) * 1000, 60_000 - i * 100));
    const summary = summarizeSettlement({ sessionKey: sessionKeyOf('s'), startedAt: 0, endedAt: 20 * 60_000, minutes });
    expect(summary).toMatchObject({ p50LatencyUs: 10_000, p95LatencyUs: 19_000, fpsP5Milli: 58_100 });
  });

  it('settles a session that never streamed as zero time and no minutes', () => {
    expect(
      summarizeSettlement({ sessionKey: sessionKeyOf('s'), startedAt: null, endedAt: 5, minutes: [] }),
    ).toMatchObject({
      durationSec: 0,
      billableBlocks: 0,
      totalMinutes: 0,
      failedBitmap: [],
      p50LatencyUs: 0,
    });
    expect(percentile([], 95)).toBe(0);
    expect(percentile([7], 5)).toBe(7);
  });
});
