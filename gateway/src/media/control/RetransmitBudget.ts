export interface RetransmitBudgetOptions {
  /** Retransmitted bytes allowed per media byte sent (0.5: retransmissions may add half the media bitrate). */
  share: number;
  /** Bytes that may be retransmitted at once before the rate applies (a burst of loss on a keyframe). */
  burstBytes: number;
  /** Window over which the media rate is measured. */
  windowMs: number;
}

export const DEFAULT_RETRANSMIT_BUDGET: RetransmitBudgetOptions = Object.freeze({
  share: 0.5,
  burstBytes: 96 * 1200,
  windowMs: 1_000,
});

/**
 * How much a peer may make us retransmit: a token bucket in bytes that refills
 * at `share` × the media bitrate actually sent. Honest loss repair on a 5 %
 * lossy link costs ~5 % of the media rate; a receiver NACKing every packet it
 * ever got (buggy or hostile) is held to `share` and cannot multiply the
 * gateway's egress. Pure: time comes in as arguments.
 */
export class RetransmitBudget {
  readonly counters = { admitted: 0, dropped: 0 };
  readonly #options: RetransmitBudgetOptions;
  #tokens: number;
  #updatedAt: number | undefined;
  /** Media bytes sent in the current window, and the rate of the last complete one (bytes/s). */
  #windowBytes = 0;
  #windowStart: number | undefined;
  #mediaBytesPerSecond = 0;

  constructor(options: Partial<RetransmitBudgetOptions> = {}) {
    this.#options = { ...DEFAULT_RETRANSMIT_BUDGET, ...options };
    this.#tokens = this.#options.burstBytes;
  }

  /** The media rate the budget follows, bytes per second. */
  get mediaBytesPerSecond(): number {
    return this.#mediaBytesPerSecond;
  }

  /** A media packet of `bytes` went out. */
  noteMedia(now: number, bytes: number): void {
    this.#windowStart ??= now;
    if (now - this.#windowStart >= this.#options.windowMs) {
      this.#mediaBytesPerSecond = (this.#windowBytes * 1000) / (now - this.#windowStart);
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
    this.#windowBytes += bytes;
  }

  /** May a retransmission of `bytes` go out now? Counts the answer. */
  admit(now: number, bytes: number): boolean {
    this.#refill(now);
    if (this.#tokens >= bytes) {
      this.#tokens -= bytes;
      this.counters.admitted++;
      return true;
    }
    this.counters.dropped++;
    return false;
  }

  #refill(now: number): void {
    if (this.#updatedAt !== undefined) {
      const elapsedS = Math.max(0, now - this.#updatedAt) / 1000;
      const rate = this.#options.share * this.#mediaBytesPerSecond;
      this.#tokens = Math.min(this.#options.burstBytes, this.#tokens + elapsedS * rate);
    }
    this.#updatedAt = now;
  }
}
