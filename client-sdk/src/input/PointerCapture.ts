import { clampInt16, type InputEvent, InputEventType } from '@frameway/protocol';
import type { InputTarget } from './InputTarget.js';
import {
  mapClientToVideo,
  parseObjectFit,
  parseObjectPosition,
  type VideoGeometry,
  type VideoPoint,
} from './mapClientToVideo.js';
import { buttonBit, buttonsInMask, pointerButtons } from './pointerButtons.js';
import { TouchTracker } from './TouchTracker.js';
import { wheelEventToInput } from './wheelEventToInput.js';

const CENTRE = 0x8000;

export interface PointerCaptureOptions {
  send: (events: InputEvent[]) => void;
  /** Schedules the pointer-motion flush; `requestAnimationFrame` in browsers. */
  requestFrame: (callback: () => void) => void;
  /** Fingers as touch events, or the first finger as the mouse. */
  touchMode: 'touch' | 'mouse';
  /** Lock the pointer on a click and send relative motion. */
  pointerLock: boolean;
}

/**
 * Pointer, touch and wheel on the captured element: positions mapped into
 * the video picture, presses on the letterbox bars ignored, and motion
 * coalesced to at most one message per frame after a leading send.
 */
export class PointerCapture {
  readonly #options: PointerCaptureOptions;
  readonly #touches = new TouchTracker();
  readonly #pendingTouches = new Map<number, { x: number; y: number; pressure: number }>();
  #target: InputTarget | undefined;
  #heldButtons = 0;
  #ignoredButtons = 0;
  #lastPoint: VideoPoint | undefined;
  #lastSentMove: { x: number; y: number } | undefined;
  #pendingClient: { x: number; y: number } | undefined;
  #pendingDelta = { dx: 0, dy: 0 };
  #frameScheduled = false;

  constructor(options: PointerCaptureOptions) {
    this.#options = options;
  }

  attach(target: InputTarget): void {
    this.#target = target;
    target.addEventListener('pointerdown', this.#onPointerButton);
    target.addEventListener('pointerup', this.#onPointerButton);
    target.addEventListener('pointercancel', this.#onPointerButton);
    target.addEventListener('pointermove', this.#onPointerMove);
    target.addEventListener('wheel', this.#onWheel, { passive: false });
    target.addEventListener('contextmenu', this.#preventDefault);
    target.addEventListener('click', this.#onClick);
  }

  /** Stops listening and forgets motion not sent yet (held buttons and touches are released first by the owner). */
  detach(): void {
    const target = this.#target;
    if (!target) return;
    this.#target = undefined;
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

  /** Cancels every touch in progress (and motion waiting for them); returns the cancel events. */
  cancelTouches(): InputEvent[] {
    this.#pendingTouches.clear();
    return this.#touches.cancelAll();
  }

  /** Releases every pointer button held, at the last position; returns the release events. */
  releaseButtons(): InputEvent[] {
    const x = this.#lastPoint?.x ?? CENTRE;
    const y = this.#lastPoint?.y ?? CENTRE;
    const events: InputEvent[] = buttonsInMask(this.#heldButtons).map((button) => ({
      type: InputEventType.PointerUp,
      button,
      x,
      y,
    }));
    this.#heldButtons = 0;
    this.#ignoredButtons = 0;
    return events;
  }

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
    if (input) this.#options.send([input]);
  };

  readonly #onClick = (): void => {
    const target = this.#target;
    if (!this.#options.pointerLock || !target?.requestPointerLock || this.#isLocked()) return;
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
    return pointer.pointerType === 'touch' && this.#options.touchMode === 'touch';
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
    if (event) this.#options.send([event]);
  }

  /** Sends motion now unless a send already happened this frame; then it waits for the next frame. */
  #scheduleMotion(): void {
    if (this.#frameScheduled || !this.#target) return;
    this.#flushMotion();
    this.#frameScheduled = true;
    this.#options.requestFrame(this.#onFrame);
  }

  #flushMotion(): void {
    const send = this.#options.send;
    if (this.#pendingTouches.size > 0) {
      const moves: InputEvent[] = [];
      for (const [pointerId, touch] of this.#pendingTouches) {
        const point = this.#map(touch);
        const move = point && this.#touches.move(pointerId, point, touch.pressure);
        if (move) moves.push(move);
      }
      this.#pendingTouches.clear();
      if (moves.length > 0) send(moves);
    }
    const { dx, dy } = this.#pendingDelta;
    if (dx !== 0 || dy !== 0) {
      this.#pendingDelta = { dx: 0, dy: 0 };
      send([{ type: InputEventType.PointerDelta, dx: clampInt16(dx), dy: clampInt16(dy) }]);
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
    send([{ type: InputEventType.PointerMove, x: point.x, y: point.y }]);
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
    if (events.length > 0) this.#options.send(events);
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
