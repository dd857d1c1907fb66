import { clampInt16, type InputEvent, InputEventType } from '@frameway/protocol';

/** The fields of a `WheelEvent` the SDK reads. */
export interface WheelEventLike {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
}

/** Pixels per line and per page for wheels that report in lines or pages (Firefox, some mice). */
export const WHEEL_LINE_PX = 40;
export const WHEEL_PAGE_PX = 800;

/**
 * The Wheel event for a browser `wheel`: deltas in pixels (positive = right/down,
 * as the browser reports them), clamped to i16. Undefined when nothing moved.
 */
export function wheelEventToInput(event: WheelEventLike): InputEvent | undefined {
  const scale = event.deltaMode === 1 ? WHEEL_LINE_PX : event.deltaMode === 2 ? WHEEL_PAGE_PX : 1;
  const dx = clampInt16(finite(event.deltaX) * scale);
  const dy = clampInt16(finite(event.deltaY) * scale);
  if (dx === 0 && dy === 0) return undefined;
  return { type: InputEventType.Wheel, dx: dx === 0 ? 0 : dx, dy: dy === 0 ? 0 : dy };
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
