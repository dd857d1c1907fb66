import { describe, expect, it } from 'vitest';
import { RetransmitBudget } from './RetransmitBudget.js';

/** 8 Mb/s of 1200-byte packets for `seconds`, ~833 packets per second. */
function sendMedia(budget: RetransmitBudget, fromMs: number, seconds: number): number {
  let now = fromMs;
  const end = fromMs + seconds * 1000;
  for (; now < end; now += 1.2) budget.noteMedia(now, 1200);
  return now;
}

describe('RetransmitBudget', () => {
  it('admits a burst at once, then no more than share × the media rate', () => {
    const budget = new RetransmitBudget({ share: 0.5, burstBytes: 10 * 1200 });
    const now = sendMedia(budget, 0, 2);
    expect(budget.mediaBytesPerSecond).toBeGreaterThan(900_000);
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (budget.admit(now, 1200)) admitted++;
    expect(admitted).toBe(10);
    // A receiver NACKing every packet for a further second gets about half the media rate back.
    let t = now;
    let second = 0;
    for (; t < now + 1000; t += 1.2) {
      budget.noteMedia(t, 1200);
      if (budget.admit(t, 1200)) second++;
    }
    expect(second).toBeGreaterThan(350);
    expect(second).toBeLessThan(460);
    expect(budget.counters.dropped).toBeGreaterThan(400);
  });

  it('honest repair of a few per cent loss is never refused', () => {
    const budget = new RetransmitBudget();
    let t = sendMedia(budget, 0, 1);
    let refused = 0;
    for (let i = 0; i < 5000; i++, t += 1.2) {
      budget.noteMedia(t, 1200);
      if (i % 20 === 0 && !budget.admit(t, 1200)) refused++; // 5 % loss
    }
    expect(refused).toBe(0);
  });

  it('with no media sent, only the burst is available', () => {
    const budget = new RetransmitBudget({ burstBytes: 2400 });
    expect(budget.admit(0, 1200)).toBe(true);
    expect(budget.admit(5000, 1200)).toBe(true);
    expect(budget.admit(10_000, 1200)).toBe(false);
  });
});
