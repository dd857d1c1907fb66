import { type InputEvent, InputEventType, MAX_TOUCH_POINTS } from '@frameway/protocol';
import type { VideoPoint } from './mapClientToVideo.js';

type TouchPointEvent = Extract<InputEvent, { id: number; x: number }>;
type TouchCancelEvent = Extract<InputEvent, { type: typeof InputEventType.TouchCancel }>;

/**
 * Multitouch bookkeeping: browser pointer ids become protocol touch ids
 * 0..MAX_TOUCH_POINTS-1, the lowest free one on each touch-down, freed on
 * lift so fingers reuse them. A finger beyond the tenth, or one that lands on
 * the letterbox bars, is not a touch in the game and is ignored to its lift.
 */
export class TouchTracker {
  readonly #slots = new Map<number, number>();

  /** Touches down right now. */
  get active(): number {
    return this.#slots.size;
  }

  /** The protocol id of a tracked pointer. */
  idOf(pointerId: number): number | undefined {
    return this.#slots.get(pointerId);
  }

  down(pointerId: number, point: VideoPoint, pressure: number): TouchPointEvent | undefined {
    if (this.#slots.has(pointerId) || !point.inside) return undefined;
    const id = this.#freeId();
    if (id === undefined) return undefined;
    this.#slots.set(pointerId, id);
    return { type: InputEventType.TouchDown, id, x: point.x, y: point.y, pressure: toPressure(pressure, true) };
  }

  move(pointerId: number, point: VideoPoint, pressure: number): TouchPointEvent | undefined {
    const id = this.#slots.get(pointerId);
    if (id === undefined) return undefined;
    return { type: InputEventType.TouchMove, id, x: point.x, y: point.y, pressure: toPressure(pressure, true) };
  }

  up(pointerId: number, point: VideoPoint): TouchPointEvent | undefined {
    const id = this.#slots.get(pointerId);
    if (id === undefined) return undefined;
    this.#slots.delete(pointerId);
    return { type: InputEventType.TouchUp, id, x: point.x, y: point.y, pressure: 0 };
  }

  cancel(pointerId: number): TouchCancelEvent | undefined {
    const id = this.#slots.get(pointerId);
    if (id === undefined) return undefined;
    this.#slots.delete(pointerId);
    return { type: InputEventType.TouchCancel, id };
  }

  /** Cancels every touch (capture stops, the page loses focus, the connection is replaced). */
  cancelAll(): TouchCancelEvent[] {
    const events = [...this.#slots.values()].map((id): TouchCancelEvent => ({ type: InputEventType.TouchCancel, id }));
    this.#slots.clear();
    return events;
  }

  #freeId(): number | undefined {
    const used = new Set(this.#slots.values());
    for (let id = 0; id < MAX_TOUCH_POINTS; id++) if (!used.has(id)) return id;
    return undefined;
  }
}

/**
 * PointerEvent pressure (0..1) as the protocol's u8. Hardware without pressure
 * reports 0.5 while down (some browsers 0): a touch that is down is never 0.
 */
export function toPressure(pressure: number, down: boolean): number {
  if (!down) return 0;
  const value = Number.isFinite(pressure) ? Math.round(Math.max(0, Math.min(1, pressure)) * 255) : 0;
  return value > 0 ? value : 128;
}
