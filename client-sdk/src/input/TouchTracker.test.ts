import { InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { TouchTracker, toPressure } from './TouchTracker.js';

const at = (x: number, y: number, inside = true) => ({ x, y, inside });

describe('TouchTracker', () => {
  it('gives fingers ids 0..9 in order and reuses the lowest free id after a lift', () => {
    const tracker = new TouchTracker();
    expect(tracker.down(11, at(100, 200), 0.5)).toEqual({
      type: InputEventType.TouchDown,
      id: 0,
      x: 100,
      y: 200,
      pressure: 128,
    });
    expect(tracker.down(12, at(300, 400), 1)?.id).toBe(1);
    expect(tracker.down(13, at(5, 5), 1)?.id).toBe(2);
    expect(tracker.up(11, at(110, 210))).toEqual({ type: InputEventType.TouchUp, id: 0, x: 110, y: 210, pressure: 0 });
    expect(tracker.down(14, at(7, 7), 1)?.id).toBe(0);
    expect(tracker.move(12, at(301, 401), 1)).toEqual({
      type: InputEventType.TouchMove,
      id: 1,
      x: 301,
      y: 401,
      pressure: 255,
    });
    expect(tracker.active).toBe(3);
  });

  it('ignores an eleventh finger, a touch on the letterbox bars, and events of untracked pointers', () => {
    const tracker = new TouchTracker();
    for (let pointer = 0; pointer < 10; pointer++) expect(tracker.down(pointer, at(1, 1), 1)?.id).toBe(pointer);
    expect(tracker.down(10, at(1, 1), 1)).toBeUndefined();
    expect(tracker.move(10, at(2, 2), 1)).toBeUndefined();
    expect(tracker.up(10, at(2, 2))).toBeUndefined();
    const fresh = new TouchTracker();
    expect(fresh.down(1, at(0, 0, false), 1)).toBeUndefined();
    expect(fresh.move(1, at(5, 5), 1)).toBeUndefined();
    expect(fresh.down(1, at(1, 1), 1)?.id).toBe(0);
    expect(fresh.down(1, at(1, 1), 1)).toBeUndefined(); // a second down of a tracked pointer
  });

  it('cancels one touch or all of them, freeing their ids', () => {
    const tracker = new TouchTracker();
    tracker.down(1, at(1, 1), 1);
    tracker.down(2, at(1, 1), 1);
    tracker.down(3, at(1, 1), 1);
    expect(tracker.cancel(2)).toEqual({ type: InputEventType.TouchCancel, id: 1 });
    expect(tracker.cancel(2)).toBeUndefined();
    expect(tracker.cancelAll()).toEqual([
      { type: InputEventType.TouchCancel, id: 0 },
      { type: InputEventType.TouchCancel, id: 2 },
    ]);
    expect(tracker.active).toBe(0);
  });
});

describe('toPressure', () => {
  it('maps 0..1 onto 0..255, never 0 while down', () => {
    expect(toPressure(1, true)).toBe(255);
    expect(toPressure(0.25, true)).toBe(64);
    expect(toPressure(0, true)).toBe(128);
    expect(toPressure(Number.NaN, true)).toBe(128);
    expect(toPressure(7, true)).toBe(255);
    expect(toPressure(1, false)).toBe(0);
  });
});
