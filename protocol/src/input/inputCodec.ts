import { FramewayError } from '../errors/FramewayError.js';

/**
 * Binary input events, player -> gateway -> agent.
 *
 * One DataChannel message carries 1..MAX_EVENTS_PER_MESSAGE events back to
 * back; every event is a 1-byte type followed by a fixed-size body, all
 * integers little-endian. Pointer positions are normalised to 0..65535 over
 * the video frame, so they do not depend on the player's window size.
 *
 *   0x01 KeyDown      u16 hidUsage, u8 modifiers                  (4 bytes)
 *   0x02 KeyUp        u16 hidUsage, u8 modifiers                  (4 bytes)
 *   0x03 PointerMove  u16 x, u16 y                                (5 bytes)
 *   0x04 PointerDelta i16 dx, i16 dy (pointer lock)               (5 bytes)
 *   0x05 PointerDown  u8 button, u16 x, u16 y                     (6 bytes)
 *   0x06 PointerUp    u8 button, u16 x, u16 y                     (6 bytes)
 *   0x07 Wheel        i16 dx, i16 dy (pixels, clamped)            (5 bytes)
 *
 * Codes 0x08-0x0F: reserved pointer/keyboard; 0x10-0x1F touch; 0x20-0x2F
 * gamepad; 0x30-0x3F text and clipboard.
 */
export const InputEventType = {
  KeyDown: 0x01,
  KeyUp: 0x02,
  PointerMove: 0x03,
  PointerDelta: 0x04,
  PointerDown: 0x05,
  PointerUp: 0x06,
  Wheel: 0x07,
} as const;
export type InputEventType = (typeof InputEventType)[keyof typeof InputEventType];

/** Modifier bits carried with key events. */
export const Modifier = { Shift: 1, Control: 2, Alt: 4, Meta: 8, CapsLock: 16 } as const;

/** MouseEvent.button numbering. */
export const PointerButton = { Primary: 0, Middle: 1, Secondary: 2, Back: 3, Forward: 4 } as const;
const MAX_BUTTON = 4;

export type InputEvent =
  | { type: typeof InputEventType.KeyDown | typeof InputEventType.KeyUp; usage: number; modifiers: number }
  | { type: typeof InputEventType.PointerMove; x: number; y: number }
  | { type: typeof InputEventType.PointerDelta; dx: number; dy: number }
  | { type: typeof InputEventType.PointerDown | typeof InputEventType.PointerUp; button: number; x: number; y: number }
  | { type: typeof InputEventType.Wheel; dx: number; dy: number };

export const MAX_INPUT_MESSAGE_BYTES = 512;
export const MAX_EVENTS_PER_MESSAGE = 64;

const bodySize: Readonly<Record<number, number>> = {
  [InputEventType.KeyDown]: 3,
  [InputEventType.KeyUp]: 3,
  [InputEventType.PointerMove]: 4,
  [InputEventType.PointerDelta]: 4,
  [InputEventType.PointerDown]: 5,
  [InputEventType.PointerUp]: 5,
  [InputEventType.Wheel]: 4,
};

/** Encoded size of one event, type byte included. */
export function encodedEventSize(event: InputEvent): number {
  return 1 + (bodySize[event.type] as number);
}

/** Encodes events into one message. Values are validated, never silently wrapped. */
export function encodeInputEvents(events: readonly InputEvent[]): Uint8Array {
  if (events.length === 0 || events.length > MAX_EVENTS_PER_MESSAGE) {
    throw new FramewayError('FW_ERR_INPUT_MALFORMED', `an input message holds 1..${MAX_EVENTS_PER_MESSAGE} events`);
  }
  let size = 0;
  for (const event of events) size += encodedEventSize(event);
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
    offset += 1;
    switch (event.type) {
      case InputEventType.KeyDown:
      case InputEventType.KeyUp:
        view.setUint16(offset, checkUint(event.usage, 0xffff, 'usage'), true);
        view.setUint8(offset + 2, checkUint(event.modifiers, 0xff, 'modifiers'));
        break;
      case InputEventType.PointerMove:
        view.setUint16(offset, checkUint(event.x, 0xffff, 'x'), true);
        view.setUint16(offset + 2, checkUint(event.y, 0xffff, 'y'), true);
        break;
      case InputEventType.PointerDelta:
      case InputEventType.Wheel:
        view.setInt16(offset, checkInt16(event.dx, 'dx'), true);
        view.setInt16(offset + 2, checkInt16(event.dy, 'dy'), true);
        break;
      case InputEventType.PointerDown:
      case InputEventType.PointerUp:
        view.setUint8(offset, checkUint(event.button, MAX_BUTTON, 'button'));
        view.setUint16(offset + 1, checkUint(event.x, 0xffff, 'x'), true);
        view.setUint16(offset + 3, checkUint(event.y, 0xffff, 'y'), true);
        break;
      default:
        throw new FramewayError(
          'FW_ERR_INPUT_UNKNOWN_EVENT',
          `unknown input event type ${(event as { type: unknown }).type}`,
        );
    }
    offset += bodySize[event.type] as number;
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
    const size = bodySize[type];
    if (size === undefined) {
      throw new FramewayError(
        'FW_ERR_INPUT_UNKNOWN_EVENT',
        `unknown input event type 0x${type.toString(16).padStart(2, '0')} at byte ${offset}`,
      );
    }
    const body = offset + 1;
    if (body + size > bytes.byteLength) {
      throw new FramewayError(
        'FW_ERR_INPUT_MALFORMED',
        `input event 0x${type.toString(16)} truncated at byte ${offset}`,
      );
    }
    switch (type) {
      case InputEventType.KeyDown:
      case InputEventType.KeyUp:
        events.push({ type, usage: view.getUint16(body, true), modifiers: view.getUint8(body + 2) });
        break;
      case InputEventType.PointerMove:
        events.push({ type, x: view.getUint16(body, true), y: view.getUint16(body + 2, true) });
        break;
      case InputEventType.PointerDelta:
      case InputEventType.Wheel:
        events.push({ type, dx: view.getInt16(body, true), dy: view.getInt16(body + 2, true) });
        break;
      case InputEventType.PointerDown:
      case InputEventType.PointerUp: {
        const button = view.getUint8(body);
        if (button > MAX_BUTTON) {
          throw new FramewayError('FW_ERR_INPUT_MALFORMED', `pointer button ${button} out of range 0..${MAX_BUTTON}`);
        }
        events.push({ type, button, x: view.getUint16(body + 1, true), y: view.getUint16(body + 3, true) });
        break;
      }
    }
    offset = body + size;
  }
  return events;
}

/** True for events that must arrive (edges); pointer motion may be dropped. */
export function isReliableInputEvent(event: InputEvent): boolean {
  return event.type !== InputEventType.PointerMove && event.type !== InputEventType.PointerDelta;
}

/** Clamps an arbitrary number into the i16 range used for deltas and wheel. */
export function clampInt16(value: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(value)));
}

/** Maps a 0..1 fraction to the 0..65535 normalised coordinate. */
export function toNormalizedCoordinate(fraction: number): number {
  return Math.max(0, Math.min(0xffff, Math.round(fraction * 0xffff)));
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
