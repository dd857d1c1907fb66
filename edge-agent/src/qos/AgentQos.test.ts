import { type AnyMessage, MessageType, type SignalingChannel } from '@frameway/protocol';
import { agentReportDigest, qosDomain, recoverSigner, type SignedAgentReport } from '@frameway/protocol/qos';
import { pino } from 'pino';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it, vi } from 'vitest';
import { AgentQos } from './AgentQos.js';

const domain = qosDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');

describe('AgentQos', () => {
  it('starts a signed reporter for a running session on QosStart and stops it when the session ends', async () => {
    const key = privateKeyToAccount(generatePrivateKey());
    let now = 0;
    const sent: SignedAgentReport[] = [];
    const channel = {
      request: async (t: number, p: SignedAgentReport) => {
        expect(t).toBe(MessageType.QosAgentReport);
        sent.push(p);
        return {};
      },
    } as unknown as SignalingChannel;
    const counters = { framesIn: 0, framesWritten: 0, framesDropped: 0 };
    const qos = new AgentQos({
      signer: key,
      nodeId: () => 'node-1',
      session: (id) =>
        id === 'ses_run'
          ? { counters: () => counters, handoff: () => ({ samples: 1, meanUs: 4_000, p95Us: 4_000 }) }
          : undefined,
      logger: pino({ level: 'silent' }),
      now: () => now,
    });
    qos.sessionStarted('ses_run', 6000);
    const start = (sessionId: string): AnyMessage =>
      ({ t: MessageType.QosStart, p: { sessionId, domain, intervalMs: 200, elapsedMs: 0 } }) as AnyMessage;
    qos.handleMessage(start('ses_elsewhere'), channel);
    expect(qos.activeReporters).toBe(0);
    qos.handleMessage(start('ses_run'), channel);
    expect(qos.activeReporters).toBe(1);
    counters.framesIn = 12;
    counters.framesWritten = 12;
    now = 200;
    // The first report is due after one 200 ms interval; a busy machine may deliver the next one too.
    await vi.waitFor(() => expect(sent.length).toBeGreaterThanOrEqual(1), { timeout: 2000 });
    expect(sent[0]?.report).toMatchObject({
      sessionId: 'ses_run',
      nodeId: 'node-1',
      minuteIndex: 0,
      framesEncoded: 12,
    });
    expect(sent[0]?.report.targetBitrateKbps).toBe(6000);
    expect(await recoverSigner(agentReportDigest(domain, sent[0]!.report), sent[0]!.signature)).toBe(key.address);
    qos.sessionEnded('ses_run');
    expect(qos.activeReporters).toBe(0);
    const reported = sent.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sent).toHaveLength(reported);
    qos.close();
  });
});
