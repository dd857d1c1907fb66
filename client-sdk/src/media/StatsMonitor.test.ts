import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionStats, StatsEntry } from './deriveStats.js';
import { StatsMonitor } from './StatsMonitor.js';

const report = (timestamp: number, framesDecoded: number): StatsEntry[] => [
  { id: 'IT', type: 'inbound-rtp', kind: 'video', timestamp, framesDecoded },
];

afterEach(() => {
  vi.useRealTimers();
});

describe('StatsMonitor', () => {
  it('computes each sample against the previous one', async () => {
    const reports = [report(0, 0), report(500, 30)];
    const monitor = new StatsMonitor({ read: async () => reports.shift() ?? [], onStats: () => undefined });
    await monitor.sample();
    const stats = await monitor.sample();
    expect(stats.fps).toBe(60);
    expect(monitor.latest).toBe(stats);
  });

  it('samples periodically once started, and stops on close', async () => {
    vi.useFakeTimers();
    let t = 0;
    const seen: SessionStats[] = [];
    const monitor = new StatsMonitor({
      read: async () => {
        t += 1000;
        return report(t, t / 1000);
      },
      onStats: (stats) => seen.push(stats),
      intervalMs: 1000,
    });
    monitor.start();
    monitor.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toHaveLength(3);
    monitor.close();
    await vi.advanceTimersByTimeAsync(3000);
    expect(seen).toHaveLength(3);
  });

  it('reports a failing read and keeps sampling', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const monitor = new StatsMonitor({
      read: async () => {
        calls++;
        throw new Error('closed');
      },
      onStats: () => undefined,
      onError: (error) => errors.push(error),
      intervalMs: 100,
    });
    monitor.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toBe(3);
    expect(errors).toHaveLength(3);
    monitor.close();
  });

  it('does not sample periodically with an interval of 0', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const read = async () => {
      calls++;
      return [];
    };
    const monitor = new StatsMonitor({ read, onStats: () => undefined, intervalMs: 0 });
    monitor.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(0);
  });
});

describe('StatsMonitor augment', () => {
  it('adds the figures the report cannot know to every sample', async () => {
    const monitor = new StatsMonitor({
      read: async () => [],
      onStats: () => undefined,
      intervalMs: 0,
      augment: (stats) => ({ ...stats, reconnects: 2, frameLatencyMs: 12 }),
    });
    await expect(monitor.sample()).resolves.toMatchObject({ reconnects: 2, frameLatencyMs: 12 });
    expect(monitor.latest).toMatchObject({ reconnects: 2 });
  });
});
