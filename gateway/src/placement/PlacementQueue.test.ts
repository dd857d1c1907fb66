import { afterEach, describe, expect, it, vi } from 'vitest';
import { PlacementQueue, type QueuePositionUpdate } from './PlacementQueue.js';

/** A queue on a fake clock whose timer never fires during a test unless asked to (retries run by hand). */
function queue(options: { maxLength?: number; maxWaitMs?: number; retryIntervalMs?: number } = {}) {
  const clock = { now: 1000 };
  const q = new PlacementQueue({
    maxLength: options.maxLength ?? 10,
    maxWaitMs: options.maxWaitMs ?? 10_000,
    retryIntervalMs: options.retryIntervalMs ?? 3_600_000,
    now: () => clock.now,
  });
  return { q, clock };
}

/** A waiting player: its position updates, and what its wait settled with. */
function player(q: PlacementQueue, sessionId: string, attempt: () => string | undefined) {
  const updates: QueuePositionUpdate[] = [];
  const outcome: { nodeId?: string; error?: unknown } = {};
  const done = q.wait({ sessionId, attempt, onPosition: (update) => updates.push(update) }).then(
    (nodeId) => {
      outcome.nodeId = nodeId;
    },
    (error: unknown) => {
      outcome.error = error;
    },
  );
  return { updates, outcome, done };
}

const never = (): string | undefined => undefined;

afterEach(() => {
  vi.useRealTimers();
});

describe('PlacementQueue', () => {
  it('tells each player its position on joining and whenever it changes', async () => {
    const { q, clock } = queue({ maxWaitMs: 10_000 });
    let free = 0;
    const a = player(q, 'a', () => (free > 0 ? 'n1' : undefined));
    clock.now += 500;
    const b = player(q, 'b', never);
    clock.now += 500;
    const c = player(q, 'c', never);
    expect(a.updates).toEqual([{ position: 1, queueLength: 1, waitedMs: 0, remainingMs: 10_000 }]);
    expect(b.updates).toEqual([{ position: 2, queueLength: 2, waitedMs: 0, remainingMs: 10_000 }]);
    expect(c.updates).toEqual([{ position: 3, queueLength: 3, waitedMs: 0, remainingMs: 10_000 }]);

    q.retry(); // nothing free: nobody moves, nobody is told again
    expect([a.updates.length, b.updates.length, c.updates.length]).toEqual([1, 1, 1]);

    free = 1;
    clock.now += 1000;
    q.retry();
    await a.done;
    expect(a.outcome).toEqual({ nodeId: 'n1' });
    expect(b.updates.at(-1)).toEqual({ position: 1, queueLength: 2, waitedMs: 1500, remainingMs: 8500 });
    expect(c.updates.at(-1)).toEqual({ position: 2, queueLength: 2, waitedMs: 1000, remainingMs: 9000 });
    expect(q.length).toBe(2);
    q.close();
  });

  it('places at most one player per pass, first come first served', async () => {
    const { q } = queue();
    let free = 2;
    const attempts: string[] = [];
    const attempt = (sessionId: string) => (): string | undefined => {
      attempts.push(sessionId);
      if (free === 0) return undefined;
      free--;
      return 'n1';
    };
    const a = player(q, 'a', attempt('a'));
    const b = player(q, 'b', attempt('b'));
    q.retry();
    await a.done;
    expect(a.outcome).toEqual({ nodeId: 'n1' });
    expect(b.outcome).toEqual({});
    expect(attempts).toEqual(['a']);
    q.retry();
    await b.done;
    expect(b.outcome).toEqual({ nodeId: 'n1' });
    expect(q.length).toBe(0);
  });

  it('lets a later player through when the ones ahead still find nothing', async () => {
    const { q } = queue();
    const a = player(q, 'a', never);
    const b = player(q, 'b', () => 'n2');
    q.retry();
    await b.done;
    expect(b.outcome).toEqual({ nodeId: 'n2' });
    expect(a.updates.map((u) => u.position)).toEqual([1]);
    expect(q.length).toBe(1);
    q.close();
  });

  it('takes a player out with the error its attempt throws (it left, its session ended)', async () => {
    const { q } = queue();
    const gone = new Error('player left');
    const a = player(q, 'a', () => {
      throw gone;
    });
    const b = player(q, 'b', never);
    q.retry();
    await a.done;
    expect(a.outcome.error).toBe(gone);
    expect(b.updates.at(-1)).toMatchObject({ position: 1, queueLength: 1 });
    q.close();
  });

  it('gives up on a player after maxWaitMs with FW_ERR_NO_CAPACITY', async () => {
    const { q, clock } = queue({ maxWaitMs: 8000 });
    const a = player(q, 'a', never);
    clock.now += 7999;
    q.retry();
    expect(q.length).toBe(1);
    clock.now += 1;
    q.retry();
    await a.done;
    expect(a.outcome.error).toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
    expect(q.length).toBe(0);
  });

  it('refuses a player at once when the queue is full', async () => {
    const { q } = queue({ maxLength: 1 });
    player(q, 'a', never);
    const b = player(q, 'b', never);
    await b.done;
    expect(b.outcome.error).toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
    expect(b.updates).toEqual([]);
    expect(q.length).toBe(1);
    q.close();
  });

  it('close() fails everyone waiting, refuses newcomers, and is idempotent', async () => {
    const { q } = queue();
    const a = player(q, 'a', never);
    q.close();
    q.close();
    await a.done;
    expect(a.outcome.error).toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
    const late = player(q, 'late', () => 'n1');
    await late.done;
    expect(late.outcome.error).toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
  });

  it('keeps a player whose position update throws', async () => {
    const { q } = queue();
    const done = q.wait({
      sessionId: 'a',
      attempt: () => 'n1',
      onPosition: () => {
        throw new Error('socket gone');
      },
    });
    expect(q.length).toBe(1);
    q.retry();
    await expect(done).resolves.toBe('n1');
  });

  it('retries every retryIntervalMs by itself, and at once after kick()', async () => {
    vi.useFakeTimers();
    const { q } = queue({ retryIntervalMs: 1000 });
    let free = 0;
    const a = player(q, 'a', () => (free > 0 ? 'n1' : undefined));
    const b = player(q, 'b', () => (free > 0 ? 'n2' : undefined));
    free = 1;
    await vi.advanceTimersByTimeAsync(999);
    expect(a.outcome).toEqual({});
    await vi.advanceTimersByTimeAsync(1);
    expect(a.outcome).toEqual({ nodeId: 'n1' });
    q.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.outcome).toEqual({ nodeId: 'n2' });
    expect(vi.getTimerCount()).toBe(0); // nobody left: no timer either
  });

  it('keeps one timer when a retry is run by hand', () => {
    vi.useFakeTimers();
    const { q } = queue({ retryIntervalMs: 1000 });
    player(q, 'a', never);
    expect(vi.getTimerCount()).toBe(1);
    q.retry();
    q.retry();
    expect(vi.getTimerCount()).toBe(1);
    q.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
