import type { CongestionTuning } from './congestionTuning.js';
import type { DelayUsage } from './TrendlineEstimator.js';

export type RateMove = 'decrease' | 'increase' | 'hold';

export interface RateLimits {
  minKbps: number;
  maxKbps: number;
  startKbps: number;
}

export interface RateControlInput {
  usage: DelayUsage;
  /** What the player acknowledged receiving lately; undefined before there is enough. */
  ackedKbps: number | undefined;
  nowMs: number;
}

/**
 * The delay-based rate controller of draft-ietf-rmcat-gcc §5.5: decrease at
 * once on overuse to decreaseFactor × the acknowledged bitrate (what the
 * bottleneck delivered), hold while the queue drains, then increase —
 * multiplicatively (farIncreasePerSecond) up to the congestion point, the
 * acknowledged bitrate the last overuses happened at, and slowly
 * (nearIncreasePerSecond) from there until overuse strikes again or the
 * acknowledged bitrate passes the point by releaseMargin, which forgets it.
 */
export class AimdRateControl {
  readonly #tuning: CongestionTuning['rate'];
  readonly #limits: RateLimits;
  #estimateKbps: number;
  #lastUpdateMs: number | undefined;
  #lastDecreaseMs: number | undefined;
  #congestionPointKbps: number | undefined;

  constructor(tuning: CongestionTuning['rate'], limits: RateLimits) {
    this.#tuning = tuning;
    this.#limits = limits;
    this.#estimateKbps = limits.startKbps;
  }

  get estimateKbps(): number {
    return this.#estimateKbps;
  }

  /** The acknowledged bitrate the last overuses happened at; undefined when none is remembered. */
  get congestionPointKbps(): number | undefined {
    return this.#congestionPointKbps;
  }

  update(input: RateControlInput): RateMove {
    const { usage, ackedKbps, nowMs } = input;
    const tuning = this.#tuning;
    const elapsedMs = Math.min(Math.max(nowMs - (this.#lastUpdateMs ?? nowMs), 0), tuning.maxUpdateGapMs);
    this.#lastUpdateMs = nowMs;
    switch (usage) {
      case 'overusing':
        return this.#decrease(ackedKbps, nowMs);
      case 'underusing':
        // The queue is draining; increasing now would refill it.
        return 'hold';
      case 'normal':
        if (this.#lastDecreaseMs !== undefined && nowMs - this.#lastDecreaseMs < tuning.holdAfterDecreaseMs) {
          return 'hold';
        }
        return this.#increase(ackedKbps, elapsedMs);
      default:
        return usage satisfies never;
    }
  }

  #decrease(ackedKbps: number | undefined, nowMs: number): RateMove {
    const tuning = this.#tuning;
    // One cut per reduceIntervalMs: the feedback right after a cut still shows
    // the queue built before it.
    if (this.#lastDecreaseMs !== undefined && nowMs - this.#lastDecreaseMs < tuning.reduceIntervalMs) return 'hold';
    const reference = ackedKbps ?? this.#estimateKbps;
    const next = Math.min(this.#estimateKbps, tuning.decreaseFactor * reference);
    if (ackedKbps !== undefined) this.#rememberCongestionPoint(ackedKbps);
    this.#lastDecreaseMs = nowMs;
    this.#estimateKbps = clamp(next, this.#limits.minKbps, this.#limits.maxKbps);
    return 'decrease';
  }

  #increase(ackedKbps: number | undefined, elapsedMs: number): RateMove {
    const tuning = this.#tuning;
    let point = this.#congestionPointKbps;
    if (point !== undefined && ackedKbps !== undefined && ackedKbps > point * (1 + tuning.releaseMargin)) {
      // The path delivered past the old congestion point without overuse: the link has grown.
      this.#congestionPointKbps = point = undefined;
    }
    // Below the congestion point the rate was just shown to get through:
    // return to it fast. At and above it, creep until the link either queues
    // (overuse) or proves it carries more (the point is forgotten).
    const near = point !== undefined && this.#estimateKbps >= point;
    const perSecond = near ? tuning.nearIncreasePerSecond : tuning.farIncreasePerSecond;
    let next = this.#estimateKbps * (1 + perSecond) ** (elapsedMs / 1000);
    // Never far ahead of what has been shown to get through (libwebrtc's 1.5×
    // acked); an encoder sending less than asked does not pull the estimate down.
    if (ackedKbps !== undefined) {
      next = Math.min(next, Math.max(this.#estimateKbps, tuning.ackedHeadroom * ackedKbps + tuning.ackedHeadroomKbps));
    }
    next = clamp(next, this.#limits.minKbps, this.#limits.maxKbps);
    const moved = next > this.#estimateKbps;
    this.#estimateKbps = next;
    return moved ? 'increase' : 'hold';
  }

  #rememberCongestionPoint(ackedKbps: number): void {
    const point = this.#congestionPointKbps;
    const tuning = this.#tuning;
    this.#congestionPointKbps =
      point === undefined || Math.abs(ackedKbps - point) > tuning.congestionPointJump * point
        ? ackedKbps
        : point + tuning.congestionPointSmoothing * (ackedKbps - point);
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
