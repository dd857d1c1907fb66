import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './ReplayWindow.js';

describe('ReplayWindow', () => {
  it('accepts each index once, in any order within the window', () => {
    const window = new ReplayWindow(8);
    expect([1, 3, 2, 3, 1, 10, 4].map((i) => window.accept(i))).toEqual([true, true, true, false, false, true, true]);
  });

  it('refuses an index that fell out of the window', () => {
    const window = new ReplayWindow(8);
    window.accept(100);
    expect(window.accept(92)).toBe(false);
    expect(window.accept(93)).toBe(true);
  });
});
