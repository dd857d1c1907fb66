import { MessageType, TypedEmitter } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/openDatabase.js';
import {
  attachQosLedger,
  type LedgerSessionEvents,
  type LedgerSessionFacts,
  type LedgerSessionSource,
} from './attachQosLedger.js';
import { ledgerConfig } from './ledgerConfig.js';
import { QosLedger } from './QosLedger.js';
import { ManualClock, silentLogger } from './testing/qosFixtures.js';

type Told = { to: string; type: number; payload: unknown };

/** The session manager as the ledger sees it: lifecycle events and the player's channel. */
class FakeSessions extends TypedEmitter<LedgerSessionEvents> implements LedgerSessionSource {
  readonly told: Told[] = [];
  playerOf(sessionId: string): ReturnType<LedgerSessionSource['playerOf']> {
    return {
      api: {
        qosStart: (payload: unknown) =>
          this.told.push({ to: `player:${sessionId}`, type: MessageType.QosStart, payload }),
      },
    };
  }
  fire<E extends keyof LedgerSessionEvents>(event: E, ...args: LedgerSessionEvents[E]): void {
    this.emit(event, ...args);
  }
}

const open: QosLedger[] = [];
afterEach(() => {
  for (const ledger of open.splice(0)) ledger.close();
});

describe('attachQosLedger', () => {
  it('follows placement, streaming, failover and the end, telling agent and player QosStart, until detached', async () => {
    const clock = new ManualClock();
    const ledger = new QosLedger({
      db: openDatabase({ path: ':memory:' }),
      config: ledgerConfig({ intervalMs: 60_000, chain: { kind: 'none' } }),
      nodeAddress: () => undefined,
      now: clock.now,
      tickIntervalMs: 0,
      logger: silentLogger(),
    });
    open.push(ledger);
    await ledger.start();
    const sessions = new FakeSessions();
    const agentFor = (nodeId: string) => ({
      qosStart: (payload: unknown) =>
        sessions.told.push({ to: `agent:${nodeId}`, type: MessageType.QosStart, payload }),
    });
    const detach = attachQosLedger(ledger, { sessions, agentFor });
    const session: LedgerSessionFacts = {
      id: 'ses_attach',
      playerId: 'p1',
      nodeId: 'node-a',
      video: { fps: 60 },
      spec: { latencyBudgetMs: 40 },
    };

    sessions.fire('placed', session, 'node-a');
    expect(ledger.store.session('ses_attach')).toMatchObject({ nodeId: 'node-a', targetFps: 60, latencyBudgetMs: 40 });

    clock.advance(1_000);
    sessions.fire('streaming', session);
    expect(sessions.told.map(({ to, type }) => [to, type])).toEqual([
      ['agent:node-a', MessageType.QosStart],
      ['player:ses_attach', MessageType.QosStart],
    ]);
    expect(sessions.told[0]?.payload).toMatchObject({ sessionId: 'ses_attach', intervalMs: 60_000, elapsedMs: 0 });

    clock.advance(5_000);
    sessions.fire('failedOver', session, 'node-a', 'node-b');
    expect(ledger.store.session('ses_attach')?.nodeId).toBe('node-b');
    expect(sessions.told.at(-1)).toMatchObject({ to: 'agent:node-b', payload: { elapsedMs: 5_000 } });

    sessions.fire('ended', session, { reason: 'player_left' });
    expect(ledger.store.session('ses_attach')).toMatchObject({ endedAt: clock.now(), endReason: 'player_left' });

    detach();
    const toldBefore = sessions.told.length;
    sessions.fire('streaming', { ...session, id: 'ses_other' });
    sessions.fire('placed', { ...session, id: 'ses_other' }, 'node-a');
    expect(sessions.told).toHaveLength(toldBefore);
    expect(ledger.store.session('ses_other')).toBeUndefined();
  });
});
