import type { Logger } from '../log/Logger.js';
import type { SessionStats, StatsEntry } from '../media/deriveStats.js';
import type { FreezeEvent } from '../media/FreezeDetector.js';
import {
  type QualityLevel,
  QualityMonitor,
  type QualityThresholds,
  type QualityWarning,
} from '../media/QualityMonitor.js';
import { StatsMonitor } from '../media/StatsMonitor.js';
import type { PlayoutStats } from './MediaPlayout.js';
import type { StreamQualityInfo } from './sessionEvents.js';

export interface SessionHealthOptions {
  /** Period of the stats samples; 0 samples only on request. */
  intervalMs: number;
  thresholds: Partial<QualityThresholds>;
  logger: Logger;
  /** The current peer connection's raw stats; throws when there is none. */
  read: () => Promise<Iterable<StatsEntry>>;
  /** Presented-frame figures from the attached `<video>`. */
  playout: () => PlayoutStats;
  /** True while resuming: warnings about a connection that is gone mean nothing. */
  resuming: () => boolean;
  /** Every periodic sample, before it is judged. */
  onStats: (stats: SessionStats) => void;
  /** A quality problem started or cleared. */
  onWarning: (warning: QualityWarning) => void;
}

/**
 * The session's stats and quality verdicts: periodic samples, enriched with
 * presented frames, reconnects and the gateway's bitrate, judged against the
 * thresholds, skipping the start-up interval after each (re)connection.
 */
export class SessionHealth {
  readonly #options: SessionHealthOptions;
  readonly #stats: StatsMonitor;
  #quality: QualityMonitor | undefined;
  #reconnects = 0;
  #streamQuality: StreamQualityInfo | undefined;
  /** The first stats interval after a (re)connection covers its start-up (first keyframe, low fps): not judged. */
  #settling = true;

  constructor(options: SessionHealthOptions) {
    this.#options = options;
    this.#stats = new StatsMonitor({
      read: options.read,
      augment: (stats) => ({
        ...stats,
        ...options.playout(),
        reconnects: this.#reconnects,
        targetKbps: this.#streamQuality?.targetKbps,
        estimateKbps: this.#streamQuality?.estimateKbps,
      }),
      onStats: (stats) => this.#onStats(stats),
      onError: (error) => options.logger.debug('stats sample failed', error),
      intervalMs: options.intervalMs,
    });
  }

  /** The last sample, if any. */
  get latest(): SessionStats | undefined {
    return this.#stats.latest;
  }

  /** good / fair / poor; undefined until joined. */
  get level(): QualityLevel | undefined {
    return this.#quality?.level;
  }

  get warnings(): QualityWarning[] {
    return this.#quality?.active ?? [];
  }

  /** What the gateway sends now, carried in every later sample. */
  set streamQuality(quality: StreamQualityInfo) {
    this.#streamQuality = quality;
  }

  sample(): Promise<SessionStats> {
    return this.#stats.sample();
  }

  /** Joined: frame rate is judged against what the gateway announced. */
  joined(expectedFps: number): void {
    this.#quality = new QualityMonitor({ expectedFps, thresholds: this.#options.thresholds });
  }

  /** The first connection is up: sampling starts. */
  connected(): void {
    this.#settling = true;
    this.#stats.start();
  }

  /** An outage began: warnings about the old connection are cleared (the page shows the outage instead). */
  outage(): void {
    this.#quality?.reset();
  }

  resumed(): void {
    this.#reconnects += 1;
    this.#settling = true;
  }

  freeze(event: FreezeEvent): void {
    const warning = this.#quality?.freeze(event);
    if (warning) this.#options.onWarning(warning);
  }

  close(): void {
    this.#stats.close();
  }

  #onStats(stats: SessionStats): void {
    this.#options.onStats(stats);
    if (this.#options.resuming() || !this.#quality) return;
    if (this.#settling) {
      this.#settling = false;
      return;
    }
    const warnings = this.#quality.update({
      rttMs: stats.rttMs,
      lossPercent: stats.lossPercent,
      fps: stats.presentedFps ?? stats.fps,
      latencyMs: stats.frameLatencyP95Ms ?? stats.latencyEstimateMs,
    });
    for (const warning of warnings) this.#options.onWarning(warning);
  }
}
