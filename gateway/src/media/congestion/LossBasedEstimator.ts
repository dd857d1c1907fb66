import { clamp } from './AimdRateControl.js';
import type { CongestionTuning } from './congestionTuning.js';

export type LossMove = 'cut' | 'hold' | 'increase';

export interface LossObservation {
  /** Fraction of packets lost before repair, 0..1. */
  fraction: number;
  /** The delay detector sees the queue growing (overuse, or a trend well above zero). */
  delayRising: boolean;
  /** A queue stands on the path (QueueDelayTracker above standingQueueMs): a full buffer dropping. */
  queueStanding: boolean;
  /** The target the encoder is at now: cuts and holds are taken from it. */
  targetKbps: number;
  /** What the player acknowledged receiving lately: a cut never leaves the bound above it. */
  ackedKbps: number | undefined;
  nowMs: number;
}

/**
 * The loss-based bound of draft-ietf-rmcat-gcc §6, made to tell congestion
 * from noise. The rule and its constants (CongestionTuning.loss):
 *
 * - loss > highFraction (10 %): cut to (1 − 0.5·loss) × target, and no higher
 *   than the acknowledged bitrate, at most once per cutIntervalMs, whatever the delay does: a policer drops
 *   without queueing, and at that loss NACK repair itself costs > 10 % more
 *   traffic and a frame of delay per loss.
 * - lowFraction (2 %) ≤ loss ≤ 10 % with a standing queue (≥ standingQueueMs
 *   over the path's base delay): a full drop-tail buffer; cut the same way.
 * - 2-10 % with the delay trend rising: congestion in the making; hold the
 *   bound at the current target (no increase).
 * - loss < 2 %, or up to 10 % with flat, low delay: noise. Random loss of a
 *   few percent (Wi-Fi, a lossy hop) is repaired by NACK/RTX and does not go
 *   away at a lower rate, so cutting for it would only starve the picture.
 *   The bound climbs at the probing rate back towards maxKbps.
 */
export class LossBasedEstimator {
  readonly #loss: CongestionTuning['loss'];
  readonly #increasePerSecond: number;
  readonly #maxUpdateGapMs: number;
  readonly #minKbps: number;
  readonly #maxKbps: number;
  #boundKbps: number;
  #lastUpdateMs: number | undefined;
  #lastCutMs: number | undefined;

  constructor(tuning: CongestionTuning, limits: { minKbps: number; maxKbps: number }) {
    this.#loss = tuning.loss;
    this.#increasePerSecond = tuning.rate.farIncreasePerSecond;
    this.#maxUpdateGapMs = tuning.rate.maxUpdateGapMs;
    this.#minKbps = limits.minKbps;
    this.#maxKbps = limits.maxKbps;
    this.#boundKbps = limits.maxKbps;
  }

  get boundKbps(): number {
    return this.#boundKbps;
  }

  update(observation: LossObservation): LossMove {
    const { fraction, delayRising, queueStanding, targetKbps, ackedKbps, nowMs } = observation;
    const elapsedMs = Math.min(Math.max(nowMs - (this.#lastUpdateMs ?? nowMs), 0), this.#maxUpdateGapMs);
    this.#lastUpdateMs = nowMs;
    const loss = this.#loss;
    if (fraction > loss.highFraction || (fraction >= loss.lowFraction && queueStanding)) {
      if (this.#lastCutMs !== undefined && nowMs - this.#lastCutMs < loss.cutIntervalMs) return 'hold';
      // Never above what got through: from 8 Mb/s into a full 1 Mb/s buffer
      // one cut lands at 1 Mb/s instead of halving five times.
      const cut = Math.min(Math.min(this.#boundKbps, targetKbps) * (1 - 0.5 * fraction), ackedKbps ?? Infinity);
      this.#boundKbps = clamp(cut, this.#minKbps, this.#maxKbps);
      this.#lastCutMs = nowMs;
      return 'cut';
    }
    if (fraction >= loss.lowFraction && delayRising) {
      this.#boundKbps = clamp(Math.min(this.#boundKbps, targetKbps), this.#minKbps, this.#maxKbps);
      return 'hold';
    }
    const next = Math.min(this.#maxKbps, this.#boundKbps * (1 + this.#increasePerSecond) ** (elapsedMs / 1000));
    const moved = next > this.#boundKbps;
    this.#boundKbps = next;
    return moved ? 'increase' : 'hold';
  }
}
