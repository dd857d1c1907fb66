import { GamepadButton, InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { standardPad } from '../testing/fakeGamepad.js';
import { gamepadStateEvent, mapStandardGamepad, sameSnapshot, stick } from './mapStandardGamepad.js';

describe('mapStandardGamepad', () => {
  it('maps every standard button to its XInput bit', () => {
    const bits = [
      GamepadButton.A,
      GamepadButton.B,
      GamepadButton.X,
      GamepadButton.Y,
      GamepadButton.LeftShoulder,
      GamepadButton.RightShoulder,
      0,
      0,
      GamepadButton.Back,
      GamepadButton.Start,
      GamepadButton.LeftThumb,
      GamepadButton.RightThumb,
      GamepadButton.DpadUp,
      GamepadButton.DpadDown,
      GamepadButton.DpadLeft,
      GamepadButton.DpadRight,
      GamepadButton.Guide,
    ];
    bits.forEach((bit, index) => {
      expect(mapStandardGamepad(standardPad({ pressed: index === 6 || index === 7 ? [] : [index] })).buttons).toBe(bit);
    });
    expect(mapStandardGamepad(standardPad({ pressed: [0, 3, 12] })).buttons).toBe(
      GamepadButton.A | GamepadButton.Y | GamepadButton.DpadUp,
    );
  });

  it('reads analog triggers from buttons 6 and 7 as 0..255', () => {
    const state = mapStandardGamepad(standardPad({ values: { 6: 0.5, 7: 1 } }));
    expect([state.leftTrigger, state.rightTrigger]).toEqual([128, 255]);
    expect(state.buttons).toBe(0);
  });

  it('flips y so up is positive, and scales sticks to i16', () => {
    expect(mapStandardGamepad(standardPad({ axes: [1, -1, -1, 1] }))).toMatchObject({
      lx: 32767,
      ly: 32767,
      rx: -32767,
      ry: -32767,
    });
    expect(mapStandardGamepad(standardPad({ axes: [0.5, 0.25, 0, 0] }))).toMatchObject({ lx: 16384, ly: -8192 });
  });

  it('zeroes stick noise inside the dead zone, clamps out-of-range and ignores NaN axes', () => {
    expect(stick(0.03, -0.02, 0.05)).toEqual([0, 0]);
    expect(stick(0.06, 0, 0.05)).toEqual([1966, 0]);
    expect(stick(3, Number.NaN)).toEqual([32767, 0]);
    expect(stick(undefined, undefined)).toEqual([0, 0]);
  });

  it('builds the protocol event and compares snapshots field by field', () => {
    const snapshot = mapStandardGamepad(standardPad({ pressed: [0] }));
    expect(gamepadStateEvent(2, snapshot)).toEqual({ type: InputEventType.GamepadState, pad: 2, ...snapshot });
    expect(sameSnapshot(undefined, snapshot)).toBe(false);
    expect(sameSnapshot({ ...snapshot }, snapshot)).toBe(true);
    expect(sameSnapshot({ ...snapshot, ry: 1 }, snapshot)).toBe(false);
  });
});
