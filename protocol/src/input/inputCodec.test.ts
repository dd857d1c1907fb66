import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FramewayError } from '../errors/FramewayError.js';
import {
  decodeInputEvents,
  encodedEventSize,
  encodeInputEvents,
  GamepadButton,
  type InputEvent,
  InputEventType,
  MAX_EVENTS_PER_MESSAGE,
  MAX_INPUT_MESSAGE_BYTES,
  MAX_TEXT_BYTES,
  NavKey,
  Orientation,
} from './inputCodec.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof FramewayError ? error.code : `not a FramewayError: ${String(error)}`;
  }
  return undefined;
}

const u16 = fc.integer({ min: 0, max: 0xffff });
const i16 = fc.integer({ min: -32768, max: 32767 });
const arbitraryEvent: fc.Arbitrary<InputEvent> = fc.oneof(
  fc.record({
    type: fc.constantFrom(InputEventType.KeyDown, InputEventType.KeyUp),
    usage: u16,
    modifiers: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ type: fc.constant(InputEventType.PointerMove), x: u16, y: u16 }),
  fc.record({ type: fc.constantFrom(InputEventType.PointerDelta, InputEventType.Wheel), dx: i16, dy: i16 }),
  fc.record({
    type: fc.constantFrom(InputEventType.PointerDown, InputEventType.PointerUp),
    button: fc.integer({ min: 0, max: 4 }),
    x: u16,
    y: u16,
  }),
  fc.record({
    type: fc.constantFrom(InputEventType.TouchDown, InputEventType.TouchMove, InputEventType.TouchUp),
    id: fc.integer({ min: 0, max: 9 }),
    x: u16,
    y: u16,
    pressure: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ type: fc.constant(InputEventType.TouchCancel), id: fc.integer({ min: 0, max: 9 }) }),
  fc.record({
    type: fc.constant(InputEventType.GamepadState),
    pad: fc.integer({ min: 0, max: 3 }),
    buttons: fc.integer({ min: 0, max: 0xffff }).map((b) => b & 0xf7ff),
    leftTrigger: fc.integer({ min: 0, max: 255 }),
    rightTrigger: fc.integer({ min: 0, max: 255 }),
    lx: i16,
    ly: i16,
    rx: i16,
    ry: i16,
  }),
  fc.record({
    type: fc.constantFrom(InputEventType.GamepadConnect, InputEventType.GamepadDisconnect),
    pad: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({
    type: fc.constantFrom(InputEventType.Text, InputEventType.Clipboard),
    text: fc.string({ maxLength: 40, unit: 'grapheme' }),
  }),
  fc.record({
    type: fc.constant(InputEventType.NavKey),
    key: fc.constantFrom(0, 1, 2, 3, 4, 5, 6),
    down: fc.boolean(),
  }),
  fc.record({ type: fc.constant(InputEventType.Orientation), orientation: fc.constantFrom(0, 1, 2, 3) }),
) as fc.Arbitrary<InputEvent>;

describe('input codec', () => {
  it('encodes each event type to its pinned golden bytes', () => {
    expect(hex(encodeInputEvents([{ type: InputEventType.KeyDown, usage: 0x04, modifiers: 0b0011 }]))).toBe('01040003');
    expect(hex(encodeInputEvents([{ type: InputEventType.KeyUp, usage: 0x52, modifiers: 0 }]))).toBe('02520000');
    expect(hex(encodeInputEvents([{ type: InputEventType.PointerMove, x: 0x1234, y: 0xffff }]))).toBe('033412ffff');
    expect(hex(encodeInputEvents([{ type: InputEventType.PointerDelta, dx: -1, dy: 300 }]))).toBe('04ffff2c01');
    expect(hex(encodeInputEvents([{ type: InputEventType.PointerDown, button: 2, x: 1, y: 2 }]))).toBe('050201000200');
    expect(hex(encodeInputEvents([{ type: InputEventType.PointerUp, button: 0, x: 0x8000, y: 0x0080 }]))).toBe(
      '060000808000',
    );
    expect(hex(encodeInputEvents([{ type: InputEventType.Wheel, dx: 0, dy: -120 }]))).toBe('07000088ff');
  });

  it('encodes touch, gamepad, text and device events to their pinned golden bytes', () => {
    expect(
      hex(encodeInputEvents([{ type: InputEventType.TouchDown, id: 9, x: 0x0102, y: 0xfffe, pressure: 128 }])),
    ).toBe('10090201feff80');
    expect(hex(encodeInputEvents([{ type: InputEventType.TouchCancel, id: 3 }]))).toBe('1303');
    expect(
      hex(
        encodeInputEvents([
          {
            type: InputEventType.GamepadState,
            pad: 1,
            buttons: GamepadButton.A | GamepadButton.DpadUp,
            leftTrigger: 0,
            rightTrigger: 255,
            lx: -32768,
            ly: 32767,
            rx: 0,
            ry: -1,
          },
        ]),
      ),
    ).toBe('2001011000ff0080ff7f0000ffff');
    expect(hex(encodeInputEvents([{ type: InputEventType.GamepadConnect, pad: 3 }]))).toBe('2103');
    expect(hex(encodeInputEvents([{ type: InputEventType.Text, text: 'hé' }]))).toBe('30030068c3a9');
    expect(hex(encodeInputEvents([{ type: InputEventType.Clipboard, text: '' }]))).toBe('310000');
    expect(hex(encodeInputEvents([{ type: InputEventType.NavKey, key: NavKey.Back, down: true }]))).toBe('380001');
    expect(hex(encodeInputEvents([{ type: InputEventType.Orientation, orientation: Orientation.Landscape }]))).toBe(
      '3901',
    );
  });

  it('rejects reserved gamepad bits, bad UTF-8, out-of-range touch ids and oversized text', () => {
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x20, 0, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))).toBe(
      'FW_ERR_INPUT_MALFORMED',
    );
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x30, 2, 0, 0xc3, 0x28)))).toBe('FW_ERR_INPUT_MALFORMED');
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x10, 10, 0, 0, 0, 0, 0)))).toBe('FW_ERR_INPUT_MALFORMED');
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x30, 5, 0, 0x41)))).toBe('FW_ERR_INPUT_MALFORMED');
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x38, 1, 2)))).toBe('FW_ERR_INPUT_MALFORMED');
    expect(codeOf(() => encodeInputEvents([{ type: InputEventType.Text, text: 'x'.repeat(MAX_TEXT_BYTES + 1) }]))).toBe(
      'FW_ERR_INPUT_TOO_LARGE',
    );
    expect(
      codeOf(() =>
        encodeInputEvents([
          {
            type: InputEventType.GamepadState,
            pad: 4,
            buttons: 0,
            leftTrigger: 0,
            rightTrigger: 0,
            lx: 0,
            ly: 0,
            rx: 0,
            ry: 0,
          },
        ]),
      ),
    ).toBe('FW_ERR_INPUT_MALFORMED');
  });

  it('packs several events back to back in one message', () => {
    const bytes = encodeInputEvents([
      { type: InputEventType.KeyDown, usage: 0x2c, modifiers: 0 },
      { type: InputEventType.PointerMove, x: 1, y: 1 },
    ]);
    expect(hex(bytes)).toBe('012c00000301000100');
  });

  it('round-trips any valid sequence of events', () => {
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 1, maxLength: MAX_EVENTS_PER_MESSAGE }), (events) => {
        fc.pre(events.reduce((n, e) => n + encodedEventSize(e), 0) <= MAX_INPUT_MESSAGE_BYTES);
        expect(decodeInputEvents(encodeInputEvents(events))).toEqual(events);
      }),
    );
  });

  it('never throws anything but a typed FramewayError on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4200 }), (bytes) => {
        try {
          const events = decodeInputEvents(bytes);
          // Whatever decodes must re-encode to the same bytes: no lossy acceptance.
          expect(hex(encodeInputEvents(events))).toBe(hex(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(FramewayError);
          expect(['FW_ERR_INPUT_MALFORMED', 'FW_ERR_INPUT_TOO_LARGE', 'FW_ERR_INPUT_UNKNOWN_EVENT']).toContain(
            (error as FramewayError).code,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects an unknown event type with FW_ERR_INPUT_UNKNOWN_EVENT', () => {
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x7f, 0, 0)))).toBe('FW_ERR_INPUT_UNKNOWN_EVENT');
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x01, 4, 0, 0, 0x0f)))).toBe('FW_ERR_INPUT_UNKNOWN_EVENT');
  });

  it('rejects a truncated event with FW_ERR_INPUT_MALFORMED', () => {
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x03, 1, 2, 3)))).toBe('FW_ERR_INPUT_MALFORMED');
    expect(codeOf(() => decodeInputEvents(new Uint8Array(0)))).toBe('FW_ERR_INPUT_MALFORMED');
  });

  it('rejects an out-of-range pointer button', () => {
    expect(codeOf(() => decodeInputEvents(Uint8Array.of(0x05, 9, 0, 0, 0, 0)))).toBe('FW_ERR_INPUT_MALFORMED');
  });

  it('rejects oversized messages and too many events', () => {
    expect(codeOf(() => decodeInputEvents(new Uint8Array(MAX_INPUT_MESSAGE_BYTES + 1)))).toBe('FW_ERR_INPUT_TOO_LARGE');
    const many = new Uint8Array(4 * (MAX_EVENTS_PER_MESSAGE + 1));
    for (let i = 0; i < many.length; i += 4) many.set([0x01, 0x04, 0, 0], i);
    expect(codeOf(() => decodeInputEvents(many))).toBe('FW_ERR_INPUT_TOO_LARGE');
  });

  it('refuses to encode values that would wrap', () => {
    expect(codeOf(() => encodeInputEvents([{ type: InputEventType.PointerMove, x: 65536, y: 0 }]))).toBe(
      'FW_ERR_INPUT_MALFORMED',
    );
    expect(codeOf(() => encodeInputEvents([{ type: InputEventType.Wheel, dx: 0.5, dy: 0 }]))).toBe(
      'FW_ERR_INPUT_MALFORMED',
    );
    expect(codeOf(() => encodeInputEvents([]))).toBe('FW_ERR_INPUT_MALFORMED');
  });
});
