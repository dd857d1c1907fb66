import type { MessageType, PayloadOf } from '@frameway/protocol';
import {
  type AgentMinuteReport,
  type QosSigner,
  type SignedAgentReport,
  signAgentReport,
} from '@frameway/protocol/qos';
import type { Logger } from '../logging/logger.js';
import type { HandoffWindow } from './HandoffTimer.js';

export type QosStart = PayloadOf<typeof MessageType.QosStart>;

/** Cumulative encoder counters (VideoEncoder.stats). */
export interface EncoderCounters {
  framesIn: number;
  framesWritten: number;
  framesDropped: number;
}

export interface AgentQosReporterOptions {
  start: QosStart;
  nodeId: string;
  signer: QosSigner;
  /** The encoder's target over the window that just ended (time-weighted mean); called once per report. */
  targetBitrateKbps: () => number;
  counters: () => EncoderCounters;
  handoff: () => HandoffWindow;
  /** Delivers one signed report (QosAgentReport request); rejects when the gateway refuses it. */
  send: (signed: SignedAgentReport) => Promise<void>;
  log: Logger;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Reports one session's encoder side every interval, aligned to the
 * gateway's minute grid (QosStart says how far into minute 0 it is, so no
 * clock sync is needed), signed with the node key. A minute cut short by the
 * session's end is not reported.
 */
export class AgentQosReporter {
  readonly #options: AgentQosReporterOptions & {
    now: () => number;
    setTimer: (callback: () => void, ms: number) => unknown;
    clearTimer: (handle: unknown) => void;
  };
  /** Local time of minute 0's start. */
  readonly #origin: number;
  #minute: number;
  #windowStart: number;
  #last: EncoderCounters;
  #timer: unknown;
  #closed = false;

  constructor(options: AgentQosReporterOptions) {
    this.#options = {
      now: Date.now,
      setTimer: (callback, ms) => {
        const timer = setTimeout(callback, ms);
        timer.unref();
        return timer;
      },
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
      ...options,
    };
    const now = this.#options.now();
    const { intervalMs, elapsedMs } = options.start;
    this.#origin = now - elapsedMs;
    this.#minute = Math.floor(elapsedMs / intervalMs);
    this.#windowStart = now;
    this.#last = { ...options.counters() };
    options.handoff(); // start a fresh timing window
    this.#schedule();
  }

  get sessionId(): string {
    return this.#options.start.sessionId;
  }

  /** Stops reporting; the running minute is not reported. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#options.clearTimer(this.#timer);
  }

  #schedule(): void {
    if (this.#closed) return;
    const end = this.#origin + (this.#minute + 1) * this.#options.start.intervalMs;
    this.#timer = this.#options.setTimer(() => this.#report(), Math.max(0, end - this.#options.now()));
  }

  #report(): void {
    if (this.#closed) return;
    const { counters, handoff, nodeId, start, signer, send, log, targetBitrateKbps } = this.#options;
    const now = this.#options.now();
    const current = counters();
    const timing = handoff();
    const report: AgentMinuteReport = {
      sessionId: start.sessionId,
      nodeId,
      minuteIndex: this.#minute,
      windowStart: Math.round(this.#windowStart),
      windowEnd: Math.round(now),
      framesIn: delta(current.framesIn, this.#last.framesIn),
      framesEncoded: delta(current.framesWritten, this.#last.framesWritten),
      framesDropped: delta(current.framesDropped, this.#last.framesDropped),
      encodeTimeUsMean: clampU32(timing.meanUs),
      encodeTimeUsP95: clampU32(timing.p95Us),
      targetBitrateKbps: clampU32(targetBitrateKbps()),
    };
    this.#last = { ...current };
    this.#windowStart = now;
    this.#minute++;
    this.#schedule();
    signAgentReport(signer, start.domain, report)
      .then((signature) => send({ report, signature }))
      .then(
        () => log.debug({ minute: report.minuteIndex, frames: report.framesEncoded }, 'QoS report accepted'),
        (error: unknown) => log.warn({ err: error, minute: report.minuteIndex }, 'QoS report not accepted'),
      );
  }
}

function delta(current: number, previous: number): number {
  // Counters restart with a new encoder: never report a negative count.
  return clampU32(current >= previous ? current - previous : current);
}

function clampU32(value: number): number {
  return Math.max(0, Math.min(0xffff_ffff, Math.round(value)));
}
