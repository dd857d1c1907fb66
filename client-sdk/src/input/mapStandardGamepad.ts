import { clampInt16, GamepadButton, type InputEvent, InputEventType } from '@frameway/protocol';

/** The fields of a browser `Gamepad` the SDK reads; a plain object in tests. */
export interface GamepadLike {
  readonly index: number;
  readonly id: string;
  readonly connected: boolean;
  /** `'standard'` when the browser mapped the pad to the W3C standard layout. */
  readonly mapping: string;
  readonly buttons: readonly { readonly pressed: boolean; readonly value: number }[];
  readonly axes: readonly number[];
}

/** One pad's state in protocol units: XInput button bits, u8 triggers, i16 sticks with y up positive. */
export interface GamepadSnapshot {
  buttons: number;
  leftTrigger: number;
  rightTrigger: number;
  lx: number;
  ly: number;
  rx: number;
  ry: number;
}

export type GamepadStateEvent = Extract<InputEvent, { type: typeof InputEventType.GamepadState }>;

export const NEUTRAL_GAMEPAD: Readonly<GamepadSnapshot> = Object.freeze({
  buttons: 0,
  leftTrigger: 0,
  rightTrigger: 0,
  lx: 0,
  ly: 0,
  rx: 0,
  ry: 0,
});

/** W3C standard-mapping button index → XInput bit (6 and 7 are the analog triggers). */
const STANDARD_BUTTONS: readonly (readonly [index: number, bit: number])[] = [
  [0, GamepadButton.A],
  [1, GamepadButton.B],
  [2, GamepadButton.X],
  [3, GamepadButton.Y],
  [4, GamepadButton.LeftShoulder],
  [5, GamepadButton.RightShoulder],
  [8, GamepadButton.Back],
  [9, GamepadButton.Start],
  [10, GamepadButton.LeftThumb],
  [11, GamepadButton.RightThumb],
  [12, GamepadButton.DpadUp],
  [13, GamepadButton.DpadDown],
  [14, GamepadButton.DpadLeft],
  [15, GamepadButton.DpadRight],
  [16, GamepadButton.Guide],
];

/**
 * Maps a browser gamepad in the W3C "standard" layout to XInput terms: face
 * buttons by position (bottom = A), analog triggers from buttons 6/7, sticks
 * from axes 0-3 with y flipped (the browser's y grows downwards, XInput's
 * upwards). A radial dead zone zeroes stick noise at rest so an idle pad sends
 * nothing. Pads without the standard mapping are read the same way, the
 * layout most of them use.
 */
export function mapStandardGamepad(pad: GamepadLike, deadzone = 0.05): GamepadSnapshot {
  let buttons = 0;
  for (const [index, bit] of STANDARD_BUTTONS) if (pad.buttons[index]?.pressed) buttons |= bit;
  const [lx, ly] = stick(pad.axes[0], pad.axes[1], deadzone);
  const [rx, ry] = stick(pad.axes[2], pad.axes[3], deadzone);
  return {
    buttons,
    leftTrigger: trigger(pad.buttons[6]),
    rightTrigger: trigger(pad.buttons[7]),
    lx,
    ly,
    rx,
    ry,
  };
}

/** A stick position (x right, y down, each -1..1, browser convention) in protocol units (y up). */
export function stick(x: number | undefined, y: number | undefined, deadzone = 0): [lx: number, ly: number] {
  const fx = finite(x);
  const fy = finite(y);
  if (Math.hypot(fx, fy) <= deadzone) return [0, 0];
  return [axis(fx), axis(-fy)];
}

/** The protocol event for a snapshot. */
export function gamepadStateEvent(pad: number, snapshot: GamepadSnapshot): GamepadStateEvent {
  return { type: InputEventType.GamepadState, pad, ...snapshot };
}

export function sameSnapshot(a: GamepadSnapshot | undefined, b: GamepadSnapshot): boolean {
  return (
    a !== undefined &&
    a.buttons === b.buttons &&
    a.leftTrigger === b.leftTrigger &&
    a.rightTrigger === b.rightTrigger &&
    a.lx === b.lx &&
    a.ly === b.ly &&
    a.rx === b.rx &&
    a.ry === b.ry
  );
}

function axis(value: number): number {
  return clampInt16(Math.max(-1, Math.min(1, value)) * 32767) || 0; // never -0
}

function trigger(button: { pressed: boolean; value: number } | undefined): number {
  if (!button) return 0;
  const value = Number.isFinite(button.value) ? button.value : button.pressed ? 1 : 0;
  return Math.round(Math.max(0, Math.min(1, value)) * 255);
}

function finite(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
