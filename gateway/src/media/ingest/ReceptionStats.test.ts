import { describe, expect, it } from 'vitest';
import { ReceptionStats } from './ReceptionStats.js';

describe('ReceptionStats', () => {
  it('reports the fraction lost per interval and the cumulative loss', () => {
    const stats = new ReceptionStats(90_000);
    for (let i = 0; i < 100; i++) if (i % 10 !== 5) stats.onPacket(1000 + i, i * 3000, i * 33, false);
    const first = stats.report();
    expect(first).toMatchObject({ extendedHighest: 1099, cumulativeLost: 10, fractionLost: Math.floor(0.1 * 256) });
    expect(stats.lossFraction).toBeCloseTo(0.1, 2);
    for (let i = 100; i < 200; i++) stats.onPacket(1000 + i, i * 3000, i * 33, false);
    expect(stats.report()).toMatchObject({ fractionLost: 0, cumulativeLost: 10 });
  });

  it('counts a repaired packet as lost (before repair) and keeps it out of the jitter', () => {
    const stats = new ReceptionStats(90_000);
    stats.onPacket(1, 0, 0, false);
    stats.onPacket(3, 6000, 200 / 3, false);
    stats.onPacket(2, 3000, 500, true);
    expect(stats.report()).toMatchObject({ cumulativeLost: 1, fractionLost: 85 });
    expect(stats.jitterMs).toBeCloseTo(0, 5);
  });

  it('measures jitter as RFC 3550 A.8 from arrival spacing against timestamps', () => {
    const stats = new ReceptionStats(90_000);
    // Frames every 33.3 ms of media time arrive alternately 10 ms early and late.
    for (let i = 0; i < 400; i++) stats.onPacket(i, i * 3000, i * (1000 / 30) + (i % 2 === 0 ? -10 : 10), false);
    expect(stats.jitterMs).toBeGreaterThan(19);
    expect(stats.jitterMs).toBeLessThan(21);
    expect(stats.report().jitter).toBeGreaterThan(19 * 90);
  });

  it('handles the RTP timestamp wrap', () => {
    const stats = new ReceptionStats(90_000);
    stats.onPacket(1, 0xffff_ffff - 1499, 0, false);
    stats.onPacket(2, 1500, 1000 / 30, false);
    expect(stats.jitterMs).toBeLessThan(0.01);
  });

  it('starts over on reset', () => {
    const stats = new ReceptionStats(48_000);
    stats.onPacket(1, 0, 0, false);
    stats.onPacket(10, 0, 0, false);
    stats.report();
    stats.reset();
    expect(stats.started).toBe(false);
    stats.onPacket(500, 0, 0, false);
    expect(stats.report()).toMatchObject({ cumulativeLost: 0, fractionLost: 0, extendedHighest: 500 });
  });
});
