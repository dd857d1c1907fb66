import {
  type AgentMinuteReport,
  type ClientMinuteReport,
  type QosDomain,
  signAgentReport,
  signClientReport,
  signKeyBinding,
} from '@frameway/protocol/qos';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/openDatabase.js';
import { ledgerConfig } from './ledgerConfig.js';
import { QosLedger } from './QosLedger.js';
import type { MinuteVerdict } from './QosVerdicts.js';
import { healthyAgentReport, healthyClientReport, ManualClock } from './testing/qosFixtures.js';

const INTERVAL = 60_000;
const GRACE = 10_000;
const SESSION = 'ses_ledger1';
const NODE = 'node-1';

interface Fixture {
  ledger: QosLedger;
  clock: ManualClock;
  node: PrivateKeyAccount;
  player: PrivateKeyAccount;
  startedAt: number;
  domain: QosDomain;
  verdicts: MinuteVerdict[];
  /** Moves the clock just past the end of `minute`. */
  endOf(minute: number): void;
  agentReport(minute: number, overrides?: Partial<AgentMinuteReport>): AgentMinuteReport;
  clientReport(minute: number, overrides?: Partial<ClientMinuteReport>): ClientMinuteReport;
  sendAgent(report: AgentMinuteReport): Promise<void>;
  sendClient(report: ClientMinuteReport): Promise<void>;
}

const open: QosLedger[] = [];
afterEach(() => {
  for (const ledger of open.splice(0)) ledger.close();
});

async function streamingSession(): Promise<Fixture> {
  const clock = new ManualClock();
  const node = privateKeyToAccount(generatePrivateKey());
  const player = privateKeyToAccount(generatePrivateKey());
  const ledger = new QosLedger({
    db: openDatabase({ path: ':memory:' }),
    config: ledgerConfig({ intervalMs: INTERVAL, reportGraceMs: GRACE, chain: { kind: 'none' } }),
    nodeAddress: (nodeId) => (nodeId === NODE ? node.address : undefined),
    now: clock.now,
    tickIntervalMs: 0,
  });
  open.push(ledger);
  await ledger.start();
  const verdicts: MinuteVerdict[] = [];
  ledger.on('verdict', (verdict) => verdicts.push(verdict));
  ledger.sessionPlaced({ sessionId: SESSION, playerId: 'p1', nodeId: NODE, targetFps: 60, latencyBudgetMs: 30 });
  clock.advance(1_500);
  const start = ledger.sessionStreaming(SESSION);
  expect(start).toMatchObject({ sessionId: SESSION, intervalMs: INTERVAL, elapsedMs: 0 });
  const startedAt = clock.now();
  const domain = ledger.domain;
  await ledger.bindClientKey(SESSION, player.address, await signKeyBinding(player, SESSION));
  const window = (minute: number) => ({
    sessionId: SESSION,
    minuteIndex: minute,
    windowStart: startedAt + minute * INTERVAL,
    intervalMs: INTERVAL,
    fps: 60,
  });
  return {
    ledger,
    clock,
    node,
    player,
    startedAt,
    domain,
    verdicts,
    endOf: (minute) => clock.set(startedAt + (minute + 1) * INTERVAL + 40),
    agentReport: (minute, overrides) => healthyAgentReport({ ...window(minute), nodeId: NODE }, overrides),
    clientReport: (minute, overrides) => healthyClientReport(window(minute), overrides),
    sendAgent: async (report) =>
      ledger.acceptAgentReport(NODE, { report, signature: await signAgentReport(node, domain, report) }),
    sendClient: async (report) =>
      ledger.acceptClientReport(SESSION, { report, signature: await signClientReport(player, domain, report) }),
  };
}

describe('QosLedger', () => {
  it('records a minute that meets the SLA once both signed reports are in, and emits its verdict', async () => {
    const f = await streamingSession();
    f.endOf(0);
    await f.sendAgent(f.agentReport(0));
    expect(f.ledger.verdictsFor(SESSION)).toEqual([]);
    await f.sendClient(f.clientReport(0));
    expect(f.verdicts).toEqual([
      {
        sessionId: SESSION,
        minuteIndex: 0,
        startedAt: f.startedAt,
        slaMet: true,
        failures: [],
        fps: expect.closeTo(59.933, 2),
        p95LatencyMs: 41,
      },
    ]);
    expect(f.ledger.verdictsFor(SESSION)).toEqual(f.verdicts);
    const view = f.ledger.sessionView(SESSION);
    expect(view?.records[0]?.agentReport?.signer).toBe(f.node.address);
    expect(view?.records[0]?.clientReport?.signer).toBe(f.player.address);
  });

  it('rejects a tampered agent report and records the minute as agent_report_invalid', async () => {
    const f = await streamingSession();
    f.endOf(0);
    const report = f.agentReport(0);
    const signature = await signAgentReport(f.node, f.domain, report);
    const tampered = { ...report, framesEncoded: report.framesEncoded + 600, framesIn: report.framesIn + 600 };
    await expect(f.ledger.acceptAgentReport(NODE, { report: tampered, signature })).rejects.toMatchObject({
      code: 'FW_ERR_QOS_SIGNATURE_INVALID',
    });
    const stranger = privateKeyToAccount(generatePrivateKey());
    await expect(
      f.ledger.acceptAgentReport(NODE, { report, signature: await signAgentReport(stranger, f.domain, report) }),
    ).rejects.toMatchObject({ code: 'FW_ERR_QOS_SIGNATURE_INVALID' });
    await f.sendClient(f.clientReport(0));
    f.clock.advance(GRACE);
    f.ledger.tick();
    expect(f.ledger.verdictsFor(SESSION)).toMatchObject([
      { minuteIndex: 0, slaMet: false, failures: ['agent_report_invalid'] },
    ]);
    expect(f.ledger.metrics.reportsRejected).toBe(2);
  });

  it('rejects client reports signed by a key the gateway never bound, and bindings without proof of the key', async () => {
    const f = await streamingSession();
    f.endOf(0);
    const intruder = privateKeyToAccount(generatePrivateKey());
    const report = f.clientReport(0);
    await expect(
      f.ledger.acceptClientReport(SESSION, { report, signature: await signClientReport(intruder, f.domain, report) }),
    ).rejects.toMatchObject({ code: 'FW_ERR_QOS_SIGNATURE_INVALID' });
    const proofByAnother = await signKeyBinding(f.player, SESSION);
    await expect(f.ledger.bindClientKey(SESSION, intruder.address, proofByAnother)).rejects.toMatchObject({
      code: 'FW_ERR_QOS_SIGNATURE_INVALID',
    });
    const otherSessionProof = await signKeyBinding(intruder, 'ses_other');
    await expect(f.ledger.bindClientKey(SESSION, intruder.address, otherSessionProof)).rejects.toMatchObject({
      code: 'FW_ERR_QOS_SIGNATURE_INVALID',
    });
  });

  it('records the minute with the client report missing once the grace period has passed', async () => {
    const f = await streamingSession();
    f.endOf(0);
    await f.sendAgent(f.agentReport(0));
    f.clock.advance(GRACE - 100);
    f.ledger.tick();
    expect(f.verdicts).toEqual([]);
    f.clock.advance(200);
    f.ledger.tick();
    expect(f.verdicts).toMatchObject([{ minuteIndex: 0, slaMet: false, failures: ['client_report_missing'] }]);
    // The verdict still carries the frame rate the agent attested.
    expect(f.verdicts[0]?.fps).toBeCloseTo(3598 / 60, 2);
    await expect(f.sendClient(f.clientReport(0))).rejects.toMatchObject({ code: 'FW_ERR_QOS_REPORT_INVALID' });
  });

  it('accepts the same report twice (a lost ack) but refuses a different one for the same minute', async () => {
    const f = await streamingSession();
    f.endOf(0);
    const report = f.agentReport(0);
    await f.sendAgent(report);
    await f.sendAgent(report);
    await expect(f.sendAgent({ ...report, framesDropped: 9 })).rejects.toMatchObject({
      code: 'FW_ERR_QOS_REPORT_DUPLICATE',
    });
    await f.sendClient(f.clientReport(0));
    await f.sendAgent(report); // also once the minute is recorded
    expect(f.ledger.metrics.reportsAccepted).toBe(2);
    expect(f.verdicts).toHaveLength(1);
  });

  it('refuses reports for a minute still running, from a node the session is not on, or for an unknown session', async () => {
    const f = await streamingSession();
    f.clock.set(f.startedAt + INTERVAL / 2);
    await expect(f.sendAgent(f.agentReport(0))).rejects.toMatchObject({ code: 'FW_ERR_QOS_REPORT_INVALID' });
    f.endOf(0);
    const report = f.agentReport(0, { nodeId: 'node-2' });
    await expect(
      f.ledger.acceptAgentReport('node-2', { report, signature: await signAgentReport(f.node, f.domain, report) }),
    ).rejects.toMatchObject({ code: 'FW_ERR_QOS_REPORT_INVALID' });
    const stray = f.agentReport(0, { sessionId: 'ses_nope' });
    await expect(
      f.ledger.acceptAgentReport(NODE, { report: stray, signature: await signAgentReport(f.node, f.domain, stray) }),
    ).rejects.toMatchObject({ code: 'FW_ERR_SESSION_NOT_FOUND' });
  });

  it('closes an ended session: every complete minute recorded, the cut-short one dropped', async () => {
    const f = await streamingSession();
    for (const minute of [0, 1]) {
      f.endOf(minute);
      await f.sendAgent(f.agentReport(minute));
      await f.sendClient(f.clientReport(minute));
    }
    f.endOf(2);
    await f.sendAgent(f.agentReport(2));
    f.clock.set(f.startedAt + 3.5 * INTERVAL);
    f.ledger.sessionEnded(SESSION, 'player_left');
    f.clock.advance(GRACE + 1);
    f.ledger.tick();
    expect(f.ledger.verdictsFor(SESSION).map((v) => [v.minuteIndex, v.slaMet, v.failures])).toEqual([
      [0, true, []],
      [1, true, []],
      [2, false, ['client_report_missing']],
    ]);
    expect(f.ledger.store.session(SESSION)?.settled).toBe(true);
    f.ledger.flush();
    const view = f.ledger.sessionView(SESSION);
    expect(view?.records.every((record) => record.batch !== null && record.batch.committed === false)).toBe(true);
  });
});
