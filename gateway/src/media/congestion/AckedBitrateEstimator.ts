import type { PacketResult } from './PacketResult.js';

const CLOCK_JUMP_MS = 3000;

export interface AckedBitrateOptions {
  /** Window of arrivals the bitrate is measured over (ms, receiver clock). */
  windowMs: number;
  /** Until arrivals span this long there is no estimate. */
  minSpanMs: number;
}

/**
 * The bitrate the player acknowledged receiving over the last window of
 * arrival time: what the path actually delivered, the reference a decrease
 * is taken from (a queue that builds delivers exactly the bottleneck rate).
 */
export class AckedBitrateEstimator {
  readonly #options: AckedBitrateOptions;
  /** Arrivals in arrival order: times and sizes, oldest first from #head. */
  #arrivals: number[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytesInWindow = 0;
  #firstArrivalMs: number | undefined;
  #latestArrivalMs = Number.NEGATIVE_INFINITY;

  constructor(options: AckedBitrateOptions) {
    this.#options = options;
  }

  /** Adds the received packets of one feedback. */
  update(packets: readonly PacketResult[]): void {
    for (const packet of packets) {
      if (packet.arrivalMs === undefined) continue;
      // Far behind the newest arrival: the player's clock went back; start over.
      if (packet.arrivalMs < this.#latestArrivalMs - CLOCK_JUMP_MS) this.#reset();
      this.#firstArrivalMs ??= packet.arrivalMs;
      this.#latestArrivalMs = Math.max(this.#latestArrivalMs, packet.arrivalMs);
      this.#arrivals.push(packet.arrivalMs);
      this.#sizes.push(packet.sizeBytes);
      this.#bytesInWindow += packet.sizeBytes;
    }
    this.#evict();
  }

  /** Kilobits per second received over the window; undefined until arrivals span minSpanMs. */
  get kbps(): number | undefined {
    if (this.#firstArrivalMs === undefined) return undefined;
    const span = Math.min(this.#options.windowMs, this.#latestArrivalMs - this.#firstArrivalMs);
    if (span < this.#options.minSpanMs) return undefined;
    return (this.#bytesInWindow * 8) / span;
  }

  #reset(): void {
    this.#arrivals = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytesInWindow = 0;
    this.#firstArrivalMs = undefined;
    this.#latestArrivalMs = Number.NEGATIVE_INFINITY;
  }

  #evict(): void {
    const from = this.#latestArrivalMs - this.#options.windowMs;
    // Reordered arrivals may sit a little out of order; eviction from the
    // oldest end stops at the first one still inside, which is close enough.
    while (this.#head < this.#arrivals.length && (this.#arrivals[this.#head] ?? 0) <= from) {
      this.#bytesInWindow -= this.#sizes[this.#head] ?? 0;
      this.#head++;
    }
    if (this.#head > 4096 && this.#head * 2 > this.#arrivals.length) {
      this.#arrivals = this.#arrivals.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
