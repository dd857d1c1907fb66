import type { AgentMinuteReport, ClientMinuteReport } from '@frameway/protocol/qos';
import { describe, expect, it } from 'vitest';
import { healthyAgentReport, healthyClientReport } from '../testing/qosFixtures.js';
import { judgeMinute, type MinuteEvidence, type MinuteSla } from './judgeMinute.js';

const sla: MinuteSla = { targetFps: 60, fpsRatio: 0.95, latencyBudgetMs: 30, inputToPhotonBudgetMs: 100 };
const window = { sessionId: 'ses_1', minuteIndex: 2, windowStart: 1_000_000, intervalMs: 60_000, fps: 60 };

function evidence(
  agent?: Partial<AgentMinuteReport> | null,
  client?: Partial<ClientMinuteReport> | null,
): MinuteEvidence {
  return {
    minuteIndex: 2,
    intervalMs: 60_000,
    agent:
      agent === null
        ? { report: undefined, rejected: false }
        : { report: healthyAgentReport({ ...window, nodeId: 'n1' }, agent) },
    client: client === null ? { report: undefined, rejected: false } : { report: healthyClientReport(window, client) },
  };
}

describe('judgeMinute', () => {
  it('meets the SLA with two consistent healthy reports', () => {
    const verdict = judgeMinute(evidence({}, {}), sla);
    expect(verdict).toMatchObject({ slaMet: true, failures: [], rttP95Us: 9_000, inputP95Us: 41_000 });
    expect(verdict.fps).toBeCloseTo(3596 / 60, 3);
    expect(verdict.p95LatencyUs).toBe(41_000);
  });

  it('fails a minute whose rendered frame rate is under 95 % of the target', () => {
    const verdict = judgeMinute(evidence({}, { framesRendered: 56 * 60 }), sla);
    expect(verdict.slaMet).toBe(false);
    expect(verdict.failures).toEqual(['fps_below_target']);
    expect(verdict.fps).toBeCloseTo(56, 5);
  });

  it('fails a minute whose p95 RTT is over the latency budget, and one whose input-to-photon is over its budget', () => {
    expect(judgeMinute(evidence({}, { rttUsP95: 31_000 }), sla).failures).toEqual(['latency_over_budget']);
    expect(judgeMinute(evidence({}, { inputToPhotonUsP95: 140_000 }), sla).failures).toEqual([
      'input_latency_over_budget',
    ]);
  });

  it('uses RTT as the latency when the client measured no input', () => {
    const verdict = judgeMinute(evidence({}, { inputSamples: 0, inputToPhotonUsP50: 0, inputToPhotonUsP95: 0 }), sla);
    expect(verdict).toMatchObject({ slaMet: true, p95LatencyUs: 9_000, inputP95Us: null });
  });

  it('says which side is missing and judges the frame rate from the other side', () => {
    const noClient = judgeMinute(evidence({}, null), sla);
    expect(noClient.failures).toEqual(['client_report_missing']);
    expect(noClient.fps).toBeCloseTo(3598 / 60, 3);
    expect(noClient.p95LatencyUs).toBe(0);
    const noAgent = judgeMinute(evidence(null, {}), sla);
    expect(noAgent.failures).toEqual(['agent_report_missing']);
    const none = judgeMinute(evidence(null, null), sla);
    expect(none.failures).toEqual(['agent_report_missing', 'client_report_missing', 'fps_below_target']);
  });

  it('tells a rejected report from a missing one', () => {
    const verdict = judgeMinute({ ...evidence({}, null), client: { report: undefined, rejected: true } }, sla);
    expect(verdict.failures).toEqual(['client_report_invalid']);
  });

  it('flags a player that claims more frames than the agent sent', () => {
    const verdict = judgeMinute(evidence({ framesEncoded: 1800, framesIn: 1802 }, {}), sla);
    expect(verdict.failures).toContain('frames_mismatch');
  });

  it('flags counters no real encoder or decoder can produce', () => {
    expect(judgeMinute(evidence({ framesEncoded: 60 * 60 * 2, framesIn: 60 * 60 * 2 }), sla).failures).toContain(
      'timing_implausible',
    );
    expect(judgeMinute(evidence({}, { framesDecoded: 3596 + 500 }), sla).failures).toContain('timing_implausible');
    expect(judgeMinute(evidence({ windowEnd: window.windowStart + 120_000 }, {}), sla).failures).toContain(
      'timing_implausible',
    );
    expect(judgeMinute(evidence({}, { rttUsP50: 20_000, rttUsP95: 10_000 }), sla).failures).toContain(
      'timing_implausible',
    );
  });

  it('accepts a short window from a player that joined mid-minute', () => {
    const joinedLate = {
      windowStart: window.windowStart + 40_000,
      framesReceived: 1190,
      framesDecoded: 1190,
      framesRendered: 1189,
    };
    const verdict = judgeMinute(evidence({}, { ...joinedLate, windowEnd: window.windowStart + 60_003 }), sla);
    expect(verdict.slaMet).toBe(true);
  });
});
