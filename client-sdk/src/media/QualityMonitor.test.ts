import { describe, expect, it } from 'vitest';
import { QualityMonitor, type QualitySample } from './QualityMonitor.js';

const GOOD: QualitySample = { rttMs: 10, lossPercent: 0, fps: 60, latencyMs: 20 };

describe('QualityMonitor', () => {
  it('stays quiet and good while every figure is within its threshold', () => {
    const monitor = new QualityMonitor({ expectedFps: 60 });
    expect(monitor.update(GOOD)).toEqual([]);
    expect(monitor.level).toBe('good');
  });

  it('warns once when a figure crosses its threshold and clears after two good intervals', () => {
    const monitor = new QualityMonitor({ expectedFps: 60 });
    const [warning] = monitor.update({ ...GOOD, rttMs: 150 });
    expect(warning).toMatchObject({ kind: 'rtt', active: true, value: 150, threshold: 80 });
    expect(monitor.level).toBe('fair');
    expect(monitor.update({ ...GOOD, rttMs: 160 })).toEqual([]);
    expect(monitor.update(GOOD)).toEqual([]);
    expect(monitor.update({ ...GOOD, rttMs: 120 })).toEqual([]); // bad again: the good run restarts
    expect(monitor.update(GOOD)).toEqual([]);
    expect(monitor.update(GOOD)).toEqual([expect.objectContaining({ kind: 'rtt', active: false })]);
    expect(monitor.level).toBe('good');
  });

  it('judges loss, frame rate against the stream rate, and latency; several problems are poor', () => {
    const monitor = new QualityMonitor({ expectedFps: 60, thresholds: { maxLatencyMs: 50 } });
    const kinds = monitor.update({ rttMs: 10, lossPercent: 5, fps: 30, latencyMs: 70 }).map((w) => w.kind);
    expect(kinds).toEqual(['loss', 'fps', 'latency']);
    expect(monitor.level).toBe('poor');
  });

  it('does not call a stream without frames yet a low frame rate, and skips unknown figures', () => {
    const monitor = new QualityMonitor({ expectedFps: 60 });
    expect(monitor.update({ rttMs: undefined, lossPercent: 0, fps: 0, latencyMs: undefined })).toEqual([]);
  });

  it('makes a freeze poor at once and clears it when frames return; reset clears everything', () => {
    const monitor = new QualityMonitor({ expectedFps: 60 });
    expect(monitor.freeze({ type: 'start', gapMs: 300 })).toMatchObject({ kind: 'freeze', active: true });
    expect(monitor.freeze({ type: 'start', gapMs: 400 })).toBeUndefined();
    expect(monitor.level).toBe('poor');
    expect(monitor.freeze({ type: 'end', durationMs: 700 })?.message).toContain('700 ms');
    expect(monitor.freeze({ type: 'end', durationMs: 700 })).toBeUndefined();
    monitor.update({ ...GOOD, lossPercent: 10 });
    expect(monitor.reset()).toEqual([expect.objectContaining({ kind: 'loss', active: false })]);
    expect(monitor.level).toBe('good');
  });
});
