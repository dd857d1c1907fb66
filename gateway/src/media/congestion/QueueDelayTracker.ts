import type { PacketResult } from './PacketResult.js';

export interface QueueDelayOptions {
  /** The path's base delay is the lowest one-way delay seen over this long. */
  baselineWindowMs: number;
}

const BUCKET_MS = 1000;
/** A one-way delay this far from the baseline means a clock jump, not a queue: start over. */
const CLOCK_JUMP_MS = 3000;

/**
 * How much queue stands on the path now: the one-way delay of the latest
 * feedback's least-delayed packet above the lowest seen over the baseline
 * window. The two clocks differ by an unknown offset, which cancels out.
 *
 * The trendline sees a queue that grows; this sees one that stands still —
 * a drop-tail buffer kept full, which loses packets at a flat (but high)
 * delay and would otherwise pass for random loss.
 */
export class QueueDelayTracker {
  readonly #options: QueueDelayOptions;
  /** Lowest one-way delay per BUCKET_MS of send time, oldest first. */
  #buckets: { startMs: number; minMs: number }[] = [];
  #queueDelayMs: number | undefined;

  constructor(options: QueueDelayOptions) {
    this.#options = options;
  }

  /** The standing queue in ms; undefined before any packet arrived. */
  get queueDelayMs(): number | undefined {
    return this.#queueDelayMs;
  }

  update(packets: readonly PacketResult[]): number | undefined {
    let latestMin = Number.POSITIVE_INFINITY;
    let latestSendMs = Number.NEGATIVE_INFINITY;
    for (const packet of packets) {
      if (packet.arrivalMs === undefined) continue;
      const delayMs = packet.arrivalMs - packet.sendMs;
      latestMin = Math.min(latestMin, delayMs);
      latestSendMs = Math.max(latestSendMs, packet.sendMs);
      this.#record(packet.sendMs, delayMs);
    }
    if (latestMin === Number.POSITIVE_INFINITY) return this.#queueDelayMs;
    const from = latestSendMs - this.#options.baselineWindowMs;
    while (this.#buckets.length > 1 && (this.#buckets[0]?.startMs ?? 0) + BUCKET_MS <= from) this.#buckets.shift();
    const baseline = Math.min(...this.#buckets.map((b) => b.minMs));
    if (latestMin - baseline > CLOCK_JUMP_MS) {
      this.#buckets = [];
      this.#record(latestSendMs, latestMin);
      this.#queueDelayMs = 0;
    } else {
      this.#queueDelayMs = latestMin - baseline;
    }
    return this.#queueDelayMs;
  }

  #record(sendMs: number, delayMs: number): void {
    const last = this.#buckets.at(-1);
    if (last && sendMs < last.startMs + BUCKET_MS) {
      last.minMs = Math.min(last.minMs, delayMs);
      return;
    }
    this.#buckets.push({ startMs: sendMs - (sendMs % BUCKET_MS), minMs: delayMs });
  }
}
