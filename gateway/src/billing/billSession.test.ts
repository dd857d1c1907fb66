import { describe, expect, it } from 'vitest';
import { billSession } from './billSession.js';

const MIN = 60_000;
const base = { startedAt: 0, pricePerBlock: 150, blockMinutes: 15, slaCreditPercent: 100, verdicts: [] };

describe('billSession', () => {
  it('charges every started block whole', () => {
    expect(billSession({ ...base, endedAt: 1 })).toMatchObject({ blocks: 1, amount: 150, billableSeconds: 0 });
    expect(billSession({ ...base, endedAt: 15 * MIN })).toMatchObject({ blocks: 1, amount: 150, billableSeconds: 900 });
    expect(billSession({ ...base, endedAt: 15 * MIN + 1 })).toMatchObject({ blocks: 2, amount: 300 });
    expect(billSession({ ...base, endedAt: 20 * MIN, blockMinutes: 5 })).toMatchObject({ blocks: 4, amount: 600 });
  });

  it('charges nothing for a session that never streamed', () => {
    expect(billSession({ ...base, startedAt: null, endedAt: 30 * MIN })).toEqual({
      billableSeconds: 0,
      blocks: 0,
      amount: 0,
      failedMinutes: 0,
      credit: 0,
      net: 0,
    });
  });

  it('credits failed minutes pro rata: floor(failed × price × percent / (blockMinutes × 100))', () => {
    const verdicts = [
      { minuteIndex: 0, slaMet: true },
      { minuteIndex: 3, slaMet: false },
      { minuteIndex: 4, slaMet: false },
      { minuteIndex: 4, slaMet: false }, // the same minute twice counts once
      { minuteIndex: 11, slaMet: false },
      { minuteIndex: 25, slaMet: false }, // after the session's billed time: not credited
    ];
    // 20 minutes → 2 blocks × 150 = 300; 3 failed minutes → floor(3 × 150 × 100 / 1500) = 30
    expect(billSession({ ...base, endedAt: 20 * MIN, verdicts })).toEqual({
      billableSeconds: 1200,
      blocks: 2,
      amount: 300,
      failedMinutes: 3,
      credit: 30,
      net: 270,
    });
    // 7 failed minutes at 150/15-minute block, 50 %: floor(7 × 150 × 50 / 1500) = 35
    const seven = Array.from({ length: 7 }, (_, i) => ({ minuteIndex: i, slaMet: false }));
    expect(billSession({ ...base, endedAt: 10 * MIN, slaCreditPercent: 50, verdicts: seven }).credit).toBe(35);
  });

  it('never credits more than the charge', () => {
    const all = Array.from({ length: 15 }, (_, i) => ({ minuteIndex: i, slaMet: false }));
    expect(billSession({ ...base, endedAt: 15 * MIN, slaCreditPercent: 500, verdicts: all })).toMatchObject({
      amount: 150,
      credit: 150,
      net: 0,
    });
  });
});
