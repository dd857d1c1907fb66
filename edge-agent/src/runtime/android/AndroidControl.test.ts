import { decodeInputEvents, type InputEvent, InputEventType, NavKey, Orientation } from '@frameway/protocol';
import { type AndroidKeyEventMeta, ScrcpyControlMessageSerializer, ScrcpyOptions3_3_1 } from '@yume-chan/scrcpy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AndroidControl, splitUtf8 } from './AndroidControl.js';
import { fitLayout } from './fitLayout.js';

/**
 * Golden bytes from scrcpy v3.3.3's own serializer tests
 * (app/tests/test_control_msg_serialize.c), the protocol's only
 * specification: the C client and the Java server agree on exactly these.
 * Message types: 0 INJECT_KEYCODE, 1 INJECT_TEXT, 2 INJECT_TOUCH_EVENT,
 * 4 BACK_OR_SCREEN_ON, 9 SET_CLIPBOARD, 11 ROTATE_DEVICE, 17 RESET_VIDEO.
 */
const GOLDEN = {
  // type, action UP, AKEYCODE_ENTER (66), repeat 5, AMETA_SHIFT_ON | AMETA_SHIFT_LEFT_ON
  keycodeEnterUpShift: '00 01 00000042 00000005 00000041',
  // type, u32 length 13, "hello, world!"
  textHelloWorld: '01 0000000d 68656c6c6f2c20776f726c6421',
  // type, ACTION_DOWN, u64 pointer id, i32 x 100, i32 y 200, u16 1080, u16 1920, u16 pressure 1.0, i32 action button, i32 buttons
  touchDown: '02 00 1234567887654321 00000064 000000c8 0438 0780 ffff 00000001 00000001',
  // type, ACTION_UP
  backOrScreenOnUp: '04 01',
  // type, u64 sequence, paste, u32 length, text
  setClipboard: '09 0102030405060708 01 0000000d 68656c6c6f2c20776f726c6421',
  rotateDevice: '0b',
  resetVideo: '11',
} as const;

const bytes = (hex: string) => Buffer.from(hex.replaceAll(' ', ''), 'hex');
const hexOf = (message: Uint8Array | undefined) => Buffer.from(message ?? []).toString('hex');
const serializer = () => new ScrcpyControlMessageSerializer(new ScrcpyOptions3_3_1({ audio: false }));

describe('scrcpy 3.3.3 control messages (golden bytes from scrcpy)', () => {
  it('the library serializer writes exactly what scrcpy’s own tests expect', () => {
    const s = serializer();
    expect(hexOf(s.injectKeyCode({ action: 1, keyCode: 66, repeat: 5, metaState: 0x41 as AndroidKeyEventMeta }))).toBe(
      hexOf(bytes(GOLDEN.keycodeEnterUpShift)),
    );
    expect(hexOf(s.injectText('hello, world!'))).toBe(hexOf(bytes(GOLDEN.textHelloWorld)));
    expect(
      hexOf(
        s.injectTouch({
          action: 0,
          pointerId: 0x1234567887654321n,
          pointerX: 100,
          pointerY: 200,
          videoWidth: 1080,
          videoHeight: 1920,
          pressure: 1,
          actionButton: 1,
          buttons: 1,
        }),
      ),
    ).toBe(hexOf(bytes(GOLDEN.touchDown)));
    expect(hexOf(s.backOrScreenOn(1))).toBe(hexOf(bytes(GOLDEN.backOrScreenOnUp)));
    const clipboard = s.setClipboard({ sequence: 0x0102030405060708n, paste: true, content: 'hello, world!' });
    expect(hexOf(Array.isArray(clipboard) ? clipboard[0] : clipboard)).toBe(hexOf(bytes(GOLDEN.setClipboard)));
    expect(hexOf(s.rotateDevice())).toBe(GOLDEN.rotateDevice);
    expect(hexOf(s.resetVideo())).toBe(GOLDEN.resetVideo);
  });
});

describe('AndroidControl', () => {
  // A 1080×1920 portrait phone shown unrotated in a 1080×1920 frame: positions map 1:1.
  const portrait = fitLayout({ width: 1080, height: 1920 }, { width: 1080, height: 1920 });
  const control = (layout = portrait, onOrientation?: (o: Orientation) => void) =>
    new AndroidControl({ serializer: serializer(), layout: () => layout, ...(onOrientation ? { onOrientation } : {}) });
  /** The normalised coordinate whose pixel centre is `pixel` on an axis of `size` pixels. */
  const at = (pixel: number, size: number) => Math.round((pixel * 0xffff) / (size - 1));

  it('sends Shift+Enter up from the player as scrcpy’s KEYCODE_ENTER golden message', () => {
    const [message] = control().toMessages([{ type: InputEventType.KeyUp, usage: 0x28, modifiers: 1 }]);
    expect(hexOf(message)).toBe(hexOf(bytes(GOLDEN.keycodeEnterUpShift).map((b, i) => (i >= 6 && i < 10 ? 0 : b))));
  });

  it('sends a finger down with the full pressure as scrcpy’s touch golden message (pointer id aside)', () => {
    const [message] = control().toMessages([
      { type: InputEventType.TouchDown, id: 3, x: at(100, 1080), y: at(200, 1920), pressure: 255 },
    ]);
    const expected = bytes(GOLDEN.touchDown);
    expected.writeBigUInt64BE(3n, 2); // touch id 3 is pointer 3
    expected.writeUInt32BE(0, 24); // a finger has no buttons
    expected.writeUInt32BE(0, 28);
    expect(hexOf(message)).toBe(hexOf(expected));
  });

  it('keeps ten fingers as ten pointers, and ignores a finger that lands on a letterbox bar', () => {
    // Portrait phone in a landscape frame: pillarboxed, the picture spans x 656..1264 of 1920.
    const layout = fitLayout({ width: 1920, height: 1080 }, { width: 1080, height: 1920 });
    const c = control(layout);
    const downs: InputEvent[] = Array.from({ length: 10 }, (_, id) => ({
      type: InputEventType.TouchDown,
      id,
      x: at(700 + id * 50, 1920),
      y: at(540, 1080),
      pressure: 128,
    }));
    const messages = c.toMessages(downs);
    expect(messages.map((m) => Buffer.from(m).readBigUInt64BE(2))).toEqual(downs.map((_, id) => BigInt(id)));
    expect(c.toMessages([{ type: InputEventType.TouchDown, id: 9, x: at(100, 1920), y: 0, pressure: 1 }])).toEqual([]);
    const ups = c.toMessages(downs.map((d) => ({ ...d, type: InputEventType.TouchUp }) as InputEvent));
    expect(ups.every((m) => m[0] === 2 && m[1] === 1)).toBe(true);
    // A finger that went down on the bar lifts without a message.
    expect(c.toMessages([{ type: InputEventType.TouchUp, id: 9, x: 0, y: 0, pressure: 0 }])).toEqual([]);
  });

  it('maps back, home and recents to scrcpy’s back-or-screen-on and Android key codes', () => {
    const c = control();
    const [backDown, backUp] = c.toMessages([
      { type: InputEventType.NavKey, key: NavKey.Back, down: true },
      { type: InputEventType.NavKey, key: NavKey.Back, down: false },
    ]);
    expect(hexOf(backDown)).toBe('0400');
    expect(hexOf(backUp)).toBe(hexOf(bytes(GOLDEN.backOrScreenOnUp)));
    const [home] = c.toMessages([{ type: InputEventType.NavKey, key: NavKey.Home, down: true }]);
    expect(Buffer.from(home!).readUInt32BE(2)).toBe(3); // KEYCODE_HOME
    const [recents] = c.toMessages([{ type: InputEventType.NavKey, key: NavKey.Recents, down: false }]);
    expect(Buffer.from(recents!).readUInt32BE(2)).toBe(187); // KEYCODE_APP_SWITCH
  });

  it('types text in messages of at most 300 UTF-8 bytes and sets the phone clipboard without pasting', () => {
    const c = control();
    const [hello] = c.toMessages([{ type: InputEventType.Text, text: 'hello, world!' }]);
    expect(hexOf(hello)).toBe(hexOf(bytes(GOLDEN.textHelloWorld)));
    const long = c.toMessages([{ type: InputEventType.Text, text: 'é'.repeat(400) }]);
    expect(long).toHaveLength(3);
    expect(long.every((m) => Buffer.from(m).readUInt32BE(1) <= 300)).toBe(true);
    const [clip] = c.toMessages([{ type: InputEventType.Clipboard, text: 'hello, world!' }]);
    const expected = bytes(GOLDEN.setClipboard);
    expected.writeBigUInt64BE(0n, 1);
    expected[9] = 0;
    expect(hexOf(clip)).toBe(hexOf(expected));
  });

  it('hands orientation requests to the runtime', () => {
    const asked: Orientation[] = [];
    control(portrait, (o) => asked.push(o)).toMessages([
      { type: InputEventType.Orientation, orientation: Orientation.Landscape },
    ]);
    expect(asked).toEqual([Orientation.Landscape]);
  });

  it('splits text on character boundaries', () => {
    expect(splitUtf8('ab€cd', 4)).toEqual(['ab', '€c', 'd']);
    expect(splitUtf8('', 4)).toEqual([]);
  });

  it('turns any input the codec accepts into well-formed messages, in any layout, without throwing', () => {
    const layouts = [portrait, fitLayout({ width: 1280, height: 720 }, { width: 1080, height: 2400 }, 90)];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.constantFrom(...layouts), (bytes, layout) => {
        let events: InputEvent[];
        try {
          events = decodeInputEvents(bytes);
        } catch {
          return; // the codec rejected it: never reaches a runtime
        }
        const messages = control(layout).toMessages(events);
        for (const message of messages) {
          expect(message.byteLength).toBeGreaterThan(0);
          // Every message starts with a scrcpy 3.3.3 message type.
          expect([0, 1, 2, 3, 4, 9]).toContain(message[0]);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
