import { agentReportDigest, qosDomain, recoverSigner, type SignedAgentReport } from '@frameway/protocol/qos';
import { pino } from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { AgentQosReporter, type EncoderCounters } from './AgentQosReporter.js';

const domain = qosDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');

function harness(elapsedMs: number) {
  let now = 1_000_000;
  const timers: Array<{ at: number; callback: () => void }> = [];
  const counters: EncoderCounters = { framesIn: 0, framesWritten: 0, framesDropped: 0 };
  const sent: SignedAgentReport[] = [];
  const key = privateKeyToAccount(generatePrivateKey());
  const reporter = new AgentQosReporter({
    start: { sessionId: 'ses_a', domain, intervalMs: 60_000, elapsedMs },
    nodeId: 'node-1',
    signer: key,
    targetBitrateKbps: () => 8000,
    counters: () => counters,
    handoff: () => ({ samples: 10, meanUs: 3_000, p95Us: 5_000 }),
    send: async (signed) => {
      sent.push(signed);
    },
    log: pino({ level: 'silent' }),
    now: () => now,
    setTimer: (callback, ms) => {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => {
      const index = timers.indexOf(handle as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  });
  /** Runs time forward to `ms` later, firing due timers, counting frames at 60 fps. */
  const advance = async (ms: number) => {
    const target = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > target) break;
      timers.shift();
      const frames = Math.round(((next.at - now) * 60) / 1000);
      counters.framesIn += frames;
      counters.framesWritten += frames - 1;
      counters.framesDropped += 1;
      now = next.at;
      next.callback();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    now = target;
  };
  return { reporter, sent, key, advance, now: () => now };
}

describe('AgentQosReporter', () => {
  it('reports each minute on the gateway grid, with counter deltas, signed by the node key', async () => {
    const h = harness(15_000);
    await h.advance(45_000 + 60_000 + 100);
    expect(h.sent.map((s) => s.report.minuteIndex)).toEqual([0, 1]);
    const [first, second] = h.sent.map((s) => s.report);
    // Minute 0 is partial (the reporter started 15 s in); minute 1 is whole.
    expect(first).toMatchObject({ windowStart: 1_000_000, windowEnd: 1_045_000, framesIn: 2700, framesEncoded: 2699 });
    expect(second).toMatchObject({ windowStart: 1_045_000, windowEnd: 1_105_000, framesIn: 3600, framesEncoded: 3599 });
    expect(second).toMatchObject({
      framesDropped: 1,
      encodeTimeUsMean: 3000,
      encodeTimeUsP95: 5000,
      targetBitrateKbps: 8000,
    });
    for (const signed of h.sent) {
      expect(await recoverSigner(agentReportDigest(domain, signed.report), signed.signature)).toBe(h.key.address);
    }
  });

  it('stops at close and never reports the minute the session was cut in', async () => {
    const h = harness(0);
    await h.advance(60_000);
    await h.advance(30_000);
    h.reporter.close();
    await h.advance(120_000);
    expect(h.sent.map((s) => s.report.minuteIndex)).toEqual([0]);
  });
});
