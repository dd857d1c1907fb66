import type { ClientMinuteReport } from '@frameway/protocol/qos';
import type { SessionStats } from '../media/deriveStats.js';

/** The cumulative counters a stats sample carries. */
type Counter =
  | 'framesReceived'
  | 'framesDecoded'
  | 'framesDropped'
  | 'freezeCount'
  | 'totalFreezesDurationMs'
  | 'packetsReceived'
  | 'packetsLost'
  | 'bytesReceived';

const COUNTERS: readonly Counter[] = [
  'framesReceived',
  'framesDecoded',
  'framesDropped',
  'freezeCount',
  'totalFreezesDurationMs',
  'packetsReceived',
  'packetsLost',
  'bytesReceived',
];

type Totals = Record<Counter, number>;

const zero = (): Totals => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Totals;

/**
 * Folds the periodic WebRTC stats samples of one minute into the counters of
 * a client report. Counters restart when a resume replaces the peer
 * connection; a sample whose counter went backwards counts from zero. Pure.
 */
export class MinuteStats {
  #previous: Totals | undefined;
  #sums: Totals = zero();
  #rttUs: number[] = [];
  #jitterUs: number[] = [];
  #inputUs: number[] = [];

  /** Adds one stats sample. */
  add(stats: SessionStats): void {
    const current = Object.fromEntries(COUNTERS.map((c) => [c, finite(stats[c])])) as Totals;
    const previous = this.#previous;
    for (const counter of COUNTERS) {
      const before = previous?.[counter];
      const now = current[counter];
      this.#sums[counter] += before === undefined ? 0 : now >= before ? now - before : now;
    }
    this.#previous = current;
    if (stats.rttMs !== undefined && Number.isFinite(stats.rttMs)) this.#rttUs.push(stats.rttMs * 1000);
    if (stats.jitterMs !== undefined && Number.isFinite(stats.jitterMs)) this.#jitterUs.push(stats.jitterMs * 1000);
  }

  /** Adds one input-to-photon measurement. */
  addInputToPhoton(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.#inputUs.push(ms * 1000);
  }

  /** The minute's report fields, and a new minute starts (the last sample stays the baseline). */
  take(window: { sessionId: string; minuteIndex: number; windowStart: number; windowEnd: number }): ClientMinuteReport {
    const sums = this.#sums;
    const report: ClientMinuteReport = {
      ...window,
      framesReceived: u32(sums.framesReceived),
      framesDecoded: u32(sums.framesDecoded),
      framesRendered: u32(Math.max(0, sums.framesDecoded - sums.framesDropped)),
      freezeCount: u32(sums.freezeCount),
      freezeMs: u32(sums.totalFreezesDurationMs),
      rttUsP50: u32(percentile(this.#rttUs, 50)),
      rttUsP95: u32(percentile(this.#rttUs, 95)),
      jitterUsP95: u32(percentile(this.#jitterUs, 95)),
      packetsReceived: u32(sums.packetsReceived),
      packetsLost: u32(sums.packetsLost),
      bytesReceived: u32(sums.bytesReceived),
      inputSamples: u32(this.#inputUs.length),
      inputToPhotonUsP50: u32(percentile(this.#inputUs, 50)),
      inputToPhotonUsP95: u32(percentile(this.#inputUs, 95)),
    };
    this.#sums = zero();
    this.#rttUs = [];
    this.#jitterUs = [];
    this.#inputUs = [];
    return report;
  }
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function u32(value: number): number {
  return Math.max(0, Math.min(0xffff_ffff, Math.round(value)));
}

/** Nearest-rank percentile; 0 when there is no sample. */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] as number;
}
