import {
  encodeInputEvents,
  FramewayError,
  hidUsageFromCode,
  type InputEvent,
  InputEventType,
  isReliableInputEvent,
  MAX_EVENTS_PER_MESSAGE,
  MAX_TEXT_BYTES,
  type NavKey,
  type Orientation,
} from '@frameway/protocol';
import { GamepadPoller } from './GamepadPoller.js';
import type { InputSink } from './InputChannels.js';
import type { InputTarget } from './InputTarget.js';
import { KeyboardCapture } from './KeyboardCapture.js';
import type { GamepadLike } from './mapStandardGamepad.js';
import { PointerCapture } from './PointerCapture.js';
import { splitUtf8 } from './splitUtf8.js';

export type { InputTarget } from './InputTarget.js';
export { isPasteShortcut } from './KeyboardCapture.js';

export interface InputControllerOptions {
  /** Lock the pointer on a click of the target and send relative motion (games with mouse look). */
  pointerLock?: boolean;
  /** `KeyboardEvent.code`s left to the page (not sent, not prevented), e.g. a hotkey of the page. */
  ignoredCodes?: readonly string[];
  /** Where key events are listened for; the window, so keys work without clicking the video. */
  keyboardTarget?: EventTarget;
  /** Schedules the pointer-motion flush; `requestAnimationFrame` in browsers. */
  requestFrame?: (callback: () => void) => void;
  /**
   * What a finger on the element is: `'touch'` (default) sends touch events,
   * up to 10 fingers; `'mouse'` plays the first finger as the mouse, for games
   * that only know a mouse.
   */
  touch?: 'touch' | 'mouse';
  /** Read physical gamepads (Gamepad API) while capturing. Default true. */
  gamepads?: boolean;
  /** Stick dead zone, 0..1 of full travel. Default 0.05. */
  gamepadDeadzone?: number;
  /** `navigator.getGamepads` in browsers. */
  getGamepads?: () => readonly (GamepadLike | null)[];
  /**
   * Send the player's clipboard with the paste shortcut (Ctrl/Cmd+V,
   * Shift+Insert): the key waits for the browser's paste event so the
   * clipboard arrives first. Default true.
   */
  clipboard?: boolean;
  /** `navigator.clipboard` in browsers, for `pasteFromClipboard()`. */
  clipboardApi?: { readText(): Promise<string> };
  /** Problems that do not stop input (a paste too large to send). */
  onError?: (error: FramewayError) => void;
}

/**
 * Captures keyboard, pointer, wheel, touch and gamepad input and sends it as
 * protocol input events: key, button, touch and pad edges on the reliable
 * channel, pointer and touch motion (coalesced to at most one message per
 * frame after a leading send) on the motion channel. Keys, buttons and
 * touches held when capture stops are released. Text, clipboard, phone
 * navigation keys and orientation go out through their own methods.
 * Keys live in KeyboardCapture, pointer and touch in PointerCapture.
 */
export class InputController {
  /** Physical gamepads: `pads`, and `connected` / `disconnected` events for the page. */
  readonly gamepads: GamepadPoller;
  readonly #sink: InputSink;
  readonly #readGamepads: boolean;
  readonly #clipboardApi: { readText(): Promise<string> } | undefined;
  readonly #keyboard: KeyboardCapture;
  readonly #pointer: PointerCapture;
  readonly #reservedPads = new Set<number>();
  #target: InputTarget | undefined;
  #closed = false;

  constructor(sink: InputSink, options: InputControllerOptions = {}) {
    this.#sink = sink;
    const keyboardTarget = options.keyboardTarget ?? (globalThis as { window?: EventTarget }).window;
    const requestFrame = options.requestFrame ?? defaultRequestFrame;
    const send = (events: InputEvent[]): void => this.send(events);
    this.#readGamepads = options.gamepads ?? true;
    this.#clipboardApi = options.clipboardApi;
    this.#keyboard = new KeyboardCapture({
      target: keyboardTarget,
      ignoredCodes: new Set(options.ignoredCodes ?? []),
      clipboard: options.clipboard ?? true,
      send,
      onError: options.onError ?? (() => undefined),
      onBlur: () => {
        this.#keyboard.flushPaste();
        this.#releaseHeld();
      },
      capturing: () => this.#target !== undefined,
    });
    this.#pointer = new PointerCapture({
      send,
      requestFrame,
      touchMode: options.touch ?? 'touch',
      pointerLock: options.pointerLock ?? false,
    });
    this.gamepads = new GamepadPoller({
      send,
      requestFrame,
      isReserved: (pad) => this.#reservedPads.has(pad),
      ...(options.gamepadDeadzone === undefined ? {} : { deadzone: options.gamepadDeadzone }),
      ...(options.getGamepads ? { getGamepads: options.getGamepads } : {}),
      ...(keyboardTarget ? { events: keyboardTarget } : {}),
    });
  }

  /** The element input is captured on, if any. */
  get target(): InputTarget | undefined {
    return this.#target;
  }

  /** Starts capturing: keys on the window, pointer and wheel on `target`. Replaces an earlier target. */
  capture(target: InputTarget): void {
    if (this.#closed) return;
    this.release();
    this.#target = target;
    this.#keyboard.start();
    this.#pointer.attach(target);
    if (this.#readGamepads) this.gamepads.start();
  }

  /** Stops capturing and releases every key, button, touch and gamepad still held. Idempotent. */
  release(): void {
    if (!this.#target) return;
    this.#keyboard.flushPaste();
    this.#releaseHeld();
    this.gamepads.stop();
    this.#target = undefined;
    this.#keyboard.stop();
    this.#pointer.detach();
  }

  /** Releases and stops for good; later `capture()` and `send()` calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.release();
    this.gamepads.stop();
    this.#closed = true;
  }

  /**
   * Brings a fresh connection up to date (after a reconnect, the far end may
   * be a new node): gamepads are announced again with their state, and
   * touches in progress are cancelled (their lifts would refer to nothing).
   */
  resync(): void {
    if (this.#closed) return;
    this.gamepads.resync();
    const cancelled = this.#pointer.cancelTouches();
    if (cancelled.length > 0) this.send(cancelled);
  }

  /**
   * Types text (soft keyboard, IME commits): Text events of at most
   * MAX_TEXT_BYTES each, one per message, never split inside a character.
   */
  sendText(text: string): void {
    for (const piece of splitUtf8(text, MAX_TEXT_BYTES)) this.send([{ type: InputEventType.Text, text: piece }]);
  }

  /**
   * Sets the far end's clipboard. Throws FW_ERR_INPUT_TOO_LARGE above
   * MAX_TEXT_BYTES of UTF-8: half a clipboard would be worse than none.
   */
  sendClipboard(text: string): void {
    this.send([{ type: InputEventType.Clipboard, text }]);
  }

  /**
   * Reads the player's clipboard (asks for permission where the browser does)
   * and sends it. Rejects with FW_ERR_FORBIDDEN when reading is not allowed,
   * FW_ERR_INPUT_TOO_LARGE when it is too large to send.
   */
  async pasteFromClipboard(): Promise<string> {
    const api =
      this.#clipboardApi ??
      (globalThis as { navigator?: { clipboard?: { readText?: () => Promise<string> } } }).navigator?.clipboard;
    if (typeof api?.readText !== 'function') {
      throw new FramewayError('FW_ERR_FORBIDDEN', 'this browser does not let pages read the clipboard');
    }
    let text: string;
    try {
      text = await api.readText();
    } catch (cause) {
      throw new FramewayError('FW_ERR_FORBIDDEN', 'reading the clipboard was not permitted', undefined, { cause });
    }
    this.sendClipboard(text);
    return text;
  }

  /** Presses (`down` true), releases (false) or taps (omitted) a phone navigation key. */
  navKey(key: NavKey, down?: boolean): void {
    if (down === undefined) {
      this.send([
        { type: InputEventType.NavKey, key, down: true },
        { type: InputEventType.NavKey, key, down: false },
      ]);
    } else {
      this.send([{ type: InputEventType.NavKey, key, down }]);
    }
  }

  /** Taps a key by its `KeyboardEvent.code` (e.g. `'Backspace'`); unknown codes throw FW_ERR_INPUT_MALFORMED. */
  tapKey(code: string, modifiers = 0): void {
    const usage = hidUsageFromCode(code);
    if (usage === undefined) throw new FramewayError('FW_ERR_INPUT_MALFORMED', `no key with code ${code}`);
    this.send([
      { type: InputEventType.KeyDown, usage, modifiers },
      { type: InputEventType.KeyUp, usage, modifiers },
    ]);
  }

  /** Asks a cloud phone to rotate its display. */
  setOrientation(orientation: Orientation): void {
    this.send([{ type: InputEventType.Orientation, orientation }]);
  }

  /**
   * Holds a gamepad slot for a virtual pad, so physical pads that connect
   * later take other slots. Returns the release function.
   */
  reserveGamepad(pad: number): () => void {
    this.#reservedPads.add(pad);
    return () => this.#reservedPads.delete(pad);
  }

  /**
   * Sends events as they are, split by channel (motion unreliable, the rest
   * reliable) and into messages of at most MAX_EVENTS_PER_MESSAGE.
   * Throws FW_ERR_INPUT_MALFORMED for out-of-range fields.
   */
  send(events: readonly InputEvent[]): void {
    if (this.#closed) return;
    const reliable = events.filter(isReliableInputEvent);
    const motion = events.filter((event) => !isReliableInputEvent(event));
    const messages: [Uint8Array, boolean][] = [];
    for (const [list, isReliable] of [
      [motion, false],
      [reliable, true],
    ] as const) {
      for (let i = 0; i < list.length; i += MAX_EVENTS_PER_MESSAGE) {
        messages.push([encodeInputEvents(list.slice(i, i + MAX_EVENTS_PER_MESSAGE)), isReliable]);
      }
    }
    // Encode everything first so a bad event sends nothing.
    for (const [bytes, isReliable] of messages) this.#sink.send(bytes, isReliable);
  }

  #releaseHeld(): void {
    const events = [
      ...this.#pointer.cancelTouches(),
      ...this.#keyboard.releaseKeys(),
      ...this.#pointer.releaseButtons(),
    ];
    if (events.length > 0) this.send(events);
  }
}

function defaultRequestFrame(callback: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => unknown }).requestAnimationFrame;
  if (raf) raf(callback);
  else setTimeout(callback, 16);
}
