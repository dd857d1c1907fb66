import type { FreezeEvent } from './FreezeDetector.js';

export type QualityWarningKind = 'freeze' | 'latency' | 'rtt' | 'loss' | 'fps';

/** A quality problem that started (`active`) or cleared. */
export interface QualityWarning {
  kind: QualityWarningKind;
  active: boolean;
  /** The measured value that crossed (or came back under) the threshold. */
  value: number;
  threshold: number;
  message: string;
}

/** Where quality turns from good to a warning. */
export interface QualityThresholds {
  /** Network round trip. Default 80 ms. */
  maxRttMs: number;
  /** Packet loss over one stats interval. Default 2 %. */
  maxLossPercent: number;
  /** Shown frame rate as a fraction of the stream's. Default 0.8. */
  minFpsRatio: number;
  /** Per-frame network-to-screen estimate (p95 over the interval). Default 100 ms. */
  maxLatencyMs: number;
}

export const DEFAULT_QUALITY_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze({
  maxRttMs: 80,
  maxLossPercent: 2,
  minFpsRatio: 0.8,
  maxLatencyMs: 100,
});

/** One stats interval as the monitor judges it. */
export interface QualitySample {
  rttMs: number | undefined;
  lossPercent: number;
  fps: number;
  /** p95 of the per-frame estimate, or the stats-based estimate where there is none. */
  latencyMs: number | undefined;
}

export type QualityLevel = 'good' | 'fair' | 'poor';

export interface QualityMonitorOptions {
  thresholds?: Partial<QualityThresholds>;
  /** The stream's frame rate (from the join). */
  expectedFps: number;
  /** Good intervals in a row before a warning clears; keeps a flapping link from flickering. Default 2. */
  clearAfter?: number;
}

/**
 * Turns stats samples and freeze events into quality warnings: one event
 * when a problem starts, one when it has cleared. Decides only.
 */
export class QualityMonitor {
  readonly thresholds: Readonly<QualityThresholds>;
  readonly #expectedFps: number;
  readonly #clearAfter: number;
  readonly #active = new Map<QualityWarningKind, QualityWarning>();
  readonly #goodRuns = new Map<QualityWarningKind, number>();

  constructor(options: QualityMonitorOptions) {
    this.thresholds = Object.freeze({ ...DEFAULT_QUALITY_THRESHOLDS, ...options.thresholds });
    this.#expectedFps = options.expectedFps;
    this.#clearAfter = options.clearAfter ?? 2;
  }

  /** The problems active now. */
  get active(): QualityWarning[] {
    return [...this.#active.values()];
  }

  /** good: nothing wrong; fair: one problem; poor: a freeze or several problems. */
  get level(): QualityLevel {
    if (this.#active.has('freeze') || this.#active.size >= 2) return 'poor';
    return this.#active.size === 1 ? 'fair' : 'good';
  }

  /** Judges one stats interval; returns the warnings that started or cleared. */
  update(sample: QualitySample): QualityWarning[] {
    const t = this.thresholds;
    const minFps = this.#expectedFps * t.minFpsRatio;
    const checks: [QualityWarningKind, number | undefined, number, boolean, string][] = [
      ['rtt', sample.rttMs, t.maxRttMs, (sample.rttMs ?? 0) > t.maxRttMs, 'high network round trip'],
      ['loss', sample.lossPercent, t.maxLossPercent, sample.lossPercent > t.maxLossPercent, 'packet loss'],
      ['fps', sample.fps, minFps, sample.fps > 0 && sample.fps < minFps, 'low frame rate'],
      [
        'latency',
        sample.latencyMs,
        t.maxLatencyMs,
        (sample.latencyMs ?? 0) > t.maxLatencyMs,
        'high network-to-screen latency',
      ],
    ];
    const changes: QualityWarning[] = [];
    for (const [kind, value, threshold, bad, what] of checks) {
      if (value === undefined) continue;
      const change = this.#judge(kind, value, threshold, bad, what);
      if (change) changes.push(change);
    }
    return changes;
  }

  /** A freeze started or ended (from the frame monitor). */
  freeze(event: FreezeEvent): QualityWarning | undefined {
    if (event.type === 'start') {
      if (this.#active.has('freeze')) return undefined;
      const warning = this.#warning('freeze', true, event.gapMs, 0, 'the video froze');
      this.#active.set('freeze', warning);
      return warning;
    }
    if (!this.#active.delete('freeze')) return undefined;
    return this.#warning('freeze', false, event.durationMs, 0, 'the video froze');
  }

  /** Forgets every active problem (a new peer connection); returns them as cleared. */
  reset(): QualityWarning[] {
    const cleared = this.active.map((warning) => ({ ...warning, active: false }));
    this.#active.clear();
    this.#goodRuns.clear();
    return cleared;
  }

  #judge(
    kind: QualityWarningKind,
    value: number,
    threshold: number,
    bad: boolean,
    what: string,
  ): QualityWarning | undefined {
    if (bad) {
      this.#goodRuns.set(kind, 0);
      if (this.#active.has(kind)) return undefined;
      const warning = this.#warning(kind, true, value, threshold, what);
      this.#active.set(kind, warning);
      return warning;
    }
    if (!this.#active.has(kind)) return undefined;
    const run = (this.#goodRuns.get(kind) ?? 0) + 1;
    this.#goodRuns.set(kind, run);
    if (run < this.#clearAfter) return undefined;
    this.#active.delete(kind);
    return this.#warning(kind, false, value, threshold, what);
  }

  #warning(kind: QualityWarningKind, active: boolean, value: number, threshold: number, what: string): QualityWarning {
    const shown = Math.round(value * 10) / 10;
    const message =
      kind === 'freeze'
        ? active
          ? `${what}: no new frame for ${Math.round(value)} ms`
          : `the video resumed after ${Math.round(value)} ms`
        : `${active ? what : `${what} is back to normal`}: ${shown} (threshold ${Math.round(threshold * 10) / 10})`;
    return { kind, active, value: shown, threshold, message };
  }
}
