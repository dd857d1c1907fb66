import { describe, expect, it } from 'vitest';
import { deriveStats, type StatsEntry } from './deriveStats.js';
import recorded from './fixtures/chromiumStatsReports.json' with { type: 'json' };

const first = recorded.first as StatsEntry[];
const second = recorded.second as StatsEntry[];

describe('deriveStats on a recorded Chromium report', () => {
  it('reads size, codec, counters, RTT of the selected pair and jitter', () => {
    const { stats } = deriveStats(second);
    expect(stats).toMatchObject({
      width: 640,
      height: 360,
      codec: 'H264',
      framesDecoded: 31,
      framesReceived: 31,
      framesDropped: 0,
      keyFramesDecoded: 2,
      packetsLost: 0,
      packetsReceived: 467,
      bytesReceived: 482_874,
      freezeCount: 0,
      totalFreezesDurationMs: 0,
      pliCount: 5,
      nackCount: 0,
      // The transport's selected pair (1 ms), not another nominated pair (17 ms) or the one with most bytes.
      rttMs: 1,
      jitterMs: 3,
    });
  });

  it("uses the browser's own fps and no rates for a first sample", () => {
    const { stats } = deriveStats(second);
    expect(stats.fps).toBe(29);
    expect(stats.bitrateKbps).toBe(0);
  });

  it('computes rates and per-frame delays over the interval between two samples', () => {
    const { sample } = deriveStats(first);
    const { stats } = deriveStats(second, sample);
    // 30 frames and 257 560 bytes in 1013.04 ms.
    expect(stats.fps).toBe(29.6);
    expect(stats.bitrateKbps).toBe(2034);
    expect(stats.lossPercent).toBe(0);
    // (0.260098 - 0.001573) s over 30 emitted frames; (0.017314 - 0.002265) s over 30 decoded.
    expect(stats.jitterBufferMs).toBe(8.6);
    expect(stats.decodeMs).toBe(0.5);
    // RTT/2 + jitter buffer + decode.
    expect(stats.latencyEstimateMs).toBe(9.6);
  });
});

describe('deriveStats edge cases', () => {
  const inbound = (fields: Record<string, unknown>): StatsEntry => ({
    id: 'IT',
    type: 'inbound-rtp',
    kind: 'video',
    timestamp: 1000,
    ...fields,
  });

  it('reports zeros and unknowns before any video arrives', () => {
    const { stats } = deriveStats([{ id: 'P', type: 'peer-connection', timestamp: 5 }]);
    expect(stats).toMatchObject({ fps: 0, width: 0, height: 0, framesDecoded: 0, bitrateKbps: 0, lossPercent: 0 });
    expect(stats.rttMs).toBeUndefined();
    expect(stats.jitterMs).toBeUndefined();
    expect(stats.latencyEstimateMs).toBeUndefined();
    expect(stats.codec).toBeUndefined();
  });

  it('ignores audio streams and picks the video stream with most bytes', () => {
    const { stats } = deriveStats([
      { id: 'A', type: 'inbound-rtp', kind: 'audio', timestamp: 1, bytesReceived: 9e9, jitter: 0.5 },
      inbound({ id: 'V1', bytesReceived: 10, frameWidth: 320 }),
      inbound({ id: 'V2', bytesReceived: 20, frameWidth: 640, mediaType: 'video', kind: undefined }),
    ]);
    expect(stats.width).toBe(640);
  });

  it("takes Firefox's selected flag, then a nominated succeeded pair, when there is no transport pointer", () => {
    const pair = (id: string, fields: Record<string, unknown>): StatsEntry => ({
      id,
      type: 'candidate-pair',
      timestamp: 1,
      ...fields,
    });
    const firefox = deriveStats([
      pair('a', { nominated: true, state: 'succeeded', currentRoundTripTime: 0.05 }),
      pair('b', { selected: true, currentRoundTripTime: 0.012 }),
    ]);
    expect(firefox.stats.rttMs).toBe(12);
    const fallback = deriveStats([
      pair('a', { nominated: true, state: 'in-progress', currentRoundTripTime: 0.05 }),
      pair('b', { nominated: true, state: 'succeeded', currentRoundTripTime: 0.02 }),
    ]);
    expect(fallback.stats.rttMs).toBe(20);
  });

  it('computes interval loss as a percentage of expected packets', () => {
    const { sample } = deriveStats([inbound({ timestamp: 0, packetsReceived: 100, packetsLost: 0 })]);
    const { stats } = deriveStats([inbound({ timestamp: 1000, packetsReceived: 190, packetsLost: 10 })], sample);
    expect(stats.lossPercent).toBe(10);
  });

  it('starts over instead of reporting negative rates when counters reset', () => {
    const { sample } = deriveStats([inbound({ timestamp: 0, framesDecoded: 500, bytesReceived: 1e6 })]);
    const { stats } = deriveStats(
      [inbound({ timestamp: 1000, framesDecoded: 10, bytesReceived: 5e3, framesPerSecond: 30 })],
      sample,
    );
    expect(stats.fps).toBe(30);
    expect(stats.bitrateKbps).toBe(0);
  });

  it('never reports rates for a sample that is not newer than the previous one', () => {
    const report = [inbound({ timestamp: 1000, framesDecoded: 10, bytesReceived: 5e3 })];
    const { sample } = deriveStats(report);
    const { stats } = deriveStats(report, sample);
    expect(stats.bitrateKbps).toBe(0);
    expect(Number.isFinite(stats.fps)).toBe(true);
  });

  it('ignores fields of the wrong type instead of producing NaN', () => {
    const { stats } = deriveStats([inbound({ framesDecoded: '12', frameWidth: null, jitter: Number.NaN })]);
    expect(stats.framesDecoded).toBe(0);
    expect(stats.width).toBe(0);
    expect(stats.jitterMs).toBeUndefined();
  });
});
