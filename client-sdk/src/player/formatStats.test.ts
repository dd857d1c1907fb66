import { describe, expect, it } from 'vitest';
import type { SessionStats } from '../media/deriveStats.js';
import { formatStats } from './formatStats.js';

const stats: SessionStats = {
  timestamp: 0,
  fps: 59.6,
  framesDecoded: 100,
  framesDropped: 2,
  framesReceived: 102,
  keyFramesDecoded: 1,
  width: 1280,
  height: 720,
  codec: 'H264',
  rttMs: 12.3,
  jitterMs: 1.25,
  packetsLost: 0,
  packetsReceived: 1000,
  lossPercent: 0.04,
  bytesReceived: 1e6,
  bitrateKbps: 8200,
  freezeCount: 1,
  totalFreezesDurationMs: 150,
  jitterBufferMs: 4,
  decodeMs: 1.5,
  latencyEstimateMs: 11.7,
  nackCount: 0,
  pliCount: 0,
  frameLatencyMs: undefined,
  frameLatencyP95Ms: undefined,
  presentedFps: undefined,
  presentedFreezeCount: 0,
  reconnects: 0,
};

describe('formatStats', () => {
  it('adds the per-frame latency and reconnects when there are any', () => {
    const lines = formatStats({ ...stats, frameLatencyMs: 14.2, frameLatencyP95Ms: 21, reconnects: 2 });
    expect(lines).toContain('frame latency ≈ 14 ms · p95 21 ms (receive → shown + RTT/2)');
    expect(lines.at(-1)).toBe('dropped 2 · freezes 1 · reconnects 2');
  });

  it('shows resolution, fps, RTT, jitter, latency estimate, bitrate and trouble counters', () => {
    expect(formatStats(stats)).toEqual([
      '1280×720 H264 · 60 fps',
      'RTT 12 ms · jitter 1.3 ms',
      'latency ≈ 12 ms (network + buffer + decode)',
      '8.2 Mbit/s · loss 0.0%',
      'dropped 2 · freezes 1',
    ]);
  });

  it('shows dashes for what is not measured yet', () => {
    const lines = formatStats({
      ...stats,
      width: 0,
      codec: undefined,
      rttMs: undefined,
      jitterMs: undefined,
      latencyEstimateMs: undefined,
      bitrateKbps: 0,
    });
    expect(lines[0]).toBe('no video yet · 60 fps');
    expect(lines[1]).toBe('RTT – · jitter –');
    expect(lines[2]).toContain('≈ –');
    expect(lines[3]).toContain('0 kbit/s');
  });
});

describe('formatStats with congestion control', () => {
  it('shows the received bitrate against the target and the link estimate once the gateway announced them', () => {
    const lines = formatStats({ ...stats, targetKbps: 4000, estimateKbps: 4600, nackCount: 7, pliCount: 1 });
    expect(lines).toContain('8.2 Mbit/s of 4.0 Mbit/s target · loss 0.0%');
    expect(lines).toContain('link estimate 4.6 Mbit/s · NACK 7 · PLI 1');
  });

  it('leaves both out before any announcement', () => {
    expect(formatStats(stats).some((line) => line.includes('target') || line.includes('estimate'))).toBe(false);
  });
});
