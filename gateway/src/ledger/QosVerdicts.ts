import type { TypedEmitter } from '@frameway/protocol';

/**
 * The verdict on one minute of one session against its title's SLA, as the
 * QoS ledger records it after checking both sides' signed reports. Billing
 * reads these to credit failed minutes; webhooks announce breaches.
 */
export interface MinuteVerdict {
  sessionId: string;
  /** 0-based minute since the session started streaming. */
  minuteIndex: number;
  /** Minute start, epoch ms. */
  startedAt: number;
  slaMet: boolean;
  /** Why the minute failed (e.g. 'fps_below_target', 'latency_over_budget', 'client_report_missing'); empty when met. */
  failures: readonly string[];
  /** Frames per second the player rendered (or the agent encoded when the client report is missing). */
  fps: number;
  /** 95th-percentile input-to-photon or RTT-based latency for the minute, ms. */
  p95LatencyMs: number;
}

export type QosVerdictEvents = {
  verdict: [verdict: MinuteVerdict];
};

/** Where minute verdicts come from: the QoS ledger implements it; tests can feed a fake. */
export interface QosVerdictSource extends TypedEmitter<QosVerdictEvents> {
  /** Every verdict recorded for a session, in minute order. */
  verdictsFor(sessionId: string): readonly MinuteVerdict[];
}
