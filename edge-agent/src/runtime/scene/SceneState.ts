import { HidUsageByCode, type InputEvent, InputEventType } from '@frameway/protocol';
import type { Rgb } from './colour.js';
import { MARKER_PALETTE } from './markerPalette.js';

export interface SceneStateOptions {
  width: number;
  height: number;
  /** Side of the player square in pixels; defaults to 1/15 of the height. */
  playerSize?: number;
  /** Player speed in pixels per second; defaults to 60% of the height. */
  speed?: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

const NORMALIZED_MAX = 0xffff;
const STICK_MAX = 32767;
// Stick noise at rest must not drift the player.
const STICK_DEADZONE = 0.15;
// A long stall (debugger, overloaded node) must not teleport the player.
const MAX_STEP_SECONDS = 0.25;
// Half a turn per second: smooth at 60 fps, and a frozen stream is obvious.
const SPIN_RADIANS_PER_SECOND = Math.PI;

function usage(code: string): number {
  const value = HidUsageByCode[code];
  if (value === undefined) throw new Error(`no HID usage for ${code}`);
  return value;
}

/** Direction of each movement key: arrows and WASD, by physical position. */
const DIRECTION_BY_USAGE: ReadonlyMap<number, Point> = new Map([
  [usage('ArrowUp'), { x: 0, y: -1 }],
  [usage('KeyW'), { x: 0, y: -1 }],
  [usage('ArrowDown'), { x: 0, y: 1 }],
  [usage('KeyS'), { x: 0, y: 1 }],
  [usage('ArrowLeft'), { x: -1, y: 0 }],
  [usage('KeyA'), { x: -1, y: 0 }],
  [usage('ArrowRight'), { x: 1, y: 0 }],
  [usage('KeyD'), { x: 1, y: 0 }],
]);

/**
 * The scene game's state and rules, without rendering or timers: input in
 * through applyInput(), time in through step(). The marker colour advances on
 * every press (KeyDown, PointerDown, TouchDown, a gamepad button), so a test
 * can see when input landed; fingers down are kept for the renderer to dot,
 * and the first gamepad's left stick moves the player.
 */
export class SceneState {
  readonly width: number;
  readonly height: number;
  readonly playerSize: number;
  readonly speed: number;
  #x: number;
  #y: number;
  #target: Point | undefined;
  readonly #held = new Set<number>();
  /** Fingers down, by touch id, in pixels. */
  readonly #touches = new Map<number, Point>();
  /** Gamepads by slot: last buttons (for press edges) and the left stick (y up). */
  readonly #pads = new Map<number, { buttons: number; lx: number; ly: number }>();
  #markerIndex = 0;
  #timeSec = 0;
  #eventsApplied = 0;

  constructor(options: SceneStateOptions) {
    this.width = options.width;
    this.height = options.height;
    this.playerSize = options.playerSize ?? Math.max(2, Math.round(options.height / 15));
    this.speed = options.speed ?? options.height * 0.6;
    this.#x = (this.width - this.playerSize) / 2;
    this.#y = (this.height - this.playerSize) / 2;
  }

  /** Top-left corner of the player square, in pixels. */
  get player(): Point {
    return { x: this.#x, y: this.#y };
  }

  /** Where the pointer last sent the player (its centre), if anywhere. */
  get target(): Point | undefined {
    return this.#target;
  }

  /** Fingers down now (touch id and position in pixels), drawn as dots so touches show in the picture. */
  get touches(): readonly (Point & { id: number })[] {
    return [...this.#touches].map(([id, point]) => ({ id, ...point }));
  }

  get markerIndex(): number {
    return this.#markerIndex;
  }

  get markerRgb(): Rgb {
    return MARKER_PALETTE[this.#markerIndex] as Rgb;
  }

  /** Scene time in seconds, the sum of all steps. */
  get timeSec(): number {
    return this.#timeSec;
  }

  /** Angle of the spinner, radians. */
  get spinAngle(): number {
    return (this.#timeSec * SPIN_RADIANS_PER_SECOND) % (2 * Math.PI);
  }

  get eventsApplied(): number {
    return this.#eventsApplied;
  }

  applyInput(events: readonly InputEvent[]): void {
    for (const event of events) {
      this.#eventsApplied += 1;
      switch (event.type) {
        case InputEventType.KeyDown:
          this.#advanceMarker();
          if (DIRECTION_BY_USAGE.has(event.usage)) {
            this.#held.add(event.usage);
            this.#target = undefined; // keys take over from the pointer
          }
          break;
        case InputEventType.KeyUp:
          this.#held.delete(event.usage);
          break;
        case InputEventType.PointerDown:
          this.#advanceMarker();
          this.#target = this.#toPixels(event.x, event.y);
          break;
        case InputEventType.TouchDown:
          this.#advanceMarker();
          this.#target = this.#toPixels(event.x, event.y);
          this.#touches.set(event.id, this.#target);
          break;
        case InputEventType.PointerMove:
          this.#target = this.#toPixels(event.x, event.y);
          break;
        case InputEventType.TouchMove:
          // A move of a finger that already lifted (motion is unordered) is stale.
          if (!this.#touches.has(event.id)) break;
          this.#target = this.#toPixels(event.x, event.y);
          this.#touches.set(event.id, this.#target);
          break;
        case InputEventType.TouchUp:
        case InputEventType.TouchCancel:
          this.#touches.delete(event.id);
          break;
        case InputEventType.GamepadConnect:
        case InputEventType.GamepadDisconnect:
          this.#pads.delete(event.pad);
          break;
        case InputEventType.GamepadState: {
          const previous = this.#pads.get(event.pad)?.buttons ?? 0;
          // Like a key press: any newly pressed button moves the marker on.
          if ((event.buttons & ~previous) !== 0) this.#advanceMarker();
          this.#pads.set(event.pad, { buttons: event.buttons, lx: event.lx, ly: event.ly });
          break;
        }
        case InputEventType.PointerDelta:
          // Pointer lock: relative motion moves the player directly.
          this.#target = undefined;
          this.#moveTo(this.#x + event.dx, this.#y + event.dy);
          break;
        case InputEventType.PointerUp:
          // The press already sent the player; letting go changes nothing.
          break;
        case InputEventType.Wheel:
        case InputEventType.Text:
        case InputEventType.Clipboard:
        case InputEventType.NavKey:
        case InputEventType.Orientation:
          // Nothing in the scene scrolls, types or rotates.
          break;
        default:
          // Every event type has a case above: a new one fails to compile here instead of vanishing.
          event satisfies never;
      }
    }
  }

  /** Advances the scene by `dtSec` seconds. */
  step(dtSec: number): void {
    const dt = Math.max(0, Math.min(MAX_STEP_SECONDS, dtSec));
    this.#timeSec += dt;
    const distance = this.speed * dt;
    let dx = 0;
    let dy = 0;
    for (const key of this.#held) {
      const direction = DIRECTION_BY_USAGE.get(key) as Point;
      dx += direction.x;
      dy += direction.y;
    }
    if (dx !== 0 || dy !== 0) {
      const length = Math.hypot(dx, dy);
      this.#moveTo(this.#x + (dx / length) * distance, this.#y + (dy / length) * distance);
      return;
    }
    const stick = this.#stick();
    if (stick) {
      // The left stick drives the player at full speed when pushed all the way (screen y grows down).
      this.#target = undefined;
      this.#moveTo(this.#x + stick.x * distance, this.#y - stick.y * distance);
      return;
    }
    if (this.#target) {
      const half = this.playerSize / 2;
      const towardX = this.#target.x - half - this.#x;
      const towardY = this.#target.y - half - this.#y;
      const remaining = Math.hypot(towardX, towardY);
      if (remaining <= distance) this.#moveTo(this.#target.x - half, this.#target.y - half);
      else this.#moveTo(this.#x + (towardX / remaining) * distance, this.#y + (towardY / remaining) * distance);
    }
  }

  /** The first pad's left stick outside the dead zone, each axis -1..1, length at most 1. */
  #stick(): Point | undefined {
    for (const pad of this.#pads.values()) {
      const x = pad.lx / STICK_MAX;
      const y = pad.ly / STICK_MAX;
      const length = Math.hypot(x, y);
      if (length <= STICK_DEADZONE) continue;
      return length > 1 ? { x: x / length, y: y / length } : { x, y };
    }
    return undefined;
  }

  #advanceMarker(): void {
    this.#markerIndex = (this.#markerIndex + 1) % MARKER_PALETTE.length;
  }

  #toPixels(x: number, y: number): Point {
    return { x: (x / NORMALIZED_MAX) * this.width, y: (y / NORMALIZED_MAX) * this.height };
  }

  #moveTo(x: number, y: number): void {
    this.#x = Math.max(0, Math.min(this.width - this.playerSize, x));
    this.#y = Math.max(0, Math.min(this.height - this.playerSize, y));
  }
}
