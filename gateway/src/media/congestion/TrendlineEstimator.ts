import type { CongestionTuning } from './congestionTuning.js';
import type { PacketResult } from './PacketResult.js';

export type DelayUsage = 'normal' | 'overusing' | 'underusing';

/** What the delay detector concludes about the path's queue. */
export interface DelaySignal {
  usage: DelayUsage;
  /** The slope of the smoothed queueing delay, scaled as the threshold is (see CongestionTuning.delay). */
  modifiedTrend: number;
  thresholdMs: number;
}

interface SendGroup {
  firstSendMs: number;
  lastSendMs: number;
  firstArrivalMs: number;
  lastArrivalMs: number;
}

/** Arrival gaps beyond this mean the receiver's clock jumped or the stream paused: start over. */
const MAX_ARRIVAL_GAP_MS = 3000;
/** Packets arriving together (within burstMs, faster than sent) are one group, up to this span. */
const MAX_BURST_SPAN_MS = 100;
/** The trend's weight grows with the number of samples up to this many (libwebrtc's kMinNumDeltas). */
const TREND_SAMPLES_FOR_FULL_WEIGHT = 60;
/** A trend this far above the threshold is a spike: the threshold does not adapt to it. */
const THRESHOLD_SPIKE_MS = 15;
const MAX_THRESHOLD_STEP_MS = 100;

/**
 * The delay-based overuse detector of draft-ietf-rmcat-gcc §5, in libwebrtc's
 * trendline form. Packets are grouped into send bursts; between consecutive
 * groups the delay variation (arrival delta − send delta) is how much the
 * queue grew. Its running sum, smoothed, is regressed against arrival time
 * over the last `trendWindow` groups: a slope that stays above an adaptive
 * threshold is overuse (the queue keeps growing), below −threshold underuse
 * (it drains). The threshold adapts so that jitter alone does not trip it.
 *
 * Works on the two clocks as they are: send times on the gateway's, arrival
 * times on the player's; only differences within each clock are used.
 */
export class TrendlineEstimator {
  readonly #tuning: CongestionTuning['delay'];
  #current: SendGroup | undefined;
  #previous: SendGroup | undefined;
  #samples = 0;
  #accumulatedMs = 0;
  #smoothedMs = 0;
  #firstArrivalMs: number | undefined;
  readonly #history: { x: number; y: number }[] = [];
  #trend = 0;
  #modifiedTrend = 0;
  #thresholdMs: number;
  #lastThresholdUpdateMs: number | undefined;
  #overuseTimeMs = -1;
  #overuseCount = 0;
  #usage: DelayUsage = 'normal';

  constructor(tuning: CongestionTuning['delay']) {
    this.#tuning = tuning;
    this.#thresholdMs = tuning.initialThresholdMs;
  }

  get signal(): DelaySignal {
    return { usage: this.#usage, modifiedTrend: this.#modifiedTrend, thresholdMs: this.#thresholdMs };
  }

  /** Feeds settled packets in sequence order; lost ones are skipped. */
  update(packets: readonly PacketResult[]): DelaySignal {
    for (const packet of packets) {
      if (packet.arrivalMs !== undefined) this.#addPacket(packet.sendMs, packet.arrivalMs);
    }
    return this.signal;
  }

  #addPacket(sendMs: number, arrivalMs: number): void {
    const group = this.#current;
    if (!group) {
      this.#current = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs };
      return;
    }
    // Sent before the group began: reordered on the way or reported late; its place is gone.
    if (sendMs < group.firstSendMs) return;
    if (this.#belongsTo(group, sendMs, arrivalMs)) {
      group.lastSendMs = Math.max(group.lastSendMs, sendMs);
      group.lastArrivalMs = Math.max(group.lastArrivalMs, arrivalMs);
      return;
    }
    const previous = this.#previous;
    if (previous) {
      const sendDeltaMs = group.lastSendMs - previous.lastSendMs;
      const arrivalDeltaMs = group.lastArrivalMs - previous.lastArrivalMs;
      if (Math.abs(arrivalDeltaMs) > MAX_ARRIVAL_GAP_MS) {
        this.#restart();
      } else if (arrivalDeltaMs >= 0) {
        // A group that arrived before the previous one finished was reordered: no sample.
        this.#addDelta(arrivalDeltaMs - sendDeltaMs, sendDeltaMs, group.lastArrivalMs);
      }
    }
    this.#previous = group;
    this.#current = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs };
  }

  #belongsTo(group: SendGroup, sendMs: number, arrivalMs: number): boolean {
    if (sendMs - group.firstSendMs <= this.#tuning.burstMs) return true;
    // A burst that arrives faster than it was sent (a queue released at once,
    // a Wi-Fi aggregate) says nothing about the queue growing: keep it whole.
    const arrivalDelta = arrivalMs - group.lastArrivalMs;
    const propagationDelta = arrivalDelta - (sendMs - group.lastSendMs);
    return (
      arrivalDelta >= 0 &&
      arrivalDelta <= this.#tuning.burstMs &&
      propagationDelta < 0 &&
      arrivalMs - group.firstArrivalMs < MAX_BURST_SPAN_MS
    );
  }

  #addDelta(delayMs: number, sendDeltaMs: number, arrivalMs: number): void {
    const tuning = this.#tuning;
    this.#samples = Math.min(this.#samples + 1, 1000);
    this.#accumulatedMs += delayMs;
    this.#smoothedMs = tuning.smoothing * this.#smoothedMs + (1 - tuning.smoothing) * this.#accumulatedMs;
    this.#firstArrivalMs ??= arrivalMs;
    this.#history.push({ x: arrivalMs - this.#firstArrivalMs, y: this.#smoothedMs });
    if (this.#history.length > tuning.trendWindow) this.#history.shift();
    const trend = this.#history.length >= tuning.trendWindow ? (slopeOf(this.#history) ?? this.#trend) : this.#trend;
    this.#detect(trend, sendDeltaMs, arrivalMs);
  }

  #detect(trend: number, sendDeltaMs: number, arrivalMs: number): void {
    const tuning = this.#tuning;
    const modified = Math.min(this.#samples, TREND_SAMPLES_FOR_FULL_WEIGHT) * trend * tuning.thresholdGain;
    this.#modifiedTrend = modified;
    if (modified > this.#thresholdMs) {
      this.#overuseTimeMs = this.#overuseTimeMs < 0 ? sendDeltaMs / 2 : this.#overuseTimeMs + sendDeltaMs;
      this.#overuseCount++;
      // Overuse needs the trend above the threshold for a while, in more than
      // one sample, and still rising: one late group is jitter, not a queue.
      if (this.#overuseTimeMs > tuning.overuseTimeMs && this.#overuseCount > 1 && trend >= this.#trend) {
        this.#overuseTimeMs = 0;
        this.#overuseCount = 0;
        this.#usage = 'overusing';
      }
    } else {
      this.#overuseTimeMs = -1;
      this.#overuseCount = 0;
      this.#usage = modified < -this.#thresholdMs ? 'underusing' : 'normal';
    }
    this.#trend = trend;
    this.#adaptThreshold(modified, arrivalMs);
  }

  #adaptThreshold(modified: number, arrivalMs: number): void {
    const tuning = this.#tuning;
    const last = this.#lastThresholdUpdateMs ?? arrivalMs;
    this.#lastThresholdUpdateMs = arrivalMs;
    const magnitude = Math.abs(modified);
    if (magnitude > this.#thresholdMs + THRESHOLD_SPIKE_MS) return;
    const rate = magnitude < this.#thresholdMs ? tuning.thresholdDownRate : tuning.thresholdUpRate;
    const stepMs = Math.min(Math.max(arrivalMs - last, 0), MAX_THRESHOLD_STEP_MS);
    const next = this.#thresholdMs + rate * (magnitude - this.#thresholdMs) * stepMs;
    this.#thresholdMs = Math.min(Math.max(next, tuning.minThresholdMs), tuning.maxThresholdMs);
  }

  #restart(): void {
    this.#samples = 0;
    this.#accumulatedMs = 0;
    this.#smoothedMs = 0;
    this.#firstArrivalMs = undefined;
    this.#history.length = 0;
    this.#trend = 0;
    this.#modifiedTrend = 0;
    this.#overuseTimeMs = -1;
    this.#overuseCount = 0;
    this.#usage = 'normal';
  }
}

/** Least-squares slope of y over x; undefined when x does not vary. */
function slopeOf(points: readonly { x: number; y: number }[]): number | undefined {
  let sumX = 0;
  let sumY = 0;
  for (const p of points) {
    sumX += p.x;
    sumY += p.y;
  }
  const meanX = sumX / points.length;
  const meanY = sumY / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const p of points) {
    numerator += (p.x - meanX) * (p.y - meanY);
    denominator += (p.x - meanX) ** 2;
  }
  return denominator === 0 ? undefined : numerator / denominator;
}
