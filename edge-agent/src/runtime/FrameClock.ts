import { performance } from 'node:perf_hooks';

export interface FrameClockOptions {
  fps: number;
  /** Called once per frame with the milliseconds since the previous tick. */
  onTick: (elapsedMs: number) => void;
  /** Called, and the clock stopped, when onTick throws. */
  onError: (error: unknown) => void;
  now?: () => number;
  setTimer?: (callback: () => void, delayMs: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * A drift-corrected frame timer: tick n is aimed at origin + n × period, so
 * timer lateness never accumulates. When the process falls more than a frame
 * behind, the missed ticks are skipped (counted), never replayed in a burst.
 */
export class FrameClock {
  readonly #periodMs: number;
  readonly #onTick: (elapsedMs: number) => void;
  readonly #onError: (error: unknown) => void;
  readonly #now: () => number;
  readonly #setTimer: (callback: () => void, delayMs: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  #origin = 0;
  #index = 0;
  #last = 0;
  #timer: unknown;
  #running = false;
  #ticks = 0;
  #skipped = 0;

  constructor(options: FrameClockOptions) {
    if (!(options.fps > 0)) throw new RangeError(`fps must be positive, got ${options.fps}`);
    this.#periodMs = 1000 / options.fps;
    this.#onTick = options.onTick;
    this.#onError = options.onError;
    this.#now = options.now ?? (() => performance.now());
    this.#setTimer = options.setTimer ?? ((callback, delayMs) => setTimeout(callback, delayMs));
    this.#clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  get running(): boolean {
    return this.#running;
  }

  /** Ticks delivered so far. */
  get ticks(): number {
    return this.#ticks;
  }

  /** Frame slots skipped because the process fell more than a frame behind. */
  get skippedTicks(): number {
    return this.#skipped;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#origin = this.#now();
    this.#last = this.#origin;
    this.#index = 0;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const target = this.#origin + (this.#index + 1) * this.#periodMs;
    this.#timer = this.#setTimer(() => this.#tick(), Math.max(0, target - this.#now()));
  }

  #tick(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const now = this.#now();
    const due = Math.floor((now - this.#origin) / this.#periodMs);
    const next = Math.max(this.#index + 1, due);
    this.#skipped += next - this.#index - 1;
    this.#index = next;
    const elapsed = now - this.#last;
    this.#last = now;
    this.#ticks += 1;
    try {
      this.#onTick(elapsed);
    } catch (error) {
      this.stop();
      this.#onError(error);
      return;
    }
    if (this.#running) this.#schedule();
  }
}
