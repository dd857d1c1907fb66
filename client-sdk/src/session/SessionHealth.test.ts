import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log/Logger.js';
import type { SessionStats, StatsEntry } from '../media/deriveStats.js';
import type { QualityWarning } from '../media/QualityMonitor.js';
import { SessionHealth } from './SessionHealth.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A session decoding 10 frames a second (a 60 fps stream): every judged interval is a low frame rate. */
function harness(resuming = false) {
  vi.useFakeTimers();
  let t = 0;
  const samples: SessionStats[] = [];
  const warnings: QualityWarning[] = [];
  const health = new SessionHealth({
    intervalMs: 1000,
    thresholds: {},
    logger: silentLogger,
    read: async (): Promise<StatsEntry[]> => {
      t += 1000;
      return [{ id: 'IT', type: 'inbound-rtp', kind: 'video', timestamp: t, framesDecoded: t / 100 }];
    },
    playout: () => ({
      frameLatencyMs: 42,
      frameLatencyP95Ms: undefined,
      presentedFps: undefined,
      presentedFreezeCount: 3,
    }),
    resuming: () => resuming,
    onStats: (stats) => samples.push(stats),
    onWarning: (warning) => warnings.push(warning),
  });
  health.joined(60);
  return { health, samples, warnings };
}

describe('SessionHealth', () => {
  it('leaves the first interval after connecting unjudged, then warns of a low frame rate', async () => {
    const { health, samples, warnings } = harness();
    await health.sample();
    health.connected();
    await vi.advanceTimersByTimeAsync(1000);
    expect(samples.map((s) => s.fps)).toEqual([10]);
    expect(warnings).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(warnings.map((w) => [w.kind, w.active])).toEqual([['fps', true]]);
    expect(health.level).toBe('fair');
    health.close();
  });

  it('passes samples on but judges none while resuming', async () => {
    const { health, samples, warnings } = harness(true);
    health.connected();
    await vi.advanceTimersByTimeAsync(3000);
    expect(samples).toHaveLength(3);
    expect(warnings).toEqual([]);
    health.close();
  });

  it('adds presented frames, reconnects and the gateway’s bitrate to each sample', async () => {
    const { health } = harness();
    health.streamQuality = {
      targetKbps: 8000,
      estimateKbps: 9500,
      width: 1280,
      height: 720,
      fps: 60,
      fec: false,
      loss: 0,
    };
    health.resumed();
    const stats = await health.sample();
    expect(stats).toMatchObject({
      frameLatencyMs: 42,
      presentedFreezeCount: 3,
      reconnects: 1,
      targetKbps: 8000,
      estimateKbps: 9500,
    });
  });

  it('turns a freeze into a warning once, and an outage clears it', () => {
    const { health, warnings } = harness();
    health.freeze({ type: 'start', gapMs: 400 });
    health.freeze({ type: 'start', gapMs: 600 });
    expect(warnings.map((w) => [w.kind, w.active, w.value])).toEqual([['freeze', true, 400]]);
    expect(health.level).toBe('poor');
    health.outage();
    expect(health.warnings).toEqual([]);
    expect(health.level).toBe('good');
  });
});
