import type { LinkStats } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type MoveCandidate,
  SessionLatencyMonitor,
  type SessionLatencyMonitorOptions,
} from './SessionLatencyMonitor.js';

/** One streaming session on node `n1` with a 30 ms budget; its player reports `rtt.value`. */
function monitor(patch: Partial<SessionLatencyMonitorOptions> = {}) {
  const clock = { now: 0 };
  const rtt: { value: number | undefined } = { value: 20 };
  const moves: string[] = [];
  const candidate: { value: MoveCandidate | undefined } = { value: { nodeId: 'n2', rttMs: 15 } };
  const session = { id: 's1', nodeId: 'n1' as string | undefined, budgetMs: 30 };
  const m = new SessionLatencyMonitor({
    sessions: () => [session],
    linkStats: async () => (rtt.value === undefined ? {} : ({ rttMs: rtt.value } satisfies LinkStats)),
    relayHopMs: () => undefined,
    alternative: () => candidate.value,
    migrate: (sessionId) => moves.push(sessionId),
    intervalMs: 5000,
    overBudgetChecks: 3,
    tolerance: 0.2,
    cooldownMs: 60_000,
    now: () => clock.now,
    ...patch,
  });
  /** Runs one check per RTT given, one interval apart. */
  const checks = async (...rtts: (number | undefined)[]): Promise<void> => {
    for (const value of rtts) {
      rtt.value = value;
      clock.now += 5000;
      await m.check();
    }
  };
  return { m, clock, rtt, moves, candidate, session, checks };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SessionLatencyMonitor', () => {
  it('moves a session whose RTT stays over budget for several checks in a row', async () => {
    const t = monitor();
    await t.checks(50, 50);
    expect(t.moves).toEqual([]);
    await t.checks(50);
    expect(t.moves).toEqual(['s1']);
    expect(t.m.rttOf('s1')).toBe(50);
  });

  it('does not move on spikes: one check within budget starts the count again', async () => {
    const t = monitor();
    await t.checks(80, 80, 20, 80, 80, 20, 80, 80, 25);
    expect(t.moves).toEqual([]);
  });

  it('allows the tolerance over budget before a check counts as over', async () => {
    const t = monitor();
    await t.checks(36, 36, 36, 36);
    expect(t.moves).toEqual([]);
    await t.checks(36.5, 36.5, 36.5);
    expect(t.moves).toEqual(['s1']);
  });

  it('adds the node↔gateway hop when media relays through the gateway', async () => {
    const t = monitor({ relayHopMs: (nodeId) => (nodeId === 'n1' ? 15 : undefined) });
    await t.checks(25, 25, 25);
    expect(t.m.rttOf('s1')).toBe(40);
    expect(t.moves).toEqual(['s1']);
  });

  it('judges a candidate by the relayed path it would get: the same player leg plus its own hop', async () => {
    // Player↔gateway 10 ms; n1's hop 40 ms: a 50 ms path over the 30 ms budget. n2 (probed 15 ms direct) has a
    // 12 ms hop: a 22 ms path, so the session moves.
    const near = monitor({ relayHopMs: (nodeId) => ({ n1: 40, n2: 12 })[nodeId] });
    await near.checks(10, 10, 10);
    expect(near.moves).toEqual(['s1']);
    // The player's own leg is the slow one (45 ms): n2's path would be 48 ms, better than 50 but still over
    // budget, so the session stays (a move would only add a freeze).
    const slowPlayer = monitor({ relayHopMs: (nodeId) => ({ n1: 5, n2: 3 })[nodeId] });
    await slowPlayer.checks(45, 45, 45);
    expect(slowPlayer.m.rttOf('s1')).toBe(50);
    expect(slowPlayer.moves).toEqual([]);
  });

  it('stays put while the placer knows no better node within budget, and moves once it does', async () => {
    const t = monitor();
    t.candidate.value = undefined;
    await t.checks(50, 50, 50, 50);
    t.candidate.value = { nodeId: 'n2', rttMs: 55 }; // worse than where it is
    await t.checks(50);
    t.candidate.value = { nodeId: 'n2', rttMs: undefined }; // nothing measured: no reason to believe it
    await t.checks(50);
    expect(t.moves).toEqual([]);
    t.candidate.value = { nodeId: 'n2', rttMs: 12 };
    await t.checks(50);
    expect(t.moves).toEqual(['s1']);
  });

  it('leaves a moved session alone for the cooldown, however bad it gets', async () => {
    const t = monitor({ cooldownMs: 60_000 });
    await t.checks(50, 50, 50);
    expect(t.moves).toHaveLength(1);
    await t.checks(...new Array<number>(11).fill(50)); // 55 s later
    expect(t.moves).toHaveLength(1);
    await t.checks(50); // 60 s after the move
    expect(t.moves).toHaveLength(2);
  });

  it('skips a session without a node or without an RTT, and survives a player that does not answer', async () => {
    const failing = monitor({
      linkStats: async () => {
        throw new Error('timeout');
      },
    });
    await failing.checks(50, 50, 50);
    expect(failing.moves).toEqual([]);
    expect(failing.m.rttOf('s1')).toBeUndefined();

    const t = monitor();
    await t.checks(50, undefined, 50, 50); // a check without an RTT neither counts nor resets
    expect(t.moves).toEqual(['s1']);
    t.session.nodeId = undefined;
    await t.checks(50, 50, 50, 50);
    expect(t.moves).toEqual(['s1']);
  });

  it('forgets a session: its streak starts again', async () => {
    const t = monitor();
    await t.checks(50, 50);
    t.m.forget('s1');
    expect(t.m.rttOf('s1')).toBeUndefined();
    await t.checks(50, 50);
    expect(t.moves).toEqual([]);
  });

  it('checks on its interval once started, and not after close()', async () => {
    vi.useFakeTimers();
    const t = monitor({ now: () => Date.now() });
    t.rtt.value = 50;
    t.m.start();
    t.m.start(); // idempotent: one timer
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(t.moves).toEqual(['s1']);
    t.m.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
