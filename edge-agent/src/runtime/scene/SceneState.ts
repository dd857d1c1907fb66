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
 * every press (KeyDown, PointerDown), so a test can see when input landed.
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
        case InputEventType.TouchDown:
          this.#advanceMarker();
          this.#target = this.#toPixels(event.x, event.y);
          break;
        case InputEventType.PointerMove:
        case InputEventType.TouchMove:
          this.#target = this.#toPixels(event.x, event.y);
          break;
        case InputEventType.PointerDelta:
          // Pointer lock: relative motion moves the player directly.
          this.#target = undefined;
          this.#moveTo(this.#x + event.dx, this.#y + event.dy);
          break;
        default:
          // Other events (wheel, gamepad, text…) do not affect the scene.
          break;
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
    if (this.#target) {
      const half = this.playerSize / 2;
      const towardX = this.#target.x - half - this.#x;
      const towardY = this.#target.y - half - this.#y;
      const remaining = Math.hypot(towardX, towardY);
      if (remaining <= distance) this.#moveTo(this.#target.x - half, this.#target.y - half);
      else this.#moveTo(this.#x + (towardX / remaining) * distance, this.#y + (towardY / remaining) * distance);
    }
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
