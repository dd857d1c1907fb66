import {
  clampInt16,
  encodeInputEvents,
  type InputEvent,
  InputEventType,
  isReliableInputEvent,
  MAX_EVENTS_PER_MESSAGE,
} from '@frameway/protocol';
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
import { buttonBit, buttonsInMask, pointerButtons } from './pointerButtons.js';
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
}

const CENTRE = 0x8000;

/**
 * Captures keyboard, pointer and wheel input and sends it as protocol input
 * events: key and button edges on the reliable channel, pointer motion
 * (coalesced to at most one message per frame after a leading send) on the
 * motion channel. Keys and buttons held when capture stops are released.
 */
export class InputController {
  readonly #sink: InputSink;
  readonly #pointerLock: boolean;
  readonly #ignoredCodes: ReadonlySet<string>;
  readonly #keyboardTarget: EventTarget | undefined;
  readonly #requestFrame: (callback: () => void) => void;
  readonly #heldKeys = new Set<number>();
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
    target.addEventListener('pointerdown', this.#onPointerButton);
    target.addEventListener('pointerup', this.#onPointerButton);
    target.addEventListener('pointercancel', this.#onPointerButton);
    target.addEventListener('pointermove', this.#onPointerMove);
    target.addEventListener('wheel', this.#onWheel, { passive: false });
    target.addEventListener('contextmenu', this.#preventDefault);
    target.addEventListener('click', this.#onClick);
  }

  /** Stops capturing and releases every key and button still held. Idempotent. */
  release(): void {
    const target = this.#target;
    if (!target) return;
    this.#releaseHeld();
    this.#target = undefined;
    const keyboard = this.#keyboardTarget;
    keyboard?.removeEventListener('keydown', this.#onKey, { capture: true });
    keyboard?.removeEventListener('keyup', this.#onKey, { capture: true });
    keyboard?.removeEventListener('blur', this.#onBlur);
    target.removeEventListener('pointerdown', this.#onPointerButton);
    target.removeEventListener('pointerup', this.#onPointerButton);
    target.removeEventListener('pointercancel', this.#onPointerButton);
    target.removeEventListener('pointermove', this.#onPointerMove);
    target.removeEventListener('wheel', this.#onWheel);
    target.removeEventListener('contextmenu', this.#preventDefault);
    target.removeEventListener('click', this.#onClick);
    this.#pendingClient = undefined;
    this.#pendingDelta = { dx: 0, dy: 0 };
    this.#lastSentMove = undefined;
  }

  /** Releases and stops for good; later `capture()` and `send()` calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.release();
    this.#closed = true;
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
    // Captured keys never reach the page: no scrolling on Space or arrows, no Tab focus moves.
    key.preventDefault();
    if (input.type === InputEventType.KeyDown) {
      if (key.repeat || this.#heldKeys.has(input.usage)) return;
      this.#heldKeys.add(input.usage);
    } else if (!this.#heldKeys.delete(input.usage)) {
      return;
    }
    this.send([input]);
  };

  readonly #onBlur = (): void => {
    this.#releaseHeld();
  };

  readonly #onPointerMove = (event: Event): void => {
    const pointer = event as PointerEvent;
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
    if (this.#pendingClient || this.#pendingDelta.dx !== 0 || this.#pendingDelta.dy !== 0) this.#scheduleMotion();
  };

  /** Sends motion now unless a send already happened this frame; then it waits for the next frame. */
  #scheduleMotion(): void {
    if (this.#frameScheduled || !this.#target) return;
    this.#flushMotion();
    this.#frameScheduled = true;
    this.#requestFrame(this.#onFrame);
  }

  #flushMotion(): void {
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

  #releaseHeld(): void {
    const events: InputEvent[] = [];
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
