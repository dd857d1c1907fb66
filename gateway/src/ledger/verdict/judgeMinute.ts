import type { AgentMinuteReport, ClientMinuteReport, MinuteFailure } from '@frameway/protocol/qos';

/** The title's service level, as one minute is judged against it. */
export interface MinuteSla {
  /** The session's frame rate (spec `video.fps`). */
  targetFps: number;
  /** A minute meets the frame-rate SLA at `targetFps × fpsRatio` (0.95). */
  fpsRatio: number;
  /** Round-trip budget (spec `latencyBudgetMs`), judged against the client's p95 RTT. */
  latencyBudgetMs: number;
  /** p95 input-to-photon budget, judged when the client measured any input. */
  inputToPhotonBudgetMs: number;
}

/** What one side said about a minute, if it said anything that verified. */
export type SideEvidence<R> = { report: R } | { report: undefined; rejected: boolean };

export interface MinuteEvidence {
  minuteIndex: number;
  intervalMs: number;
  agent: SideEvidence<AgentMinuteReport>;
  client: SideEvidence<ClientMinuteReport>;
}

export interface MinuteJudgement {
  slaMet: boolean;
  failures: MinuteFailure[];
  /** Frames per second the player rendered, or the agent encoded when there is no client report. */
  fps: number;
  /** p95 input-to-photon when the client measured input this minute, p95 RTT otherwise; 0 without a client report. */
  p95LatencyUs: number;
  rttP95Us: number | null;
  inputP95Us: number | null;
}

/** Tolerances of the cross-checks (exported for the docs and tests). */
export const CROSS_CHECK = {
  /** A report may cover at most this share more than the interval (clock drift, timer lateness)… */
  windowOverrunRatio: 0.1,
  /** …plus this much. */
  windowOverrunMs: 1000,
  /** Counters may disagree by this many seconds' worth of frames (window edges, reporting offsets). */
  frameSlackSeconds: 2,
  /** The agent cannot encode more than the frame clock produces: fps × window × (1 + this) + slack. */
  encodeOverrunRatio: 0.1,
  /** The player cannot receive more frames than the agent sent: agent × (1 + this) + slack. */
  receiveOverrunRatio: 0.02,
} as const;

/**
 * Judges one minute from the two sides' verified reports: cross-checks them
 * (window lengths, frames sent vs received, counters that cannot exceed each
 * other) and the SLA (frame rate, RTT budget, input-to-photon budget). Any
 * failure, a missing or rejected report included, fails the minute: proof of
 * delivery needs both attestations. Pure: no clock, no I/O.
 */
export function judgeMinute(evidence: MinuteEvidence, sla: MinuteSla): MinuteJudgement {
  const failures = new Set<MinuteFailure>();
  const agent = evidence.agent.report;
  const client = evidence.client.report;
  const slack = sla.targetFps * CROSS_CHECK.frameSlackSeconds;
  const maxWindowMs = evidence.intervalMs * (1 + CROSS_CHECK.windowOverrunRatio) + CROSS_CHECK.windowOverrunMs;

  if (!agent) failures.add(rejected(evidence.agent) ? 'agent_report_invalid' : 'agent_report_missing');
  if (!client) failures.add(rejected(evidence.client) ? 'client_report_invalid' : 'client_report_missing');

  const agentSeconds = agent ? windowSeconds(agent) : 0;
  const clientSeconds = client ? windowSeconds(client) : 0;
  if (agent) {
    const implausible =
      agentSeconds <= 0 ||
      agent.windowEnd - agent.windowStart > maxWindowMs ||
      agent.framesEncoded > sla.targetFps * agentSeconds * (1 + CROSS_CHECK.encodeOverrunRatio) + slack ||
      agent.framesEncoded + agent.framesDropped > agent.framesIn + slack ||
      agent.encodeTimeUsMean > agent.encodeTimeUsP95 * 2 + 1000;
    if (implausible) failures.add('timing_implausible');
  }
  if (client) {
    const implausible =
      clientSeconds <= 0 ||
      client.windowEnd - client.windowStart > maxWindowMs ||
      client.framesDecoded > client.framesReceived + slack ||
      client.framesRendered > client.framesDecoded + slack ||
      client.rttUsP50 > client.rttUsP95 ||
      client.inputToPhotonUsP50 > client.inputToPhotonUsP95 ||
      client.freezeMs > client.windowEnd - client.windowStart + CROSS_CHECK.windowOverrunMs;
    if (implausible) failures.add('timing_implausible');
  }
  if (agent && client) {
    const sent = agent.framesEncoded;
    if (client.framesReceived > sent * (1 + CROSS_CHECK.receiveOverrunRatio) + slack) failures.add('frames_mismatch');
  }

  let fps = 0;
  if (client && clientSeconds > 0) fps = client.framesRendered / clientSeconds;
  else if (agent && agentSeconds > 0) fps = agent.framesEncoded / agentSeconds;
  if (fps < sla.targetFps * sla.fpsRatio) failures.add('fps_below_target');

  let rttP95Us: number | null = null;
  let inputP95Us: number | null = null;
  if (client) {
    rttP95Us = client.rttUsP95;
    if (client.rttUsP95 > sla.latencyBudgetMs * 1000) failures.add('latency_over_budget');
    if (client.inputSamples > 0) {
      inputP95Us = client.inputToPhotonUsP95;
      if (client.inputToPhotonUsP95 > sla.inputToPhotonBudgetMs * 1000) failures.add('input_latency_over_budget');
    }
  }

  const ordered = [...failures].sort();
  return {
    slaMet: ordered.length === 0,
    failures: ordered,
    fps,
    p95LatencyUs: inputP95Us ?? rttP95Us ?? 0,
    rttP95Us,
    inputP95Us,
  };
}

function rejected<R>(evidence: SideEvidence<R>): boolean {
  return 'rejected' in evidence && evidence.rejected;
}

function windowSeconds(report: { windowStart: number; windowEnd: number }): number {
  return (report.windowEnd - report.windowStart) / 1000;
}
