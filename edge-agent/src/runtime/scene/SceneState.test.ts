import { HidUsageByCode, type InputEvent, InputEventType, toNormalizedCoordinate } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { MARKER_PALETTE } from './markerPalette.js';
import { SceneState } from './SceneState.js';

const key = (code: string, type: typeof InputEventType.KeyDown | typeof InputEventType.KeyUp): InputEvent => ({
  type,
  usage: HidUsageByCode[code] as number,
  modifiers: 0,
});
const down = (code: string) => key(code, InputEventType.KeyDown);
const up = (code: string) => key(code, InputEventType.KeyUp);

function scene() {
  return new SceneState({ width: 1280, height: 720, playerSize: 48, speed: 400 });
}

describe('SceneState', () => {
  it('moves the player right while ArrowRight is held, at the configured speed, and stops on KeyUp', () => {
    const state = scene();
    const start = state.player;
    state.applyInput([down('ArrowRight')]);
    state.step(0.1);
    expect(state.player.x).toBeCloseTo(start.x + 40);
    expect(state.player.y).toBeCloseTo(start.y);
    state.applyInput([up('ArrowRight')]);
    state.step(0.1);
    expect(state.player.x).toBeCloseTo(start.x + 40);
  });

  it('moves with WASD by physical key position like the arrows', () => {
    const moves: Record<string, [number, number]> = { KeyW: [0, -1], KeyA: [-1, 0], KeyS: [0, 1], KeyD: [1, 0] };
    for (const [code, [dx, dy]] of Object.entries(moves)) {
      const state = scene();
      const start = state.player;
      state.applyInput([down(code)]);
      state.step(0.05);
      expect(state.player.x - start.x).toBeCloseTo(dx * 20);
      expect(state.player.y - start.y).toBeCloseTo(dy * 20);
    }
  });

  it('advances the marker colour on KeyDown and PointerDown only', () => {
    const state = scene();
    expect(state.markerIndex).toBe(0);
    expect(state.markerRgb).toEqual(MARKER_PALETTE[0]);
    state.applyInput([down('KeyQ')]);
    expect(state.markerIndex).toBe(1);
    state.applyInput([
      up('KeyQ'),
      { type: InputEventType.PointerMove, x: 100, y: 100 },
      { type: InputEventType.PointerUp, button: 0, x: 100, y: 100 },
      { type: InputEventType.Wheel, dx: 0, dy: 120 },
      { type: InputEventType.PointerDelta, dx: 5, dy: 5 },
    ]);
    expect(state.markerIndex).toBe(1);
    state.applyInput([{ type: InputEventType.PointerDown, button: 0, x: 100, y: 100 }]);
    expect(state.markerIndex).toBe(2);
    expect(state.markerRgb).toEqual(MARKER_PALETTE[2]);
    expect(state.eventsApplied).toBe(7);
  });

  it('advances the marker on touch-down and follows touch moves, ignoring touch-up and gamepads', () => {
    const state = scene();
    state.applyInput([{ type: InputEventType.TouchDown, id: 0, x: 0, y: 0, pressure: 255 }]);
    expect(state.markerIndex).toBe(1);
    state.applyInput([
      { type: InputEventType.TouchMove, id: 0, x: 65535, y: 65535, pressure: 255 },
      { type: InputEventType.TouchUp, id: 0, x: 65535, y: 65535, pressure: 0 },
      { type: InputEventType.GamepadConnect, pad: 0 },
    ]);
    expect(state.markerIndex).toBe(1);
  });

  it('wraps the marker around the palette', () => {
    const state = scene();
    state.applyInput(Array.from({ length: MARKER_PALETTE.length + 1 }, () => down('Space')));
    expect(state.markerIndex).toBe(1);
  });

  it('sends the player to where the pointer went down, in frame pixels', () => {
    const state = scene();
    const x = toNormalizedCoordinate(0.25);
    const y = toNormalizedCoordinate(0.75);
    state.applyInput([{ type: InputEventType.PointerDown, button: 0, x, y }]);
    expect(state.target?.x).toBeCloseTo(320, 0);
    expect(state.target?.y).toBeCloseTo(540, 0);
    for (let i = 0; i < 60; i++) state.step(1 / 30);
    // the player's centre arrives on the target and stays there
    expect(state.player.x + 24).toBeCloseTo(320, 0);
    expect(state.player.y + 24).toBeCloseTo(540, 0);
  });

  it('follows pointer moves, and a movement key takes over from the pointer', () => {
    const state = scene();
    state.applyInput([{ type: InputEventType.PointerMove, x: 0, y: 0 }]);
    expect(state.target).toEqual({ x: 0, y: 0 });
    state.applyInput([down('ArrowDown')]);
    expect(state.target).toBeUndefined();
  });

  it('keeps the player inside the frame', () => {
    const state = scene();
    state.applyInput([down('ArrowLeft'), down('ArrowUp')]);
    for (let i = 0; i < 100; i++) state.step(0.25);
    expect(state.player).toEqual({ x: 0, y: 0 });
    state.applyInput([{ type: InputEventType.PointerDelta, dx: 5000, dy: 5000 }]);
    expect(state.player).toEqual({ x: 1280 - 48, y: 720 - 48 });
  });

  it('keeps time moving so the spinner turns, and caps a long stall', () => {
    const state = scene();
    state.step(0.1);
    expect(state.spinAngle).toBeCloseTo(Math.PI * 0.1);
    state.step(10);
    expect(state.timeSec).toBeCloseTo(0.35);
  });

  it('keeps a dot per finger down, follows its moves, forgets it on lift or cancel', () => {
    const state = scene();
    const at = (fx: number, fy: number) => ({ x: toNormalizedCoordinate(fx), y: toNormalizedCoordinate(fy) });
    state.applyInput([
      { type: InputEventType.TouchDown, id: 0, ...at(0.25, 0.5), pressure: 128 },
      { type: InputEventType.TouchDown, id: 3, ...at(0.75, 0.25), pressure: 128 },
    ]);
    expect(state.markerIndex).toBe(2);
    expect(state.touches.map((t) => [t.id, Math.round(t.x), Math.round(t.y)])).toEqual([
      [0, 320, 360],
      [3, 960, 180],
    ]);
    state.applyInput([{ type: InputEventType.TouchMove, id: 3, ...at(0.5, 0.5), pressure: 128 }]);
    expect(state.touches.map((t) => [t.id, Math.round(t.x), Math.round(t.y)])[1]).toEqual([3, 640, 360]);
    state.applyInput([
      { type: InputEventType.TouchUp, id: 0, ...at(0.25, 0.5), pressure: 0 },
      { type: InputEventType.TouchCancel, id: 3 },
      // a late move of a lifted finger (motion is unordered) does not bring it back
      { type: InputEventType.TouchMove, id: 0, ...at(0.1, 0.1), pressure: 128 },
    ]);
    expect(state.touches).toEqual([]);
  });

  it("moves the player with the first pad's left stick (y up) and presses the marker on button edges", () => {
    const state = scene();
    const start = state.player;
    const pad = (buttons: number, lx: number, ly: number): InputEvent => ({
      type: InputEventType.GamepadState,
      pad: 0,
      buttons,
      leftTrigger: 0,
      rightTrigger: 0,
      lx,
      ly,
      rx: 0,
      ry: 0,
    });
    state.applyInput([pad(0, 32767, 32767)]);
    state.step(0.1);
    expect(state.player.x - start.x).toBeCloseTo(40 / Math.SQRT2, 0);
    expect(state.player.y - start.y).toBeCloseTo(-40 / Math.SQRT2, 0);
    const moved = state.player;
    state.applyInput([pad(0, 2000, -1000)]); // inside the dead zone: rest
    state.step(0.1);
    expect(state.player).toEqual(moved);
    expect(state.markerIndex).toBe(0);
    state.applyInput([pad(0x1000, 0, 0), pad(0x1000, 0, 0), pad(0x3000, 0, 0), pad(0, 0, 0)]);
    expect(state.markerIndex).toBe(2);
    state.applyInput([pad(0, 32767, 0), { type: InputEventType.GamepadDisconnect, pad: 0 }]);
    state.step(0.1);
    expect(state.player).toEqual(moved);
  });
});
