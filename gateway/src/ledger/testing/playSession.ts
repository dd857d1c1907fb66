import { type QosDomain, signAgentReport, signClientReport, signKeyBinding } from '@frameway/protocol/qos';
import type { PrivateKeyAccount } from 'viem/accounts';
import type { QosLedger } from '../QosLedger.js';
import { healthyAgentReport, healthyClientReport, type ManualClock } from './qosFixtures.js';

export interface PlaySessionOptions {
  sessionId: string;
  nodeId: string;
  node: PrivateKeyAccount;
  player: PrivateKeyAccount;
  /** Complete minutes to report. */
  minutes: number;
  /** Minutes whose player renders only 50 fps (fails the 95 % frame-rate SLA). */
  failing?: ReadonlySet<number>;
  /** Minutes without a client report. */
  clientMissing?: ReadonlySet<number>;
  /** How long the session runs past its last complete minute before it ends. */
  tailMs?: number;
  fps?: number;
}

/**
 * Drives one session through a ledger on a manual clock: placement,
 * streaming, key binding, signed reports from both sides every minute, the
 * end, and the report grace. Leaves batching and the outbox to the caller.
 */
export async function playSession(ledger: QosLedger, clock: ManualClock, options: PlaySessionOptions): Promise<void> {
  const fps = options.fps ?? 60;
  const interval = ledger.config.intervalMs;
  ledger.sessionPlaced({
    sessionId: options.sessionId,
    playerId: `player_${options.sessionId}`,
    nodeId: options.nodeId,
    targetFps: fps,
    latencyBudgetMs: 30,
  });
  clock.advance(1_000);
  ledger.sessionStreaming(options.sessionId);
  const startedAt = clock.now();
  const domain: QosDomain = ledger.domain;
  await ledger.bindClientKey(
    options.sessionId,
    options.player.address,
    await signKeyBinding(options.player, options.sessionId),
  );
  for (let minute = 0; minute < options.minutes; minute++) {
    clock.set(startedAt + (minute + 1) * interval + 25);
    const window = {
      sessionId: options.sessionId,
      minuteIndex: minute,
      windowStart: startedAt + minute * interval,
      intervalMs: interval,
      fps,
    };
    const agent = healthyAgentReport({ ...window, nodeId: options.nodeId });
    await ledger.acceptAgentReport(options.nodeId, {
      report: agent,
      signature: await signAgentReport(options.node, domain, agent),
    });
    if (options.clientMissing?.has(minute)) continue;
    const client = healthyClientReport(
      window,
      options.failing?.has(minute) ? { framesRendered: Math.round((50 * interval) / 1000) } : {},
    );
    await ledger.acceptClientReport(options.sessionId, {
      report: client,
      signature: await signClientReport(options.player, domain, client),
    });
  }
  clock.set(startedAt + options.minutes * interval + (options.tailMs ?? 30_000));
  ledger.sessionEnded(options.sessionId, 'player_left');
  clock.advance(ledger.config.reportGraceMs + 1);
  ledger.tick();
}
