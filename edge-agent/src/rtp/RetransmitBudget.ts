export interface RetransmitBudgetOptions {
  /** Retransmission rate allowed, as a share of the recent media rate; 0.5 by default. */
  ratio?: number;
  /** Bytes that may go out at once when the bucket is full; 20 000 by default (about 16 packets). */
  burstBytes?: number;
  /** How far back the media rate is measured; 1000 ms by default. */
  windowMs?: number;
}

const BUCKETS = 10;

/**
 * Token bucket for retransmissions, refilled at `ratio` × the media rate of
 * the last `windowMs`. Under heavy loss (or a receiver that NACKs everything)
 * repair traffic must not crowd out the live stream it is repairing: past
 * the budget a retransmit is dropped and the receiver falls back to a PLI.
 * Pure: time comes in with each call.
 */
export class RetransmitBudget {
  readonly ratio: number;
  readonly burstBytes: number;
  readonly windowMs: number;
  readonly #bucketMs: number;
  readonly #bucketId = new Float64Array(BUCKETS).fill(-1);
  readonly #bucketBytes = new Float64Array(BUCKETS);
  #tokens: number;
  #refilledAt: number | undefined;

  constructor(options: RetransmitBudgetOptions = {}) {
    this.ratio = options.ratio ?? 0.5;
    this.burstBytes = options.burstBytes ?? 20_000;
    this.windowMs = options.windowMs ?? 1000;
    if (!(this.ratio >= 0) || !(this.burstBytes >= 0) || !(this.windowMs > 0)) {
      throw new RangeError('retransmit budget: ratio and burstBytes must be >= 0, windowMs > 0');
    }
    this.#bucketMs = this.windowMs / BUCKETS;
    this.#tokens = this.burstBytes;
  }

  /** Counts `bytes` of media (not retransmissions) sent at `nowMs`. */
  onMediaSent(bytes: number, nowMs: number): void {
    this.#refill(nowMs);
    const id = Math.floor(nowMs / this.#bucketMs);
    const slot = id % BUCKETS;
    if (this.#bucketId[slot] !== id) {
      this.#bucketId[slot] = id;
      this.#bucketBytes[slot] = 0;
    }
    this.#bucketBytes[slot]! += bytes;
  }

  /** Media rate over the window, in bytes per second. */
  mediaBytesPerSecond(nowMs: number): number {
    const current = Math.floor(nowMs / this.#bucketMs);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const id = this.#bucketId[i]!;
      if (id > current - BUCKETS && id <= current) sum += this.#bucketBytes[i]!;
    }
    return (sum * 1000) / this.windowMs;
  }

  /** Takes `bytes` from the budget if it holds them; false (and nothing taken) if not. */
  tryTake(bytes: number, nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < bytes) return false;
    this.#tokens -= bytes;
    return true;
  }

  #refill(nowMs: number): void {
    const elapsed = this.#refilledAt === undefined ? 0 : nowMs - this.#refilledAt;
    // A clock that steps back refills nothing and does not move the mark back.
    if (this.#refilledAt !== undefined && elapsed <= 0) return;
    this.#refilledAt = nowMs;
    if (elapsed === 0) return;
    const rate = this.mediaBytesPerSecond(nowMs) * this.ratio;
    this.#tokens = Math.min(this.burstBytes, this.#tokens + (rate * elapsed) / 1000);
  }
}
