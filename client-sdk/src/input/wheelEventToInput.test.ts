import { InputEventType } from '@frameway/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WHEEL_LINE_PX, WHEEL_PAGE_PX, wheelEventToInput } from './wheelEventToInput.js';

describe('wheelEventToInput', () => {
  it('passes pixel deltas through, rounded', () => {
    expect(wheelEventToInput({ deltaX: 0, deltaY: 100.4, deltaMode: 0 })).toEqual({
      type: InputEventType.Wheel,
      dx: 0,
      dy: 100,
    });
    expect(wheelEventToInput({ deltaX: -3.6, deltaY: 0, deltaMode: 0 })).toEqual({
      type: InputEventType.Wheel,
      dx: -4,
      dy: 0,
    });
  });

  it('converts line and page deltas to pixels', () => {
    expect(wheelEventToInput({ deltaX: 0, deltaY: 3, deltaMode: 1 })).toMatchObject({ dy: 3 * WHEEL_LINE_PX });
    expect(wheelEventToInput({ deltaX: 0, deltaY: -1, deltaMode: 2 })).toMatchObject({ dy: -WHEEL_PAGE_PX });
  });

  it('drops events that round to no movement', () => {
    expect(wheelEventToInput({ deltaX: 0.2, deltaY: -0.4, deltaMode: 0 })).toBeUndefined();
    expect(wheelEventToInput({ deltaX: Number.NaN, deltaY: 0, deltaMode: 0 })).toBeUndefined();
  });

  it('clamps any delta into the i16 range', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), fc.double({ noNaN: true }), fc.constantFrom(0, 1, 2), (dx, dy, mode) => {
        const event = wheelEventToInput({ deltaX: dx, deltaY: dy, deltaMode: mode });
        if (!event || event.type !== InputEventType.Wheel) return;
        for (const value of [event.dx, event.dy]) {
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(-32768);
          expect(value).toBeLessThanOrEqual(32767);
        }
      }),
    );
  });
});
