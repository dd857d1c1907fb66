import { describe, expect, it } from 'vitest';
import { DEFAULT_CONGESTION_TUNING } from './congestionTuning.js';
import { LossBasedEstimator, type LossObservation } from './LossBasedEstimator.js';

const base: LossObservation = {
  fraction: 0,
  delayRising: false,
  queueStanding: false,
  targetKbps: 8000,
  ackedKbps: undefined,
  nowMs: 0,
};

function estimator() {
  return new LossBasedEstimator(DEFAULT_CONGESTION_TUNING, { minKbps: 300, maxKbps: 8000 });
}

describe('LossBasedEstimator', () => {
  it('cuts by (1 − 0.5·loss) above 10 % loss, even with a flat delay', () => {
    const loss = estimator();
    expect(loss.update({ ...base, fraction: 0.2 })).toBe('cut');
    expect(loss.boundKbps).toBeCloseTo(7200);
  });

  it('never leaves a cut above what got through', () => {
    const loss = estimator();
    loss.update({ ...base, fraction: 0.8, ackedKbps: 1000 });
    expect(loss.boundKbps).toBe(1000);
  });

  it('cuts at most every 300 ms', () => {
    const loss = estimator();
    loss.update({ ...base, fraction: 0.2 });
    expect(loss.update({ ...base, fraction: 0.2, targetKbps: 7200, nowMs: 200 })).toBe('hold');
    expect(loss.update({ ...base, fraction: 0.2, targetKbps: 7200, nowMs: 300 })).toBe('cut');
    expect(loss.boundKbps).toBeCloseTo(6480);
  });

  it('treats 2-10 % loss with a flat, low delay as noise and keeps climbing', () => {
    const loss = estimator();
    loss.update({ ...base, fraction: 0.2 });
    expect(loss.update({ ...base, fraction: 0.05, targetKbps: 7200, nowMs: 100 })).toBe('increase');
    expect(loss.boundKbps).toBeGreaterThan(7200);
  });

  it('holds at the target on 2-10 % loss while the delay is rising', () => {
    const loss = estimator();
    expect(loss.update({ ...base, fraction: 0.05, delayRising: true, targetKbps: 5000 })).toBe('hold');
    expect(loss.boundKbps).toBe(5000);
    expect(loss.update({ ...base, fraction: 0.05, delayRising: true, targetKbps: 5000, nowMs: 100 })).toBe('hold');
    expect(loss.boundKbps).toBe(5000);
  });

  it('cuts on 2-10 % loss at a standing queue: a full buffer dropping', () => {
    const loss = estimator();
    expect(loss.update({ ...base, fraction: 0.06, queueStanding: true, targetKbps: 5000 })).toBe('cut');
    expect(loss.boundKbps).toBeCloseTo(4850);
  });

  it('climbs about 20 %/s below 2 % loss, up to the maximum', () => {
    const loss = estimator();
    loss.update({ ...base, fraction: 0.5 });
    const cut = loss.boundKbps;
    for (let t = 50; t <= 1000; t += 50) loss.update({ ...base, fraction: 0.01, nowMs: t });
    expect(loss.boundKbps / cut).toBeCloseTo(1.2, 2);
    for (let t = 1050; t <= 10_000; t += 50) loss.update({ ...base, fraction: 0, nowMs: t });
    expect(loss.boundKbps).toBe(8000);
  });
});
