import type { PacketResult } from './PacketResult.js';

export interface LossWindowOptions {
  /** Packets sent within this span of the newest are measured… */
  windowMs: number;
  /** …or more, back to this many packets, when the span holds fewer. */
  minPackets: number;
  /** Packets remembered (default 8192). */
  capacity?: number;
}

export interface LossMeasure {
  fraction: number;
  packets: number;
}

/**
 * The packets that transport-wide feedback settled, as lost or received, in
 * the order they were settled: loss is measured over the newest of them by
 * send time, so a measurement after a rate change can leave out what was sent
 * before it.
 */
export class LossWindow {
  readonly #options: LossWindowOptions;
  readonly #sendMs: Float64Array;
  readonly #lost: Uint8Array;
  #count = 0;
  #next = 0;

  constructor(options: LossWindowOptions) {
    this.#options = options;
    const capacity = options.capacity ?? 8192;
    this.#sendMs = new Float64Array(capacity);
    this.#lost = new Uint8Array(capacity);
  }

  add(packets: readonly PacketResult[]): void {
    const capacity = this.#sendMs.length;
    for (const packet of packets) {
      this.#sendMs[this.#next] = packet.sendMs;
      this.#lost[this.#next] = packet.arrivalMs === undefined ? 1 : 0;
      this.#next = (this.#next + 1) % capacity;
      this.#count = Math.min(this.#count + 1, capacity);
    }
  }

  /** Loss over the window, counting only packets sent after `sinceMs`; undefined below minPackets. */
  measure(sinceMs = Number.NEGATIVE_INFINITY): LossMeasure | undefined {
    const capacity = this.#sendMs.length;
    const newest = (this.#next - 1 + capacity) % capacity;
    const windowStart = (this.#sendMs[newest] ?? 0) - this.#options.windowMs;
    let packets = 0;
    let lost = 0;
    for (let i = 0; i < this.#count; i++) {
      const slot = (newest - i + capacity) % capacity;
      const sendMs = this.#sendMs[slot] ?? 0;
      if (sendMs <= sinceMs) break;
      if (sendMs < windowStart && packets >= this.#options.minPackets) break;
      packets++;
      lost += this.#lost[slot] ?? 0;
    }
    return packets >= this.#options.minPackets && packets > 0 ? { fraction: lost / packets, packets } : undefined;
  }
}
