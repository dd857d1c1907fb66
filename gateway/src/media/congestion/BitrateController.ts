import { FramewayError } from '@frameway/protocol';
import { AckedBitrateEstimator } from './AckedBitrateEstimator.js';
import { AimdRateControl, clamp } from './AimdRateControl.js';
import { type CongestionTuning, type CongestionTuningOverrides, resolveCongestionTuning } from './congestionTuning.js';
import { LossBasedEstimator } from './LossBasedEstimator.js';
import { LossWindow } from './LossWindow.js';
import type { TransportFeedback } from './PacketResult.js';
import { QueueDelayTracker } from './QueueDelayTracker.js';
import {
  buildQualityLadder,
  initialLadderState,
  type LadderState,
  type QualityRung,
  stepQualityLadder,
  type VideoShape,
} from './qualityLadder.js';
import { type DelaySignal, TrendlineEstimator } from './TrendlineEstimator.js';

export type BitrateDecisionReason = 'start' | 'overuse' | 'loss' | 'probe' | 'hold' | 'ladder-down' | 'ladder-up';

/** What the encoder should produce now, and why. */
export interface BitrateDecision {
  /** Bitrate for the encoder; moves only past the hysteresis (see CongestionTuning.hysteresis). */
  targetKbps: number;
  /** The bandwidth estimate behind it (before hysteresis); 0 until any feedback arrived. */
  estimateKbps: number;
  width: number;
  height: number;
  fps: number;
  /** Loss before repair in the latest measurement, 0..1. */
  lossFraction: number;
  /** The encoder must be told (target or picture moved); false: nothing to send. */
  changed: boolean;
  /** 'hold' when nothing changed; a rung change wins over the bitrate's own reason. */
  reason: BitrateDecisionReason;
}

export interface BitrateControllerOptions {
  /** The session's full picture; the quality ladder derives from it. */
  shape: VideoShape;
  maxKbps: number;
  /** Default: tuning.minKbps. */
  minKbps?: number;
  /** Default: maxKbps (the stream starts as it always has; the first feedback corrects it). */
  startKbps?: number;
  /**
   * The encoder can change size and frame rate live (SessionStarted
   * encoderControls.liveResize). Default true; false keeps the session's
   * picture and moves the bitrate alone.
   */
  liveResize?: boolean;
  tuning?: CongestionTuningOverrides;
}

/** Internals, for benches and logs. */
export interface BitrateControllerProbe {
  delay: DelaySignal;
  queueDelayMs: number | undefined;
  ackedKbps: number | undefined;
  delayEstimateKbps: number;
  congestionPointKbps: number | undefined;
  lossBoundKbps: number;
  rembKbps: number | undefined;
}

/**
 * Adaptive bitrate for the gateway→player leg: combines the delay-based
 * estimate (TrendlineEstimator + AimdRateControl), the loss-based bound and
 * the receiver's REMB into target = min(delay, loss, REMB, max) ≥ min, picks
 * the picture from the quality ladder, and applies hysteresis so the encoder
 * is told only about moves that matter: decreases of ≥ 5 % at once, increases
 * of ≥ 10 % at most every 250 ms, any change of picture.
 *
 * Pure: data in through the on* methods with the gateway's clock, a decision
 * out of each; feed it TwccFeedbackAdapter's 'feedback' events.
 */
export class BitrateController {
  readonly ladder: readonly QualityRung[];
  readonly #tuning: CongestionTuning;
  readonly #minKbps: number;
  readonly #maxKbps: number;
  readonly #delay: TrendlineEstimator;
  readonly #queue: QueueDelayTracker;
  readonly #acked: AckedBitrateEstimator;
  /** What the stream has been using over a few seconds: a cheap picture keeps its size (see stepQualityLadder). */
  readonly #demand: AckedBitrateEstimator;
  readonly #rate: AimdRateControl;
  readonly #lossWindow: LossWindow;
  readonly #lossBound: LossBasedEstimator;
  #ladderState: LadderState;
  #remb: { kbps: number; atMs: number } | undefined;
  #lastFeedbackMs: number | undefined;
  /** When the target sent to the encoder last went down. */
  #lastDecreaseMs: number | undefined;
  #hasEstimate = false;
  #lossFraction = 0;
  #sent: { kbps: number; atMs: number | undefined; rung: number };
  #current: BitrateDecision;

  constructor(options: BitrateControllerOptions) {
    const tuning = resolveCongestionTuning(options.tuning);
    const maxKbps = options.maxKbps;
    const minKbps = Math.min(options.minKbps ?? tuning.minKbps, maxKbps);
    const startKbps = options.startKbps ?? maxKbps;
    if (![maxKbps, minKbps, startKbps].every((n) => Number.isFinite(n) && n > 0)) {
      throw new FramewayError('FW_ERR_INTERNAL', `bad bitrate limits ${minKbps}..${maxKbps} from ${startKbps} kbps`);
    }
    this.#tuning = tuning;
    this.#minKbps = minKbps;
    this.#maxKbps = maxKbps;
    const start = clamp(startKbps, minKbps, maxKbps);
    this.ladder =
      options.liveResize === false
        ? [{ ...options.shape, floorKbps: 0 }]
        : buildQualityLadder(options.shape, maxKbps, tuning.ladder);
    this.#delay = new TrendlineEstimator(tuning.delay);
    this.#queue = new QueueDelayTracker({ baselineWindowMs: tuning.delay.baselineWindowMs });
    this.#demand = new AckedBitrateEstimator({
      windowMs: tuning.ladder.demandWindowMs,
      minSpanMs: tuning.ladder.demandWindowMs / 2,
    });
    this.#acked = new AckedBitrateEstimator({
      windowMs: tuning.rate.ackedWindowMs,
      minSpanMs: tuning.rate.ackedMinSpanMs,
    });
    this.#rate = new AimdRateControl(tuning.rate, { minKbps, maxKbps, startKbps: start });
    this.#lossWindow = new LossWindow({ windowMs: tuning.loss.windowMs, minPackets: tuning.loss.minPackets });
    this.#lossBound = new LossBasedEstimator(tuning, { minKbps, maxKbps });
    this.#ladderState = initialLadderState(this.ladder, start);
    this.#sent = { kbps: Math.round(start), atMs: undefined, rung: this.#ladderState.index };
    this.#current = this.#decision('start', true);
  }

  /** The latest decision (initially the start: the encoder's first target and picture). */
  get current(): BitrateDecision {
    return this.#current;
  }

  get probe(): BitrateControllerProbe {
    return {
      delay: this.#delay.signal,
      queueDelayMs: this.#queue.queueDelayMs,
      ackedKbps: this.#acked.kbps,
      delayEstimateKbps: this.#rate.estimateKbps,
      congestionPointKbps: this.#rate.congestionPointKbps,
      lossBoundKbps: this.#lossBound.boundKbps,
      rembKbps: this.#remb?.kbps,
    };
  }

  /** Packets settled by one transport-wide feedback (TwccFeedbackAdapter's 'feedback' event). */
  onTransportFeedback(feedback: TransportFeedback): BitrateDecision {
    const { atMs, packets } = feedback;
    if (packets.length === 0) return this.#decide(atMs);
    this.#lastFeedbackMs = atMs;
    this.#hasEstimate = true;
    const signal = this.#delay.update(packets);
    const queueDelayMs = this.#queue.update(packets);
    this.#acked.update(packets);
    this.#demand.update(packets);
    this.#lossWindow.add(packets);
    this.#rate.update({ usage: signal.usage, ackedKbps: this.#acked.kbps, nowMs: atMs });
    // Measure only packets sent since the target last went down: what was
    // sent before at the higher rate has been answered already.
    const loss = this.#lossWindow.measure(this.#lastDecreaseMs);
    if (loss) {
      this.#lossFraction = loss.fraction;
      const rising =
        signal.usage === 'overusing' ||
        signal.modifiedTrend > this.#tuning.loss.risingTrendFraction * signal.thresholdMs;
      this.#lossBound.update({
        fraction: loss.fraction,
        delayRising: rising,
        queueStanding: queueDelayMs !== undefined && queueDelayMs >= this.#tuning.loss.standingQueueMs,
        targetKbps: this.#raw(atMs),
        ackedKbps: this.#acked.kbps,
        nowMs: atMs,
      });
    }
    return this.#decide(atMs);
  }

  /**
   * An RTCP receiver report's fraction lost (0..1, i.e. the 8-bit field / 256).
   * It steers the loss bound only while no transport-wide feedback arrives
   * (a player without transport-cc); delay is unknown then, so 2-10 % holds nothing.
   */
  onReceiverReport(report: { fractionLost: number }, nowMs: number): BitrateDecision {
    const fraction = report.fractionLost;
    if (!(fraction >= 0 && fraction <= 1)) return this.#decide(nowMs);
    const stale = this.#lastFeedbackMs === undefined || nowMs - this.#lastFeedbackMs > this.#tuning.loss.twccStaleMs;
    if (stale) {
      this.#hasEstimate = true;
      this.#lossFraction = fraction;
      this.#lossBound.update({
        fraction,
        delayRising: false,
        queueStanding: false,
        targetKbps: this.#raw(nowMs),
        ackedKbps: undefined,
        nowMs,
      });
    }
    return this.#decide(nowMs);
  }

  /** A receiver-estimated maximum bitrate (REMB, bits per second): an upper bound while it keeps coming. */
  onRemb(bitrateBps: number, nowMs: number): BitrateDecision {
    if (Number.isFinite(bitrateBps) && bitrateBps > 0) {
      this.#remb = { kbps: bitrateBps / 1000, atMs: nowMs };
      this.#hasEstimate = true;
    }
    return this.#decide(nowMs);
  }

  /** Re-evaluates timers (ladder, pending increases, REMB expiry) without new feedback. */
  tick(nowMs: number): BitrateDecision {
    return this.#decide(nowMs);
  }

  /** The combined estimate before hysteresis. */
  #raw(nowMs: number): number {
    let raw = Math.min(this.#rate.estimateKbps, this.#lossBound.boundKbps, this.#maxKbps);
    if (this.#remb && nowMs - this.#remb.atMs <= this.#tuning.rembTimeoutMs) raw = Math.min(raw, this.#remb.kbps);
    return clamp(raw, this.#minKbps, this.#maxKbps);
  }

  #decide(nowMs: number): BitrateDecision {
    const raw = this.#raw(nowMs);
    this.#ladderState = stepQualityLadder(
      this.ladder,
      this.#ladderState,
      raw,
      nowMs,
      this.#tuning.ladder,
      this.#demand.kbps,
    );
    const rung = this.#ladderState.index;
    const reason = this.#reasonToSend(raw, rung, nowMs);
    if (reason) {
      if (Math.round(raw) < this.#sent.kbps) this.#lastDecreaseMs = nowMs;
      this.#sent = { kbps: Math.round(raw), atMs: nowMs, rung };
    }
    this.#current = this.#decision(reason ?? 'hold', reason !== undefined, raw);
    return this.#current;
  }

  /** Why the encoder must hear of `raw` now; undefined: the change is inside the hysteresis. */
  #reasonToSend(raw: number, rung: number, nowMs: number): BitrateDecisionReason | undefined {
    const sent = this.#sent;
    if (rung !== sent.rung) return rung > sent.rung ? 'ladder-down' : 'ladder-up';
    const { increaseFraction, increaseIntervalMs, decreaseFraction } = this.#tuning.hysteresis;
    const kbps = Math.round(raw);
    // Reaching a limit is always worth saying, however small the step.
    const atLimit = (kbps === Math.round(this.#maxKbps) || kbps === Math.round(this.#minKbps)) && kbps !== sent.kbps;
    if (kbps < sent.kbps && (kbps <= sent.kbps * (1 - decreaseFraction) || atLimit)) {
      return this.#lossBound.boundKbps <= raw ? 'loss' : 'overuse';
    }
    const spaced = sent.atMs === undefined || nowMs - sent.atMs >= increaseIntervalMs;
    if (kbps > sent.kbps && spaced && (kbps >= sent.kbps * (1 + increaseFraction) || atLimit)) return 'probe';
    return undefined;
  }

  #decision(reason: BitrateDecisionReason, changed: boolean, raw?: number): BitrateDecision {
    const rung = this.ladder[this.#sent.rung] ?? this.ladder[0];
    return {
      targetKbps: this.#sent.kbps,
      estimateKbps: this.#hasEstimate && raw !== undefined ? Math.round(raw) : 0,
      width: rung?.width ?? 0,
      height: rung?.height ?? 0,
      fps: rung?.fps ?? 0,
      lossFraction: this.#lossFraction,
      changed,
      reason,
    };
  }
}
