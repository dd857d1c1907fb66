import { type InputEvent, InputEventType, isFramewayError, PointerButton } from '@frameway/protocol';
import type { GamepadEvent, GamepadInjector, OpenGamepadInjector } from '../../input/GamepadInjector.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import { type KeyboardMap, keysymForCodePoint } from './KeyboardMap.js';
import { toScreenCoordinate } from './toScreenCoordinate.js';
import type { X11Clipboard } from './X11Clipboard.js';
import type { X11Connection } from './X11Connection.js';

export interface X11InputInjectorOptions {
  connection: X11Connection;
  keyboard: KeyboardMap;
  /** Screen size the normalised coordinates map onto. */
  width: number;
  height: number;
  clipboard?: X11Clipboard | undefined;
  /** Opens the gamepad devices on the first gamepad event; absent: gamepads are dropped. */
  openGamepads?: OpenGamepadInjector | undefined;
  /** Wheel pixels per notch (one press of button 4/5/6/7). */
  wheelPixelsPerStep?: number;
  logger?: Logger;
}

/** X core buttons by MouseEvent.button: 1 left, 2 middle, 3 right, 8 back, 9 forward. */
const X_BUTTON: Readonly<Record<number, number>> = {
  [PointerButton.Primary]: 1,
  [PointerButton.Middle]: 2,
  [PointerButton.Secondary]: 3,
  [PointerButton.Back]: 8,
  [PointerButton.Forward]: 9,
};
const WHEEL_UP = 4;
const WHEEL_DOWN = 5;
const WHEEL_LEFT = 6;
const WHEEL_RIGHT = 7;
/** Most wheel steps one event may turn into (a wild delta must not flood the server). */
const MAX_WHEEL_STEPS = 20;
/** Most characters of one Text event that are typed (the protocol allows 4000 bytes). */
const MAX_TYPED_CHARACTERS = 1000;

/**
 * Applies player input to an X display through XTEST on one persistent
 * connection. Keys go by physical position (HID usage → keycode); pointer
 * positions are normalised over the frame; touch point 0 drives the pointer;
 * text is typed character by character (borrowing a spare keycode for
 * characters the layout lacks); clipboard text becomes the X CLIPBOARD and
 * PRIMARY selections. Held keys and buttons are released on close.
 */
export class X11InputInjector {
  readonly #options: X11InputInjectorOptions;
  readonly #log: Logger;
  readonly #heldKeys = new Set<number>();
  readonly #heldButtons = new Set<number>();
  /** Keysyms typed through a borrowed keycode, and the keycode. */
  readonly #borrowed = new Map<number, number>();
  readonly #spare: number[];
  #wheelX = 0;
  #wheelY = 0;
  #touchPointer: number | undefined;
  #gamepads: Promise<GamepadInjector | undefined> | undefined;
  #closed = false;

  constructor(options: X11InputInjectorOptions) {
    this.#options = options;
    this.#log = options.logger ?? createLogger('x11.input');
    this.#spare = options.keyboard.spareKeycodes().slice(0, 8);
  }

  apply(events: readonly InputEvent[]): void {
    if (this.#closed || this.#options.connection.closed) return;
    for (const event of events) this.#applyOne(event);
  }

  /** Releases every key and button still held (a player who left mid-press), then closes the gamepads. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.#options.connection.closed) {
      const { xtest } = this.#options.connection;
      for (const keycode of this.#heldKeys) xtest.FakeInput(xtest.KeyRelease, keycode, 0, 0, 0, 0);
      for (const button of this.#heldButtons) xtest.FakeInput(xtest.ButtonRelease, button, 0, 0, 0, 0);
    }
    this.#closed = true;
    this.#heldKeys.clear();
    this.#heldButtons.clear();
    const gamepads = await this.#gamepads;
    await gamepads?.close();
  }

  #applyOne(event: InputEvent): void {
    const { xtest } = this.#options.connection;
    switch (event.type) {
      case InputEventType.KeyDown:
      case InputEventType.KeyUp: {
        const keycode = this.#options.keyboard.keycodeForUsage(event.usage);
        if (keycode === undefined) {
          this.#log.debug({ usage: event.usage }, 'no X key for this HID usage');
          return;
        }
        this.#key(keycode, event.type === InputEventType.KeyDown);
        return;
      }
      case InputEventType.PointerMove:
        this.#moveTo(event.x, event.y);
        return;
      case InputEventType.PointerDelta:
        // detail 1 = relative motion (pointer-lock mouse look)
        xtest.FakeInput(xtest.MotionNotify, 1, 0, 0, event.dx, event.dy);
        return;
      case InputEventType.PointerDown:
      case InputEventType.PointerUp: {
        this.#moveTo(event.x, event.y);
        const button = X_BUTTON[event.button];
        if (button !== undefined) this.#button(button, event.type === InputEventType.PointerDown);
        return;
      }
      case InputEventType.Wheel:
        this.#wheel(event.dx, event.dy);
        return;
      case InputEventType.TouchDown:
        // A desktop program knows one pointer: the first finger down drives it.
        if (this.#touchPointer !== undefined) return;
        this.#touchPointer = event.id;
        this.#moveTo(event.x, event.y);
        this.#button(1, true);
        return;
      case InputEventType.TouchMove:
        if (this.#touchPointer === event.id) this.#moveTo(event.x, event.y);
        return;
      case InputEventType.TouchUp:
      case InputEventType.TouchCancel:
        if (this.#touchPointer !== event.id) return;
        this.#touchPointer = undefined;
        if (event.type === InputEventType.TouchUp) this.#moveTo(event.x, event.y);
        this.#button(1, false);
        return;
      case InputEventType.GamepadState:
      case InputEventType.GamepadConnect:
      case InputEventType.GamepadDisconnect:
        this.#gamepad(event);
        return;
      case InputEventType.Text:
        this.#type(event.text);
        return;
      case InputEventType.Clipboard:
        this.#options.clipboard?.set(event.text);
        return;
      case InputEventType.NavKey:
      case InputEventType.Orientation:
        // Phone controls; a desktop display has no back button or rotation.
        this.#log.debug({ type: event.type }, 'phone control ignored by the x11 runtime');
        return;
      default:
        // Every event type has a case above: a new one fails to compile here instead of vanishing.
        event satisfies never;
    }
  }

  #key(keycode: number, down: boolean): void {
    const { xtest } = this.#options.connection;
    if (down) this.#heldKeys.add(keycode);
    else if (!this.#heldKeys.delete(keycode)) return; // a release without a press would confuse the game
    xtest.FakeInput(down ? xtest.KeyPress : xtest.KeyRelease, keycode, 0, 0, 0, 0);
  }

  #button(button: number, down: boolean): void {
    const { xtest } = this.#options.connection;
    if (down) this.#heldButtons.add(button);
    else if (!this.#heldButtons.delete(button)) return;
    xtest.FakeInput(down ? xtest.ButtonPress : xtest.ButtonRelease, button, 0, 0, 0, 0);
  }

  #moveTo(x: number, y: number): void {
    const { xtest } = this.#options.connection;
    const px = toScreenCoordinate(x, this.#options.width);
    const py = toScreenCoordinate(y, this.#options.height);
    // detail 0 = absolute root coordinates; window 0 = the pointer's screen
    xtest.FakeInput(xtest.MotionNotify, 0, 0, 0, px, py);
  }

  #wheel(dx: number, dy: number): void {
    const step = this.#options.wheelPixelsPerStep ?? 100;
    this.#wheelX += dx;
    this.#wheelY += dy;
    const clicks = (total: number): number => Math.trunc(total / step);
    const stepsY = Math.max(-MAX_WHEEL_STEPS, Math.min(MAX_WHEEL_STEPS, clicks(this.#wheelY)));
    const stepsX = Math.max(-MAX_WHEEL_STEPS, Math.min(MAX_WHEEL_STEPS, clicks(this.#wheelX)));
    this.#wheelY -= clicks(this.#wheelY) * step;
    this.#wheelX -= clicks(this.#wheelX) * step;
    // Browser deltas are positive for down/right: X buttons 5 (down) and 7 (right).
    for (let i = 0; i < Math.abs(stepsY); i++) this.#click(stepsY > 0 ? WHEEL_DOWN : WHEEL_UP);
    for (let i = 0; i < Math.abs(stepsX); i++) this.#click(stepsX > 0 ? WHEEL_RIGHT : WHEEL_LEFT);
  }

  #click(button: number): void {
    const { xtest } = this.#options.connection;
    xtest.FakeInput(xtest.ButtonPress, button, 0, 0, 0, 0);
    xtest.FakeInput(xtest.ButtonRelease, button, 0, 0, 0, 0);
  }

  #type(text: string): void {
    const { connection, keyboard } = this.#options;
    const { xtest } = connection;
    let typed = 0;
    for (const character of text) {
      if (++typed > MAX_TYPED_CHARACTERS) break;
      const keysym = keysymForCodePoint(character.codePointAt(0) as number);
      const location = keyboard.locate(keysym);
      let keycode = location?.keycode ?? this.#borrowed.get(keysym);
      const shift = location?.shift === true ? keyboard.shiftKeycode : undefined;
      if (keycode === undefined) {
        keycode = this.#borrow(keysym);
        if (keycode === undefined) continue;
      }
      if (shift !== undefined) xtest.FakeInput(xtest.KeyPress, shift, 0, 0, 0, 0);
      xtest.FakeInput(xtest.KeyPress, keycode, 0, 0, 0, 0);
      xtest.FakeInput(xtest.KeyRelease, keycode, 0, 0, 0, 0);
      if (shift !== undefined) xtest.FakeInput(xtest.KeyRelease, shift, 0, 0, 0, 0);
    }
  }

  /**
   * Maps a spare keycode to `keysym` (round robin over a few spare keycodes).
   * Clients get MappingNotify before the key event that follows, so they type
   * the new symbol.
   */
  #borrow(keysym: number): number | undefined {
    const keycode = this.#spare.shift();
    if (keycode === undefined) {
      this.#log.debug({ keysym }, 'no spare keycode to type this character');
      return undefined;
    }
    this.#spare.push(keycode);
    for (const [sym, code] of this.#borrowed) if (code === keycode) this.#borrowed.delete(sym);
    this.#borrowed.set(keysym, keycode);
    this.#options.connection.client.ChangeKeyboardMapping(keycode, 2, [keysym, keysym]);
    return keycode;
  }

  #gamepad(event: GamepadEvent): void {
    const open = this.#options.openGamepads;
    if (!open) return;
    this.#gamepads ??= open().catch((error: unknown) => {
      // Once per session: every later pad event would fail the same way.
      this.#log.warn(
        { code: isFramewayError(error) ? error.code : undefined, err: error },
        'gamepad input unavailable on this node; dropping pad events',
      );
      return undefined;
    });
    void this.#gamepads.then((injector) => {
      if (!this.#closed) injector?.apply(event);
    });
  }
}
