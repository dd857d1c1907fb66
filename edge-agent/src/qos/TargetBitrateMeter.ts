/**
 * The encoder's target bitrate over a reporting window, weighted by time:
 * with congestion control the target moves within a minute, and the minute
 * report states what the encoder was asked for on average, not the last value.
 */
export class TargetBitrateMeter {
  #kbps: number;
  #since: number;
  #weighted = 0;
  #windowStart: number;

  constructor(kbps: number, now: number) {
    this.#kbps = kbps;
    this.#since = now;
    this.#windowStart = now;
  }

  /** The target now. */
  get current(): number {
    return this.#kbps;
  }

  set(kbps: number, now: number): void {
    this.#weighted += this.#kbps * Math.max(0, now - this.#since);
    this.#kbps = kbps;
    this.#since = now;
  }

  /** The time-weighted mean since the last call (or construction), rounded; starts the next window. */
  takeMean(now: number): number {
    this.set(this.#kbps, now);
    const span = now - this.#windowStart;
    const mean = span > 0 ? this.#weighted / span : this.#kbps;
    this.#weighted = 0;
    this.#windowStart = now;
    return Math.round(mean);
  }
}
