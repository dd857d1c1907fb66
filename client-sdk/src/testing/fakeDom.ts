import type { InputTarget } from '../input/InputController.js';
import type { Rect } from '../input/mapClientToVideo.js';

/** A keyboard event as the SDK reads it, dispatched on a fake window. */
export function keyEvent(
  type: 'keydown' | 'keyup',
  code: string,
  init: Partial<{
    repeat: boolean;
    shiftKey: boolean;
    ctrlKey: boolean;
    altKey: boolean;
    metaKey: boolean;
    capsLock: boolean;
    target: unknown;
  }> = {},
): Event {
  const event = new Event(type, { cancelable: true });
  Object.assign(event, {
    code,
    repeat: init.repeat ?? false,
    shiftKey: init.shiftKey ?? false,
    ctrlKey: init.ctrlKey ?? false,
    altKey: init.altKey ?? false,
    metaKey: init.metaKey ?? false,
    getModifierState: (key: string) => key === 'CapsLock' && (init.capsLock ?? false),
  });
  if (init.target !== undefined) Object.defineProperty(event, 'target', { value: init.target });
  return event;
}

/** A pointer event with the fields the SDK reads. */
export function pointerEvent(
  type: 'pointerdown' | 'pointerup' | 'pointermove' | 'pointercancel',
  init: Partial<{
    clientX: number;
    clientY: number;
    button: number;
    buttons: number;
    movementX: number;
    movementY: number;
    isPrimary: boolean;
    pointerId: number;
    pointerType: string;
    pressure: number;
  }>,
): Event {
  const event = new Event(type, { cancelable: true });
  Object.assign(event, {
    clientX: 0,
    clientY: 0,
    button: type === 'pointermove' ? -1 : 0,
    buttons: 0,
    movementX: 0,
    movementY: 0,
    isPrimary: true,
    pointerId: 1,
    pointerType: 'mouse',
    pressure: 0,
    ...init,
  });
  return event;
}

/** A finger as Pointer Events report it: pointerType 'touch', one pointerId per finger. */
export function touchEvent(
  type: 'pointerdown' | 'pointerup' | 'pointermove' | 'pointercancel',
  pointerId: number,
  clientX: number,
  clientY: number,
  pressure = type === 'pointerup' ? 0 : 0.5,
): Event {
  return pointerEvent(type, {
    pointerId,
    clientX,
    clientY,
    pressure,
    pointerType: 'touch',
    isPrimary: false,
    button: type === 'pointermove' ? -1 : 0,
    buttons: type === 'pointerup' || type === 'pointercancel' ? 0 : 1,
  });
}

/** A paste event carrying `text` as the browser's clipboard data. */
export function pasteEvent(text: string, target?: unknown): Event {
  const event = new Event('paste', { cancelable: true });
  Object.assign(event, { clipboardData: { getData: (type: string) => (type === 'text/plain' ? text : '') } });
  if (target !== undefined) Object.defineProperty(event, 'target', { value: target });
  return event;
}

export function wheelEvent(deltaX: number, deltaY: number, deltaMode = 0): Event {
  return Object.assign(new Event('wheel', { cancelable: true }), { deltaX, deltaY, deltaMode });
}

/** A `<video>` stand-in: a rectangle showing frames of a given size, optionally pointer-locked. */
export class FakeVideoTarget extends EventTarget implements InputTarget {
  rect: Rect;
  videoWidth: number;
  videoHeight: number;
  readonly ownerDocument: { pointerLockElement: unknown } = { pointerLockElement: null };
  readonly captured: number[] = [];
  lockRequests: ({ unadjustedMovement?: boolean } | undefined)[] = [];

  constructor(rect: Rect, videoWidth: number, videoHeight: number) {
    super();
    this.rect = rect;
    this.videoWidth = videoWidth;
    this.videoHeight = videoHeight;
  }

  getBoundingClientRect(): Rect {
    return this.rect;
  }

  setPointerCapture(pointerId: number): void {
    this.captured.push(pointerId);
  }

  requestPointerLock(options?: { unadjustedMovement?: boolean }): Promise<void> {
    this.lockRequests.push(options);
    this.ownerDocument.pointerLockElement = this;
    return Promise.resolve();
  }
}

/** A frame scheduler the test runs by hand. */
export function manualFrames(): {
  requestFrame: (callback: () => void) => void;
  runFrame: () => void;
  pending: () => number;
} {
  let callbacks: (() => void)[] = [];
  return {
    requestFrame: (callback) => {
      callbacks.push(callback);
    },
    runFrame: () => {
      const run = callbacks;
      callbacks = [];
      for (const callback of run) callback();
    },
    pending: () => callbacks.length,
  };
}
