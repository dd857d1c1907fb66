import { type TakeResult, TokenBucket } from './TokenBucket.js';

export interface RateLimiterOptions {
  burst: number;
  perSecond: number;
  now?: () => number;
  /** Full buckets are swept once this many are held. */
  sweepAbove?: number;
}

/** One token bucket per API key (or per client address for anonymous routes). */
export class RateLimiter {
  readonly #options: Required<RateLimiterOptions>;
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(options: RateLimiterOptions) {
    this.#options = { now: Date.now, sweepAbove: 10_000, ...options };
  }

  get limit(): number {
    return this.#options.burst;
  }

  take(key: string): TakeResult {
    const now = this.#options.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#options.sweepAbove) this.#sweep(now);
      bucket = new TokenBucket(this.#options.burst, this.#options.perSecond, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  #sweep(now: number): void {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(now)) this.#buckets.delete(key);
  }
}
