import type { AgentMinuteReport, ClientMinuteReport } from '@frameway/protocol/qos';
import { type Logger, pino } from 'pino';

// Report builders for the ledger's tests and the bench: plausible values for
// a healthy minute at `fps`, which a test then bends to what it checks.

/** A clock tests move by hand. */
export class ManualClock {
  #now: number;

  constructor(start = 1_767_225_600_000) {
    this.#now = start;
  }

  readonly now = (): number => this.#now;

  advance(ms: number): void {
    this.#now += ms;
  }

  set(ms: number): void {
    this.#now = ms;
  }
}

export interface ReportWindow {
  sessionId: string;
  minuteIndex: number;
  windowStart: number;
  intervalMs: number;
  fps: number;
}

export function healthyAgentReport(
  window: ReportWindow & { nodeId: string },
  overrides: Partial<AgentMinuteReport> = {},
): AgentMinuteReport {
  const frames = Math.round((window.fps * window.intervalMs) / 1000);
  return {
    sessionId: window.sessionId,
    nodeId: window.nodeId,
    minuteIndex: window.minuteIndex,
    windowStart: window.windowStart,
    windowEnd: window.windowStart + window.intervalMs,
    framesIn: frames,
    framesEncoded: frames - 2,
    framesDropped: 2,
    encodeTimeUsMean: 3_800,
    encodeTimeUsP95: 6_100,
    targetBitrateKbps: 8_000,
    ...overrides,
  };
}

export function healthyClientReport(
  window: ReportWindow,
  overrides: Partial<ClientMinuteReport> = {},
): ClientMinuteReport {
  const frames = Math.round((window.fps * window.intervalMs) / 1000);
  return {
    sessionId: window.sessionId,
    minuteIndex: window.minuteIndex,
    windowStart: window.windowStart + 3,
    windowEnd: window.windowStart + 3 + window.intervalMs,
    framesReceived: frames - 3,
    framesDecoded: frames - 3,
    framesRendered: frames - 4,
    freezeCount: 0,
    freezeMs: 0,
    rttUsP50: 4_000,
    rttUsP95: 9_000,
    jitterUsP95: 1_500,
    packetsReceived: 40_000,
    packetsLost: 3,
    bytesReceived: 60_000_000,
    inputSamples: 12,
    inputToPhotonUsP50: 28_000,
    inputToPhotonUsP95: 41_000,
    ...overrides,
  };
}

/** A logger that drops everything (tests that provoke failures on purpose). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
