import { describe, expect, it } from 'vitest';
import { FecPolicy, packetsPerFecFor } from './FecPolicy.js';

/** Feeds `loss` every 500 ms from `fromMs` up to and including `toMs`; returns the last decision. */
function feed(policy: FecPolicy, fromMs: number, toMs: number, loss: number) {
  let decision = policy.current;
  for (let t = fromMs; t <= toMs; t += 500) decision = policy.observeLoss(t, loss);
  return decision;
}

describe('FecPolicy', () => {
  it("'auto' turns FEC on once loss stayed above 1 % for 2 s, not before", () => {
    const policy = new FecPolicy({ mode: 'auto' });
    expect(feed(policy, 0, 1_500, 0.03).packetsPerFec).toBeUndefined();
    const on = policy.observeLoss(2_000, 0.03);
    expect(on).toEqual({ packetsPerFec: 5, changed: true });
  });

  it("'auto' ignores a lossy moment: a clean sample restarts the 2 s", () => {
    const policy = new FecPolicy({ mode: 'auto' });
    feed(policy, 0, 1_500, 0.05);
    policy.observeLoss(2_000, 0.002);
    expect(feed(policy, 2_500, 4_000, 0.05).packetsPerFec).toBeUndefined();
    expect(policy.observeLoss(4_500, 0.05).packetsPerFec).toBe(4);
  });

  it("'auto' turns FEC off after 5 s below 0.5 %, and keeps it between 0.5 and 1 %", () => {
    const policy = new FecPolicy({ mode: 'auto' });
    feed(policy, 0, 2_000, 0.02);
    expect(feed(policy, 2_500, 20_000, 0.007).packetsPerFec).toBe(8);
    expect(feed(policy, 20_500, 25_000, 0.001).packetsPerFec).toBe(8);
    const off = policy.observeLoss(25_500, 0.001);
    expect(off).toEqual({ packetsPerFec: undefined, changed: true });
  });

  it('protects by the worst loss of the last 3 s (4 to 8 media packets per FEC packet)', () => {
    const policy = new FecPolicy({ mode: 'on' });
    expect(policy.current.packetsPerFec).toBe(8);
    expect(policy.observeLoss(0, 0.06).packetsPerFec).toBe(4);
    expect(feed(policy, 500, 3_000, 0.001).packetsPerFec).toBe(4);
    expect(policy.observeLoss(3_500, 0.001)).toEqual({ packetsPerFec: 8, changed: true });
    expect([0, 0.01, 0.02, 0.03, 0.05, 0.5].map(packetsPerFecFor)).toEqual([8, 7, 6, 5, 4, 4]);
  });

  it("'on' never turns FEC off; bad samples count as no loss", () => {
    const policy = new FecPolicy({ mode: 'on' });
    expect(feed(policy, 0, 60_000, 0).packetsPerFec).toBe(8);
    expect(policy.observeLoss(60_500, Number.NaN).packetsPerFec).toBe(8);
    expect(policy.observeLoss(61_000, -1).packetsPerFec).toBe(8);
  });
});
