/** The outcome of taking one token. */
export interface TakeResult {
  ok: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** How long until one token is back (0 when ok). */
  retryAfterMs: number;
}

/** A token bucket: `capacity` tokens at most, refilled continuously at `perSecond`. Time comes in. */
export class TokenBucket {
  readonly capacity: number;
  readonly perSecond: number;
  #tokens: number;
  #updatedAt: number;

  constructor(capacity: number, perSecond: number, now: number) {
    this.capacity = capacity;
    this.perSecond = perSecond;
    this.#tokens = capacity;
    this.#updatedAt = now;
  }

  take(now: number): TakeResult {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true, remaining: Math.floor(this.#tokens), retryAfterMs: 0 };
    }
    return { ok: false, remaining: 0, retryAfterMs: Math.ceil(((1 - this.#tokens) * 1000) / this.perSecond) };
  }

  /** True once the bucket has refilled completely: it then behaves like a new one and may be dropped. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.capacity;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.perSecond) / 1000);
    this.#updatedAt = now;
  }
}
