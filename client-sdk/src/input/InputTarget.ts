import type { Rect } from './mapClientToVideo.js';

/** The element input is captured on: a `<video>` in the browser, a fake in tests. */
export interface InputTarget extends EventTarget {
  getBoundingClientRect(): Rect;
  readonly videoWidth?: number;
  readonly videoHeight?: number;
  readonly ownerDocument?: { readonly pointerLockElement?: unknown } | null;
  setPointerCapture?(pointerId: number): void;
  requestPointerLock?(options?: { unadjustedMovement?: boolean }): unknown;
}
