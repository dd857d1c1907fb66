import { deriveStats, type SessionStats, type StatsEntry, type StatsSample } from './deriveStats.js';

export interface StatsMonitorOptions {
  /** Reads one stats report. */
  read: () => Promise<Iterable<StatsEntry>>;
  /** Called with every periodic sample. */
  onStats: (stats: SessionStats) => void;
  /** Called when a periodic read fails; the monitor keeps going. */
  onError?: (error: unknown) => void;
  /** Period of the samples; 0 turns periodic sampling off. */
  intervalMs?: number;
  /** Adds what the report cannot know (per-frame figures from the `<video>`) to each sample. */
  augment?: (stats: SessionStats) => SessionStats;
}

/** Samples stats on a timer and on demand; rates always cover the time since the previous sample. */
export class StatsMonitor {
  readonly #options: StatsMonitorOptions & { intervalMs: number };
  #previous: StatsSample | undefined;
  #latest: SessionStats | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: StatsMonitorOptions) {
    this.#options = { intervalMs: 1000, ...options };
  }

  /** The last sample taken, if any. */
  get latest(): SessionStats | undefined {
    return this.#latest;
  }

  /** Starts periodic sampling; does nothing if already running, closed, or the interval is 0. */
  start(): void {
    if (this.#closed || this.#timer !== undefined || this.#options.intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      this.sample().then(
        (stats) => {
          if (!this.#closed) this.#options.onStats(stats);
        },
        (error: unknown) => {
          if (!this.#closed) this.#options.onError?.(error);
        },
      );
    }, this.#options.intervalMs);
  }

  /** Takes one sample now. */
  async sample(): Promise<SessionStats> {
    const report = await this.#options.read();
    const derived = deriveStats(report, this.#previous);
    const stats = this.#options.augment ? this.#options.augment(derived.stats) : derived.stats;
    this.#previous = derived.sample;
    this.#latest = stats;
    return stats;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
