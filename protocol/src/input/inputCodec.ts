import { FramewayError } from '../errors/FramewayError.js';

/**
 * Binary input events, player -> gateway -> agent.
 *
 * One DataChannel message carries 1..MAX_EVENTS_PER_MESSAGE events back to
 * back; every event is a 1-byte type followed by its body, all integers
 * little-endian. Pointer and touch positions are normalised to 0..65535 over
 * the video frame, so they do not depend on the player's window size.
 *
 *   0x01 KeyDown          u16 hidUsage, u8 modifiers                         (4 bytes)
 *   0x02 KeyUp            u16 hidUsage, u8 modifiers                         (4)
 *   0x03 PointerMove      u16 x, u16 y                                       (5)
 *   0x04 PointerDelta     i16 dx, i16 dy (pointer lock)                      (5)
 *   0x05 PointerDown      u8 button, u16 x, u16 y                            (6)
 *   0x06 PointerUp        u8 button, u16 x, u16 y                            (6)
 *   0x07 Wheel            i16 dx, i16 dy (pixels, clamped)                   (5)
 *   0x10 TouchDown        u8 id (0..9), u16 x, u16 y, u8 pressure           (7)
 *   0x11 TouchMove        u8 id, u16 x, u16 y, u8 pressure                   (7)
 *   0x12 TouchUp          u8 id, u16 x, u16 y, u8 pressure                   (7)
 *   0x13 TouchCancel      u8 id                                              (2)
 *   0x20 GamepadState     u8 pad (0..3), u16 buttons (XInput wButtons),
 *                         u8 leftTrigger, u8 rightTrigger,
 *                         i16 lx, i16 ly, i16 rx, i16 ry (y up = positive)   (14)
 *   0x21 GamepadConnect   u8 pad                                             (2)
 *   0x22 GamepadDisconnect u8 pad                                            (2)
 *   0x30 Text             u16 length, UTF-8 bytes (committed text / IME)     (3 + n)
 *   0x31 Clipboard        u16 length, UTF-8 bytes (player's clipboard)       (3 + n)
 *   0x38 NavKey           u8 key (NavKey), u8 down (1) / up (0)              (3)
 *   0x39 Orientation      u8 orientation (Orientation)                       (2)
 *
 * Ranges: 0x01-0x0F keyboard/mouse, 0x10-0x1F touch, 0x20-0x2F gamepad,
 * 0x30-0x3F text, clipboard and device controls.
 */
export const InputEventType = {
  KeyDown: 0x01,
  KeyUp: 0x02,
  PointerMove: 0x03,
  PointerDelta: 0x04,
  PointerDown: 0x05,
  PointerUp: 0x06,
  Wheel: 0x07,
  TouchDown: 0x10,
  TouchMove: 0x11,
  TouchUp: 0x12,
  TouchCancel: 0x13,
  GamepadState: 0x20,
  GamepadConnect: 0x21,
  GamepadDisconnect: 0x22,
  Text: 0x30,
  Clipboard: 0x31,
  NavKey: 0x38,
  Orientation: 0x39,
} as const;
export type InputEventType = (typeof InputEventType)[keyof typeof InputEventType];

/** Modifier bits carried with key events. */
export const Modifier = { Shift: 1, Control: 2, Alt: 4, Meta: 8, CapsLock: 16 } as const;

/** MouseEvent.button numbering. */
export const PointerButton = { Primary: 0, Middle: 1, Secondary: 2, Back: 3, Forward: 4 } as const;
const MAX_BUTTON = 4;

/** XInput `wButtons` bits (Guide is the de-facto 0x0400). */
export const GamepadButton = {
  DpadUp: 0x0001,
  DpadDown: 0x0002,
  DpadLeft: 0x0004,
  DpadRight: 0x0008,
  Start: 0x0010,
  Back: 0x0020,
  LeftThumb: 0x0040,
  RightThumb: 0x0080,
  LeftShoulder: 0x0100,
  RightShoulder: 0x0200,
  Guide: 0x0400,
  A: 0x1000,
  B: 0x2000,
  X: 0x4000,
  Y: 0x8000,
} as const;
const GAMEPAD_BUTTON_MASK = 0xf7ff;

/** Phone navigation and hardware keys. */
export const NavKey = { Back: 0, Home: 1, Recents: 2, Power: 3, VolumeUp: 4, VolumeDown: 5, Menu: 6 } as const;
export type NavKey = (typeof NavKey)[keyof typeof NavKey];
const MAX_NAV_KEY = 6;

/** Requested display orientation of a cloud phone. */
export const Orientation = { Portrait: 0, Landscape: 1, ReversePortrait: 2, ReverseLandscape: 3 } as const;
export type Orientation = (typeof Orientation)[keyof typeof Orientation];

export const MAX_TOUCH_POINTS = 10;
export const MAX_GAMEPADS = 4;

export type InputEvent =
  | { type: typeof InputEventType.KeyDown | typeof InputEventType.KeyUp; usage: number; modifiers: number }
  | { type: typeof InputEventType.PointerMove; x: number; y: number }
  | { type: typeof InputEventType.PointerDelta; dx: number; dy: number }
  | { type: typeof InputEventType.PointerDown | typeof InputEventType.PointerUp; button: number; x: number; y: number }
  | { type: typeof InputEventType.Wheel; dx: number; dy: number }
  | {
      type: typeof InputEventType.TouchDown | typeof InputEventType.TouchMove | typeof InputEventType.TouchUp;
      id: number;
      x: number;
      y: number;
      pressure: number;
    }
  | { type: typeof InputEventType.TouchCancel; id: number }
  | {
      type: typeof InputEventType.GamepadState;
      pad: number;
      buttons: number;
      leftTrigger: number;
      rightTrigger: number;
      lx: number;
      ly: number;
      rx: number;
      ry: number;
    }
  | { type: typeof InputEventType.GamepadConnect | typeof InputEventType.GamepadDisconnect; pad: number }
  | { type: typeof InputEventType.Text | typeof InputEventType.Clipboard; text: string }
  | { type: typeof InputEventType.NavKey; key: NavKey; down: boolean }
  | { type: typeof InputEventType.Orientation; orientation: Orientation };

/** Largest input message; room for a clipboard paste of a few KB. */
export const MAX_INPUT_MESSAGE_BYTES = 4096;
export const MAX_EVENTS_PER_MESSAGE = 64;
/** UTF-8 bytes of one Text or Clipboard event. */
export const MAX_TEXT_BYTES = 4000;

type FixedSizeEventType = Exclude<InputEventType, typeof InputEventType.Text | typeof InputEventType.Clipboard>;

/**
 * Body size per fixed-size type; Text and Clipboard are variable (u16 length prefix).
 * `satisfies` makes a new event type without a size a compile error; lookups stay by any byte.
 */
const fixedBodySize: Readonly<Record<number, number>> = {
  [InputEventType.KeyDown]: 3,
  [InputEventType.KeyUp]: 3,
  [InputEventType.PointerMove]: 4,
  [InputEventType.PointerDelta]: 4,
  [InputEventType.PointerDown]: 5,
  [InputEventType.PointerUp]: 5,
  [InputEventType.Wheel]: 4,
  [InputEventType.TouchDown]: 6,
  [InputEventType.TouchMove]: 6,
  [InputEventType.TouchUp]: 6,
  [InputEventType.TouchCancel]: 1,
  [InputEventType.GamepadState]: 13,
  [InputEventType.GamepadConnect]: 1,
  [InputEventType.GamepadDisconnect]: 1,
  [InputEventType.NavKey]: 2,
  [InputEventType.Orientation]: 1,
} satisfies Record<FixedSizeEventType, number>;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF as text, so decode → encode is byte-exact.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function isTextType(type: number): type is typeof InputEventType.Text | typeof InputEventType.Clipboard {
  return type === InputEventType.Text || type === InputEventType.Clipboard;
}

/** Encoded size of one event, type byte included. */
export function encodedEventSize(event: InputEvent): number {
  if (isTextType(event.type)) return 3 + utf8Encoder.encode((event as { text: string }).text).byteLength;
  return 1 + (fixedBodySize[event.type] as number);
}

/** Encodes events into one message. Values are validated, never silently wrapped. */
export function encodeInputEvents(events: readonly InputEvent[]): Uint8Array {
  if (events.length === 0 || events.length > MAX_EVENTS_PER_MESSAGE) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `an input message holds 1..${MAX_EVENTS_PER_MESSAGE} events`);
  }
  const texts = new Map<InputEvent, Uint8Array>();
  let size = 0;
  for (const event of events) {
    if (isTextType(event.type)) {
      const bytes = utf8Encoder.encode((event as { text: string }).text);
      if (bytes.byteLength > MAX_TEXT_BYTES) {
        throw new FramewayError(
          'FW_ERR_INPUT_TOO_LARGE',
          `text of ${bytes.byteLength} bytes exceeds ${MAX_TEXT_BYTES}`,
        );
      }
      texts.set(event, bytes);
      size += 3 + bytes.byteLength;
    } else {
      const body = fixedBodySize[event.type];
      if (body === undefined) {
        throw new FramewayError(
          'FW_ERR_INPUT_UNKNOWN_EVENT',
          `unknown input event type ${(event as { type: unknown }).type}`,
        );
      }
      size += 1 + body;
    }
  }
  if (size > MAX_INPUT_MESSAGE_BYTES) {
    throw new FramewayError(
      'FW_ERR_INPUT_TOO_LARGE',
      `input message of ${size} bytes exceeds ${MAX_INPUT_MESSAGE_BYTES}`,
    );
  }
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const event of events) {
    view.setUint8(offset, event.type);
    const o = offset + 1;
    switch (event.type) {
      case InputEventType.KeyDown:
      case InputEventType.KeyUp:
        view.setUint16(o, checkUint(event.usage, 0xffff, 'usage'), true);
        view.setUint8(o + 2, checkUint(event.modifiers, 0xff, 'modifiers'));
        break;
      case InputEventType.PointerMove:
        writeXY(view, o, event.x, event.y);
        break;
      case InputEventType.PointerDelta:
      case InputEventType.Wheel:
        view.setInt16(o, checkInt16(event.dx, 'dx'), true);
        view.setInt16(o + 2, checkInt16(event.dy, 'dy'), true);
        break;
      case InputEventType.PointerDown:
      case InputEventType.PointerUp:
        view.setUint8(o, checkUint(event.button, MAX_BUTTON, 'button'));
        writeXY(view, o + 1, event.x, event.y);
        break;
      case InputEventType.TouchDown:
      case InputEventType.TouchMove:
      case InputEventType.TouchUp:
        view.setUint8(o, checkUint(event.id, MAX_TOUCH_POINTS - 1, 'touch id'));
        writeXY(view, o + 1, event.x, event.y);
        view.setUint8(o + 5, checkUint(event.pressure, 0xff, 'pressure'));
        break;
      case InputEventType.TouchCancel:
        view.setUint8(o, checkUint(event.id, MAX_TOUCH_POINTS - 1, 'touch id'));
        break;
      case InputEventType.GamepadState:
        view.setUint8(o, checkUint(event.pad, MAX_GAMEPADS - 1, 'pad'));
        view.setUint16(o + 1, checkButtons(event.buttons), true);
        view.setUint8(o + 3, checkUint(event.leftTrigger, 0xff, 'leftTrigger'));
        view.setUint8(o + 4, checkUint(event.rightTrigger, 0xff, 'rightTrigger'));
        view.setInt16(o + 5, checkInt16(event.lx, 'lx'), true);
        view.setInt16(o + 7, checkInt16(event.ly, 'ly'), true);
        view.setInt16(o + 9, checkInt16(event.rx, 'rx'), true);
        view.setInt16(o + 11, checkInt16(event.ry, 'ry'), true);
        break;
      case InputEventType.GamepadConnect:
      case InputEventType.GamepadDisconnect:
        view.setUint8(o, checkUint(event.pad, MAX_GAMEPADS - 1, 'pad'));
        break;
      case InputEventType.Text:
      case InputEventType.Clipboard: {
        const text = texts.get(event) as Uint8Array;
        view.setUint16(o, text.byteLength, true);
        bytes.set(text, o + 2);
        break;
      }
      case InputEventType.NavKey:
        view.setUint8(o, checkUint(event.key, MAX_NAV_KEY, 'nav key'));
        view.setUint8(o + 1, event.down ? 1 : 0);
        break;
      case InputEventType.Orientation:
        view.setUint8(o, checkUint(event.orientation, 3, 'orientation'));
        break;
      default:
        // Every event type has a case above: a new one fails to compile here, not on the wire.
        event satisfies never;
    }
    offset += encodedEventSize(event);
  }
  return bytes;
}

/** Decodes one input message; throws a typed FramewayError on anything malformed. */
export function decodeInputEvents(data: Uint8Array | ArrayBuffer): InputEvent[] {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength > MAX_INPUT_MESSAGE_BYTES) {
    throw new FramewayError(
      'FW_ERR_INPUT_TOO_LARGE',
      `input message of ${bytes.byteLength} bytes exceeds ${MAX_INPUT_MESSAGE_BYTES}`,
    );
  }
  if (bytes.byteLength === 0) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', 'empty input message');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const events: InputEvent[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    if (events.length === MAX_EVENTS_PER_MESSAGE) {
      throw new FramewayError('FW_ERR_INPUT_TOO_LARGE', `more than ${MAX_EVENTS_PER_MESSAGE} events in one message`);
    }
    const type = view.getUint8(offset);
    const o = offset + 1;
    let size: number;
    if (isTextType(type)) {
      need(bytes, o + 2, type, offset);
      size = 2 + view.getUint16(o, true);
    } else {
      const fixed = fixedBodySize[type];
      if (fixed === undefined) {
        throw new FramewayError(
          'FW_ERR_INPUT_UNKNOWN_EVENT',
          `unknown input event type 0x${hex(type)} at byte ${offset}`,
        );
      }
      size = fixed;
    }
    need(bytes, o + size, type, offset);
    events.push(decodeBody(view, bytes, type, o));
    offset = o + size;
  }
  return events;
}

function decodeBody(view: DataView, bytes: Uint8Array, type: number, o: number): InputEvent {
  switch (type) {
    case InputEventType.KeyDown:
    case InputEventType.KeyUp:
      return { type, usage: view.getUint16(o, true), modifiers: view.getUint8(o + 2) };
    case InputEventType.PointerMove:
      return { type, x: view.getUint16(o, true), y: view.getUint16(o + 2, true) };
    case InputEventType.PointerDelta:
    case InputEventType.Wheel:
      return { type, dx: view.getInt16(o, true), dy: view.getInt16(o + 2, true) };
    case InputEventType.PointerDown:
    case InputEventType.PointerUp:
      return {
        type,
        button: range(view.getUint8(o), MAX_BUTTON, 'pointer button'),
        x: view.getUint16(o + 1, true),
        y: view.getUint16(o + 3, true),
      };
    case InputEventType.TouchDown:
    case InputEventType.TouchMove:
    case InputEventType.TouchUp:
      return {
        type,
        id: range(view.getUint8(o), MAX_TOUCH_POINTS - 1, 'touch id'),
        x: view.getUint16(o + 1, true),
        y: view.getUint16(o + 3, true),
        pressure: view.getUint8(o + 5),
      };
    case InputEventType.TouchCancel:
      return { type, id: range(view.getUint8(o), MAX_TOUCH_POINTS - 1, 'touch id') };
    case InputEventType.GamepadState: {
      const buttons = view.getUint16(o + 1, true);
      if ((buttons & ~GAMEPAD_BUTTON_MASK) !== 0) {
        throw new FramewayError(
          'FW_ERR_INPUT_MALFORMED',
          `gamepad buttons 0x${buttons.toString(16)} use a reserved bit`,
        );
      }
      return {
        type,
        pad: range(view.getUint8(o), MAX_GAMEPADS - 1, 'gamepad'),
        buttons,
        leftTrigger: view.getUint8(o + 3),
        rightTrigger: view.getUint8(o + 4),
        lx: view.getInt16(o + 5, true),
        ly: view.getInt16(o + 7, true),
        rx: view.getInt16(o + 9, true),
        ry: view.getInt16(o + 11, true),
      };
    }
    case InputEventType.GamepadConnect:
    case InputEventType.GamepadDisconnect:
      return { type, pad: range(view.getUint8(o), MAX_GAMEPADS - 1, 'gamepad') };
    case InputEventType.Text:
    case InputEventType.Clipboard: {
      const length = view.getUint16(o, true);
      if (length > MAX_TEXT_BYTES) {
        throw new FramewayError('FW_ERR_INPUT_TOO_LARGE', `text of ${length} bytes exceeds ${MAX_TEXT_BYTES}`);
      }
      let text: string;
      try {
        text = utf8Decoder.decode(bytes.subarray(o + 2, o + 2 + length));
      } catch {
        throw new FramewayError('FW_ERR_INPUT_MALFORMED', 'text event is not valid UTF-8');
      }
      return { type, text };
    }
    case InputEventType.NavKey: {
      const down = view.getUint8(o + 1);
      if (down > 1) throw new FramewayError('FW_ERR_INPUT_MALFORMED', `nav key state ${down} is neither 0 nor 1`);
      return { type, key: range(view.getUint8(o), MAX_NAV_KEY, 'nav key') as NavKey, down: down === 1 };
    }
    case InputEventType.Orientation:
      return { type, orientation: range(view.getUint8(o), 3, 'orientation') as Orientation };
    default:
      throw new FramewayError('FW_ERR_INPUT_UNKNOWN_EVENT', `unknown input event type 0x${hex(type)}`);
  }
}

/** True for events that must arrive (edges, state); pointer and touch motion may be dropped. */
export function isReliableInputEvent(event: InputEvent): boolean {
  return (
    event.type !== InputEventType.PointerMove &&
    event.type !== InputEventType.PointerDelta &&
    event.type !== InputEventType.TouchMove
  );
}

/** Clamps an arbitrary number into the i16 range used for deltas, wheel and sticks. */
export function clampInt16(value: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(value)));
}

/** Maps a 0..1 fraction to the 0..65535 normalised coordinate. */
export function toNormalizedCoordinate(fraction: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(fraction * 0xffff)));
}

function writeXY(view: DataView, offset: number, x: number, y: number): void {
  view.setUint16(offset, checkUint(x, 0xffff, 'x'), true);
  view.setUint16(offset + 2, checkUint(y, 0xffff, 'y'), true);
}

function need(bytes: Uint8Array, end: number, type: number, offset: number): void {
  if (end > bytes.byteLength) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `input event 0x${hex(type)} truncated at byte ${offset}`);
  }
}

function range(value: number, max: number, field: string): number {
  if (value > max) throw new FramewayError('FW_ERR_INPUT_MALFORMED', `${field} ${value} out of range 0..${max}`);
  return value;
}

function hex(type: number): string {
  return type.toString(16).padStart(2, '0');
}

function checkUint(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `${field} must be an integer in 0..${max}, got ${value}`);
  }
  return value;
}

function checkInt16(value: number, field: string): number {
  if (!Number.isInteger(value) || value < -32768 || value > 32767) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `${field} must be an integer in -32768..32767, got ${value}`);
  }
  return value;
}

function checkButtons(buttons: number): number {
  checkUint(buttons, 0xffff, 'buttons');
  if ((buttons & ~GAMEPAD_BUTTON_MASK) !== 0) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `gamepad buttons 0x${buttons.toString(16)} use a reserved bit`);
  }
  return buttons;
}
