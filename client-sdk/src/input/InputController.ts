import {
  clampInt16,
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
import { isEditableTarget, keyboardEventToInput } from './keyboardEventToInput.js';
import {
  mapClientToVideo,
  parseObjectFit,
  parseObjectPosition,
  type Rect,
  type VideoGeometry,
  type VideoPoint,
} from './mapClientToVideo.js';
import type { GamepadLike } from './mapStandardGamepad.js';
import { buttonBit, buttonsInMask, pointerButtons } from './pointerButtons.js';
import { splitUtf8 } from './splitUtf8.js';
import { TouchTracker } from './TouchTracker.js';
import { wheelEventToInput } from './wheelEventToInput.js';

/** The element input is captured on: a `<video>` in the browser, a fake in tests. */
export interface InputTarget extends EventTarget {
  getBoundingClientRect(): Rect;
  readonly videoWidth?: number;
  readonly videoHeight?: number;
  readonly ownerDocument?: { readonly pointerLockElement?: unknown } | null;
  setPointerCapture?(pointerId: number): void;
  requestPointerLock?(options?: { unadjustedMovement?: boolean }): unknown;
}

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

const CENTRE = 0x8000;
/** How long the paste shortcut's key-down waits for the browser's paste event. */
const PASTE_WAIT_MS = 100;

/**
 * Captures keyboard, pointer, wheel, touch and gamepad input and sends it as
 * protocol input events: key, button, touch and pad edges on the reliable
 * channel, pointer and touch motion (coalesced to at most one message per
 * frame after a leading send) on the motion channel. Keys, buttons and
 * touches held when capture stops are released. Text, clipboard, phone
 * navigation keys and orientation go out through their own methods.
 */
export class InputController {
  /** Physical gamepads: `pads`, and `connected` / `disconnected` events for the page. */
  readonly gamepads: GamepadPoller;
  readonly #sink: InputSink;
  readonly #pointerLock: boolean;
  readonly #ignoredCodes: ReadonlySet<string>;
  readonly #keyboardTarget: EventTarget | undefined;
  readonly #requestFrame: (callback: () => void) => void;
  readonly #touchMode: 'touch' | 'mouse';
  readonly #readGamepads: boolean;
  readonly #clipboard: boolean;
  readonly #clipboardApi: { readText(): Promise<string> } | undefined;
  readonly #onError: (error: FramewayError) => void;
  readonly #heldKeys = new Set<number>();
  readonly #touches = new TouchTracker();
  readonly #pendingTouches = new Map<number, { x: number; y: number; pressure: number }>();
  readonly #reservedPads = new Set<number>();
  #pendingPaste: { event: InputEvent; timer: ReturnType<typeof setTimeout> } | undefined;
  #target: InputTarget | undefined;
  #heldButtons = 0;
  #ignoredButtons = 0;
  #lastPoint: VideoPoint | undefined;
  #lastSentMove: { x: number; y: number } | undefined;
  #pendingClient: { x: number; y: number } | undefined;
  #pendingDelta = { dx: 0, dy: 0 };
  #frameScheduled = false;
  #closed = false;

  constructor(sink: InputSink, options: InputControllerOptions = {}) {
    this.#sink = sink;
    this.#pointerLock = options.pointerLock ?? false;
    this.#ignoredCodes = new Set(options.ignoredCodes ?? []);
    this.#keyboardTarget = options.keyboardTarget ?? (globalThis as { window?: EventTarget }).window;
    this.#requestFrame = options.requestFrame ?? defaultRequestFrame;
    this.#touchMode = options.touch ?? 'touch';
    this.#readGamepads = options.gamepads ?? true;
    this.#clipboard = options.clipboard ?? true;
    this.#clipboardApi = options.clipboardApi;
    this.#onError = options.onError ?? (() => undefined);
    this.gamepads = new GamepadPoller({
      send: (events) => this.send(events),
      requestFrame: this.#requestFrame,
      isReserved: (pad) => this.#reservedPads.has(pad),
      ...(options.gamepadDeadzone === undefined ? {} : { deadzone: options.gamepadDeadzone }),
      ...(options.getGamepads ? { getGamepads: options.getGamepads } : {}),
      ...(this.#keyboardTarget ? { events: this.#keyboardTarget } : {}),
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
    const keyboard = this.#keyboardTarget;
    keyboard?.addEventListener('keydown', this.#onKey, { capture: true });
    keyboard?.addEventListener('keyup', this.#onKey, { capture: true });
    keyboard?.addEventListener('blur', this.#onBlur);
    if (this.#clipboard) keyboard?.addEventListener('paste', this.#onPaste);
    target.addEventListener('pointerdown', this.#onPointerButton);
    target.addEventListener('pointerup', this.#onPointerButton);
    target.addEventListener('pointercancel', this.#onPointerButton);
    target.addEventListener('pointermove', this.#onPointerMove);
    target.addEventListener('wheel', this.#onWheel, { passive: false });
    target.addEventListener('contextmenu', this.#preventDefault);
    target.addEventListener('click', this.#onClick);
    if (this.#readGamepads) this.gamepads.start();
  }

  /** Stops capturing and releases every key, button, touch and gamepad still held. Idempotent. */
  release(): void {
    const target = this.#target;
    if (!target) return;
    this.#flushPaste();
    this.#releaseHeld();
    this.gamepads.stop();
    this.#target = undefined;
    const keyboard = this.#keyboardTarget;
    keyboard?.removeEventListener('keydown', this.#onKey, { capture: true });
    keyboard?.removeEventListener('keyup', this.#onKey, { capture: true });
    keyboard?.removeEventListener('blur', this.#onBlur);
    keyboard?.removeEventListener('paste', this.#onPaste);
    target.removeEventListener('pointerdown', this.#onPointerButton);
    target.removeEventListener('pointerup', this.#onPointerButton);
    target.removeEventListener('pointercancel', this.#onPointerButton);
    target.removeEventListener('pointermove', this.#onPointerMove);
    target.removeEventListener('wheel', this.#onWheel);
    target.removeEventListener('contextmenu', this.#preventDefault);
    target.removeEventListener('click', this.#onClick);
    this.#pendingClient = undefined;
    this.#pendingDelta = { dx: 0, dy: 0 };
    this.#pendingTouches.clear();
    this.#lastSentMove = undefined;
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
    this.#pendingTouches.clear();
    const cancelled = this.#touches.cancelAll();
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

  readonly #onKey = (event: Event): void => {
    const key = event as KeyboardEvent;
    if (this.#ignoredCodes.has(key.code) || isEditableTarget(key.target)) return;
    const input = keyboardEventToInput(key);
    if (!input) return;
    const paste = this.#clipboard && input.type === InputEventType.KeyDown && isPasteShortcut(key);
    // Captured keys never reach the page: no scrolling on Space or arrows, no Tab focus moves.
    // The paste shortcut is the exception: the browser fires 'paste' (with the clipboard) only if it goes through.
    if (!paste) key.preventDefault();
    if (input.type === InputEventType.KeyDown) {
      if (key.repeat || this.#heldKeys.has(input.usage)) return;
      this.#heldKeys.add(input.usage);
    } else if (!this.#heldKeys.delete(input.usage)) {
      return;
    }
    this.#flushPaste();
    if (paste) {
      this.#pendingPaste = { event: input, timer: setTimeout(() => this.#flushPaste(), PASTE_WAIT_MS) };
      return;
    }
    this.send([input]);
  };

  readonly #onPaste = (event: Event): void => {
    if (!this.#target || isEditableTarget(event.target)) return;
    const text = (event as ClipboardEvent).clipboardData?.getData('text/plain') ?? '';
    event.preventDefault();
    const events: InputEvent[] = [];
    if (text !== '') events.push({ type: InputEventType.Clipboard, text });
    const pending = this.#takePendingPaste();
    if (pending) events.push(pending);
    if (events.length === 0) return;
    try {
      this.send(events);
    } catch (error) {
      // Too large to send: the shortcut still reaches the game, with the clipboard it had.
      if (error instanceof FramewayError) this.#onError(error);
      if (pending) this.send([pending]);
    }
  };

  readonly #onBlur = (): void => {
    this.#flushPaste();
    this.#releaseHeld();
  };

  readonly #onPointerMove = (event: Event): void => {
    const pointer = event as PointerEvent;
    if (this.#isTouch(pointer)) {
      if (this.#touches.idOf(pointer.pointerId) === undefined) return;
      this.#pendingTouches.set(pointer.pointerId, {
        x: pointer.clientX,
        y: pointer.clientY,
        pressure: pointer.pressure,
      });
      this.#scheduleMotion();
      return;
    }
    if (pointer.isPrimary === false) return;
    if (this.#isLocked()) {
      this.#pendingDelta.dx += pointer.movementX || 0;
      this.#pendingDelta.dy += pointer.movementY || 0;
    } else {
      this.#pendingClient = { x: pointer.clientX, y: pointer.clientY };
    }
    // A second button pressed while one is held arrives as a pointermove, not a pointerdown.
    if (pointer.button !== undefined && pointer.button >= 0) this.#updateButtons(pointer);
    this.#scheduleMotion();
  };

  readonly #onPointerButton = (event: Event): void => {
    const pointer = event as PointerEvent;
    if (this.#isTouch(pointer)) {
      this.#onTouch(pointer);
      return;
    }
    if (pointer.isPrimary === false) return;
    if (!this.#isLocked()) this.#pendingClient = { x: pointer.clientX, y: pointer.clientY };
    this.#updateButtons(pointer);
  };

  readonly #onWheel = (event: Event): void => {
    const input = wheelEventToInput(event as WheelEvent);
    event.preventDefault();
    if (input) this.send([input]);
  };

  readonly #onClick = (): void => {
    const target = this.#target;
    if (!this.#pointerLock || !target?.requestPointerLock || this.#isLocked()) return;
    // Raw (unaccelerated) motion where the browser offers it, plain pointer lock otherwise.
    lockPointer(target, true).catch(() => lockPointer(target, false).catch(() => undefined));
  };

  readonly #preventDefault = (event: Event): void => {
    event.preventDefault();
  };

  readonly #onFrame = (): void => {
    this.#frameScheduled = false;
    if (
      this.#pendingClient ||
      this.#pendingDelta.dx !== 0 ||
      this.#pendingDelta.dy !== 0 ||
      this.#pendingTouches.size > 0
    ) {
      this.#scheduleMotion();
    }
  };

  #isTouch(pointer: PointerEvent): boolean {
    return pointer.pointerType === 'touch' && this.#touchMode === 'touch';
  }

  #onTouch(pointer: PointerEvent): void {
    const id = pointer.pointerId;
    let event: InputEvent | undefined;
    if (pointer.type === 'pointerdown') {
      const point = this.#map({ x: pointer.clientX, y: pointer.clientY });
      event = point && this.#touches.down(id, point, pointer.pressure);
      if (event) pointer.preventDefault();
    } else {
      // The lift carries the final position; a move still waiting for the frame would only arrive after it.
      this.#pendingTouches.delete(id);
      if (pointer.type === 'pointercancel') {
        event = this.#touches.cancel(id);
      } else {
        const point = this.#map({ x: pointer.clientX, y: pointer.clientY });
        event = point ? this.#touches.up(id, point) : this.#touches.cancel(id);
      }
    }
    if (event) this.send([event]);
  }

  /** Sends motion now unless a send already happened this frame; then it waits for the next frame. */
  #scheduleMotion(): void {
    if (this.#frameScheduled || !this.#target) return;
    this.#flushMotion();
    this.#frameScheduled = true;
    this.#requestFrame(this.#onFrame);
  }

  #flushMotion(): void {
    if (this.#pendingTouches.size > 0) {
      const moves: InputEvent[] = [];
      for (const [pointerId, touch] of this.#pendingTouches) {
        const point = this.#map(touch);
        const move = point && this.#touches.move(pointerId, point, touch.pressure);
        if (move) moves.push(move);
      }
      this.#pendingTouches.clear();
      if (moves.length > 0) this.send(moves);
    }
    const { dx, dy } = this.#pendingDelta;
    if (dx !== 0 || dy !== 0) {
      this.#pendingDelta = { dx: 0, dy: 0 };
      this.send([{ type: InputEventType.PointerDelta, dx: clampInt16(dx), dy: clampInt16(dy) }]);
    }
    const client = this.#pendingClient;
    if (!client) return;
    this.#pendingClient = undefined;
    const point = this.#map(client);
    if (!point) return;
    this.#lastPoint = point;
    const last = this.#lastSentMove;
    if (last && last.x === point.x && last.y === point.y) return;
    this.#lastSentMove = { x: point.x, y: point.y };
    this.send([{ type: InputEventType.PointerMove, x: point.x, y: point.y }]);
  }

  #updateButtons(pointer: PointerEvent): void {
    const target = this.#target;
    if (!target) return;
    const mask = pointer.type === 'pointercancel' ? 0 : pointer.buttons;
    const known = this.#heldButtons | this.#ignoredButtons;
    const { down, up } = pointerButtons(known, mask);
    if (down.length === 0 && up.length === 0) return;
    // Motion first, so the press lands where the pointer is; this also maps the press position.
    this.#flushMotion();
    const locked = this.#isLocked();
    const point = this.#lastPoint;
    const x = point?.x ?? CENTRE;
    const y = point?.y ?? CENTRE;
    const events: InputEvent[] = [];
    for (const button of up) {
      const bit = buttonBit(button);
      if (this.#ignoredButtons & bit) {
        this.#ignoredButtons &= ~bit;
        continue;
      }
      this.#heldButtons &= ~bit;
      events.push({ type: InputEventType.PointerUp, button, x, y });
    }
    for (const button of down) {
      const bit = buttonBit(button);
      // A press on the letterbox bars is not a press in the game.
      if (!locked && !point?.inside) {
        this.#ignoredButtons |= bit;
        continue;
      }
      this.#heldButtons |= bit;
      events.push({ type: InputEventType.PointerDown, button, x, y });
    }
    if (pointer.type === 'pointerdown' && events.length > 0) {
      pointer.preventDefault();
      try {
        target.setPointerCapture?.(pointer.pointerId);
      } catch {
        // Capture is a nicety: without it a release outside the element arrives on the next press.
      }
    }
    if (events.length > 0) this.send(events);
  }

  #takePendingPaste(): InputEvent | undefined {
    const pending = this.#pendingPaste;
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.#pendingPaste = undefined;
    return pending.event;
  }

  /** Sends a paste shortcut still waiting for its paste event. */
  #flushPaste(): void {
    const pending = this.#takePendingPaste();
    if (pending) this.send([pending]);
  }

  #releaseHeld(): void {
    const events: InputEvent[] = [...this.#touches.cancelAll()];
    this.#pendingTouches.clear();
    for (const usage of this.#heldKeys) events.push({ type: InputEventType.KeyUp, usage, modifiers: 0 });
    this.#heldKeys.clear();
    const x = this.#lastPoint?.x ?? CENTRE;
    const y = this.#lastPoint?.y ?? CENTRE;
    for (const button of buttonsInMask(this.#heldButtons))
      events.push({ type: InputEventType.PointerUp, button, x, y });
    this.#heldButtons = 0;
    this.#ignoredButtons = 0;
    if (events.length > 0) this.send(events);
  }

  #isLocked(): boolean {
    const target = this.#target;
    return target !== undefined && target.ownerDocument?.pointerLockElement === target;
  }

  #map(client: { x: number; y: number }): VideoPoint | undefined {
    const target = this.#target;
    return target ? mapClientToVideo(client.x, client.y, readGeometry(target)) : undefined;
  }
}

function readGeometry(target: InputTarget): VideoGeometry {
  const geometry: VideoGeometry = {
    element: target.getBoundingClientRect(),
    video: { width: target.videoWidth ?? 0, height: target.videoHeight ?? 0 },
  };
  const computed = (globalThis as { getComputedStyle?: (element: unknown) => CSSStyleDeclaration }).getComputedStyle;
  if (!computed) return geometry;
  try {
    const style = computed(target);
    geometry.fit = parseObjectFit(style.objectFit);
    geometry.position = parseObjectPosition(style.objectPosition);
  } catch {
    // Not an element (a fake target): the <video> defaults, contain and centred, apply.
  }
  return geometry;
}

/** Ctrl+V (Cmd+V on macOS) and Shift+Insert: the keys that make the browser fire 'paste'. */
export function isPasteShortcut(event: {
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): boolean {
  if (event.code === 'KeyV') return (event.ctrlKey || event.metaKey) && !event.altKey;
  return event.code === 'Insert' && event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey;
}

function lockPointer(target: InputTarget, unadjustedMovement: boolean): Promise<unknown> {
  try {
    return Promise.resolve(target.requestPointerLock?.(unadjustedMovement ? { unadjustedMovement } : undefined));
  } catch (error) {
    return Promise.reject(error);
  }
}

function defaultRequestFrame(callback: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => unknown }).requestAnimationFrame;
  if (raf) raf(callback);
  else setTimeout(callback, 16);
}
