import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './ReplayWindow.js';

/** Checks then accepts, as the ingest does after authentication. */
function receive(window: ReplayWindow, seq: number) {
  const index = window.indexOf(seq);
  const verdict = window.check(index);
  if (verdict === 'fresh') window.accept(index);
  return verdict;
}

describe('ReplayWindow', () => {
  it('accepts each packet once and calls the second copy a replay', () => {
    const window = new ReplayWindow({ size: 64 });
    expect(receive(window, 100)).toBe('fresh');
    expect(receive(window, 101)).toBe('fresh');
    expect(receive(window, 101)).toBe('replayed');
    expect(receive(window, 100)).toBe('replayed');
    expect(window.highest).toBe(101);
  });

  it('lets a packet that never came through later (a NACK answer) but only once', () => {
    const window = new ReplayWindow({ size: 64 });
    for (const seq of [1, 2, 4, 5, 6]) receive(window, seq);
    expect(receive(window, 3)).toBe('fresh');
    expect(receive(window, 3)).toBe('replayed');
  });

  it('refuses what fell behind the window and takes the oldest slot still inside', () => {
    const window = new ReplayWindow({ size: 64 });
    receive(window, 1000);
    expect(window.check(1000 - 64)).toBe('tooOld');
    expect(window.check(1000 - 63)).toBe('fresh');
    window.accept(1000 - 63);
    expect(window.check(1000 - 63)).toBe('replayed');
  });

  it('does not take a packet for replayed when its slot was last used a window ago', () => {
    const window = new ReplayWindow({ size: 64 });
    receive(window, 10);
    receive(window, 10 + 63);
    receive(window, 10 + 64 + 5); // slides over slot of 10 + 64 (= slot of 10) without receiving it
    expect(window.check(10 + 64)).toBe('fresh');
    // A jump of more than the window clears every slot.
    receive(window, 10_000);
    expect(window.check(10_000 - 1)).toBe('fresh');
  });

  it('carries the roll-over counter across the wrap at 65535', () => {
    const window = new ReplayWindow({ size: 64 });
    for (const seq of [65_533, 65_534, 65_535, 0, 1]) expect(receive(window, seq)).toBe('fresh');
    expect(window.highest).toBe(65_536 + 1);
    expect(window.indexOf(2)).toBe(65_538);
    // A late packet from before the wrap keeps ROC 0 (index 65534), a replay of it is caught.
    expect(window.indexOf(65_534)).toBe(65_534);
    expect(receive(window, 65_534)).toBe('replayed');
    // Reordered across the wrap: 0 before 65535.
    const reordered = new ReplayWindow({ size: 64 });
    for (const seq of [65_534, 0, 65_535, 1]) expect(receive(reordered, seq)).toBe('fresh');
    expect(reordered.highest).toBe(65_537);
  });

  it('refuses a packet from before the first one when that sat just after 0', () => {
    const window = new ReplayWindow({ size: 64 });
    receive(window, 3);
    expect(window.indexOf(65_535)).toBe(-1);
    expect(receive(window, 65_535)).toBe('tooOld');
  });

  it('forgets everything on reset', () => {
    const window = new ReplayWindow({ size: 64 });
    receive(window, 500);
    window.reset();
    expect(window.highest).toBeUndefined();
    expect(receive(window, 500)).toBe('fresh');
  });

  it('ignores an accept behind the window and rejects bad sizes', () => {
    const window = new ReplayWindow({ size: 64 });
    receive(window, 1000);
    window.accept(10);
    expect(window.highest).toBe(1000);
    expect(window.check(10)).toBe('tooOld');
    expect(() => new ReplayWindow({ size: 63 })).toThrow(RangeError);
    expect(() => new ReplayWindow({ size: 1.5 })).toThrow(RangeError);
    expect(new ReplayWindow().size).toBe(2048);
  });
});
