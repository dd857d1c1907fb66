export interface FreezeDetectorOptions {
  /** A gap longer than this is always a freeze, whatever the frame rate. Default 150 ms above the mean interval. */
  minExtraMs?: number;
  /** ... and longer than this many mean frame intervals. Default 3. */
  intervalFactor?: number;
  /** Frame intervals the mean covers (the last half second at 60 fps). Default 30. */
  window?: number;
}

/** What the detector saw: a freeze began (`gapMs` so far) or ended (`durationMs` from the last frame before it). */
export type FreezeEvent = { type: 'start'; gapMs: number } | { type: 'end'; durationMs: number };

/**
 * Freeze detection on presented frames, WebRTC's definition: a gap between
 * two frames longer than max(3 × the mean interval, mean + 150 ms). Frames
 * come in through `frame()`, the clock through `check()`; both return what
 * changed. Decides only: no timers, no DOM.
 */
export class FreezeDetector {
  readonly #minExtraMs: number;
  readonly #intervalFactor: number;
  readonly #window: number;
  readonly #intervals: number[] = [];
  #intervalSum = 0;
  #lastFrameAt: number | undefined;
  #frozen = false;
  #count = 0;
  #totalMs = 0;

  constructor(options: FreezeDetectorOptions = {}) {
    this.#minExtraMs = options.minExtraMs ?? 150;
    this.#intervalFactor = options.intervalFactor ?? 3;
    this.#window = options.window ?? 30;
  }

  /** Freezes that ended so far. */
  get count(): number {
    return this.#count;
  }

  /** Their summed duration. */
  get totalMs(): number {
    return this.#totalMs;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  /** The gap after which the stream counts as frozen; undefined before two frames were seen. */
  get thresholdMs(): number | undefined {
    if (this.#intervals.length === 0) return undefined;
    const mean = this.#intervalSum / this.#intervals.length;
    return Math.max(this.#intervalFactor * mean, mean + this.#minExtraMs);
  }

  /** A frame was presented at `at` (ms). */
  frame(at: number): FreezeEvent | undefined {
    const last = this.#lastFrameAt;
    this.#lastFrameAt = at;
    if (last === undefined || at < last) return undefined;
    const interval = at - last;
    if (this.#frozen) {
      this.#frozen = false;
      this.#count += 1;
      this.#totalMs += interval;
      return { type: 'end', durationMs: interval };
    }
    const threshold = this.thresholdMs;
    // A gap the clock check did not catch (a busy page) still counts, but must not skew the mean.
    if (threshold !== undefined && interval > threshold) {
      this.#count += 1;
      this.#totalMs += interval;
      return { type: 'end', durationMs: interval };
    }
    // A plain mean over the last few intervals follows a stream that speeds up after its start at once.
    this.#intervals.push(interval);
    this.#intervalSum += interval;
    if (this.#intervals.length > this.#window) this.#intervalSum -= this.#intervals.shift() as number;
    return undefined;
  }

  /** The clock at `now` (ms): reports the start of a freeze once. */
  check(now: number): FreezeEvent | undefined {
    const threshold = this.thresholdMs;
    const last = this.#lastFrameAt;
    if (this.#frozen || threshold === undefined || last === undefined) return undefined;
    const gap = now - last;
    if (gap <= threshold) return undefined;
    this.#frozen = true;
    return { type: 'start', gapMs: gap };
  }

  /** Forgets the stream (a new peer connection, a hidden page): the next frame starts afresh. */
  reset(): void {
    this.#lastFrameAt = undefined;
    this.#frozen = false;
  }
}
