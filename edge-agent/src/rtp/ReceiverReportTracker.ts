import type { ReportBlock } from './parseRtcpFeedback.js';

/** What the gateway last said about our stream. */
export interface ReceiverReport {
  /** Share of packets lost since its previous report, 0..1. */
  fractionLost: number;
  /** Packets lost since the stream began. */
  cumulativeLost: number;
  /** Interarrival jitter in RTP timestamp units, as on the wire. */
  jitter: number;
  /** The same jitter in milliseconds. */
  jitterMs: number;
  /** Round trip from this report's LSR/DLSR; absent when it echoes no SR we still know. */
  rttMs?: number;
}

/** SRs remembered for matching LSR echoes: at one per second, several seconds of reports. */
const REMEMBERED_SRS = 8;

/**
 * Turns report blocks into ReceiverReports, measuring RTT (RFC 3550 §6.4.1)
 * against the SRs we sent: the receiver echoes an SR's compact NTP time and
 * how long it held it, and we kept when we sent it on our own monotonic
 * clock, so no clock sync is needed. Pure: time comes in with each call.
 */
export class ReceiverReportTracker {
  readonly clockRate: number;
  readonly #srNtp = new Float64Array(REMEMBERED_SRS).fill(-1);
  readonly #srSentAt = new Float64Array(REMEMBERED_SRS);
  #srNext = 0;
  #rttMs: number | undefined;
  #last: ReceiverReport | undefined;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  /** The latest RTT measured, if any. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }

  get last(): ReceiverReport | undefined {
    return this.#last;
  }

  /** Remembers an SR sent at `sentAtMs` with compact NTP time `compactNtp`. */
  recordSenderReport(compactNtp: number, sentAtMs: number): void {
    this.#srNtp[this.#srNext] = compactNtp;
    this.#srSentAt[this.#srNext] = sentAtMs;
    this.#srNext = (this.#srNext + 1) % REMEMBERED_SRS;
  }

  onReportBlock(block: ReportBlock, nowMs: number): ReceiverReport {
    const report: ReceiverReport = {
      fractionLost: block.fractionLost,
      cumulativeLost: block.cumulativeLost,
      jitter: block.jitter,
      jitterMs: (block.jitter * 1000) / this.clockRate,
    };
    const rtt = this.#rttOf(block, nowMs);
    if (rtt !== undefined) {
      report.rttMs = rtt;
      this.#rttMs = rtt;
    }
    this.#last = report;
    return report;
  }

  #rttOf(block: ReportBlock, nowMs: number): number | undefined {
    if (block.lastSr === 0) return undefined;
    const slot = this.#srNtp.indexOf(block.lastSr);
    if (slot < 0) return undefined;
    const held = (block.delaySinceLastSr * 1000) / 65_536;
    const rtt = nowMs - this.#srSentAt[slot]! - held;
    // DLSR is rounded to 1/65536 s and clocks tick coarsely: a loopback RTT can come out a hair below zero.
    return Math.max(0, rtt);
  }
}
