import { encodeMessage, FramewayError, MessageType } from '@frameway/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PlayerTokens } from '../auth/PlayerTokens.js';
import type { Session } from '../sessions/Session.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import { fakeSocket } from '../testing/fakeSocket.js';
import { PlayerLink } from './PlayerLink.js';

const JOIN_TIMEOUT_MS = 1000;

/**
 * A PlayerLink on a fake socket, with a session manager whose join never
 * settles (a placement that is still probing or queued).
 */
function link() {
  const { connection, sent, closes } = fakeSocket();
  const tokens = new PlayerTokens({ secret: PlayerTokens.randomSecret() });
  const join = vi.fn((): Promise<Session> => new Promise(() => {}));
  const sessions = { join } as unknown as SessionManager;
  const player = new PlayerLink({ connection, context: { tokens, sessions }, joinTimeoutMs: JOIN_TIMEOUT_MS });
  const sendJoin = (token: string) =>
    player.receive(Buffer.from(encodeMessage(MessageType.PlayerJoin, { token }, 1)), false);
  return { player, sent, closes, tokens, join, sendJoin };
}

describe('PlayerLink join timer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closes a socket that never joins with 4001 after joinTimeoutMs', () => {
    const { player, closes } = link();
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS - 1);
    expect(player.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(player.closed).toBe(true);
    expect(closes).toEqual([{ code: 4001, reason: 'player did not join in time' }]);
  });

  it('keeps a socket open past the join timeout once its join has started', () => {
    const { player, closes } = link();
    player.joinStarted();
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS * 10);
    expect(player.closed).toBe(false);
    expect(closes).toEqual([]);
  });

  it('stops the join timer when a join with a valid token is being placed', () => {
    const { player, closes, tokens, join, sendJoin } = link();
    sendJoin(tokens.issue({ sid: 's1', sub: 'p1', ttlSeconds: 60 }));
    expect(join).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS * 10);
    expect(player.closed).toBe(false);
    expect(closes).toEqual([]);
  });

  it('keeps the join timer for a join whose token does not verify', async () => {
    const { player, sent, closes, join, sendJoin } = link();
    const forged = new PlayerTokens({ secret: PlayerTokens.randomSecret() }).issue({
      sid: 's1',
      sub: 'p1',
      ttlSeconds: 60,
    });
    sendJoin(forged);
    await vi.waitFor(() => expect(sent.some((m) => m.t === MessageType.Error)).toBe(true));
    expect(sent.find((m) => m.t === MessageType.Error)?.p).toMatchObject({ code: 'FW_ERR_UNAUTHORIZED' });
    expect(join).not.toHaveBeenCalled();
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS);
    expect(player.closed).toBe(true);
    expect(closes).toEqual([{ code: 4001, reason: 'player did not join in time' }]);
  });

  it('gives a refused join (valid token, no such session) the join timeout again, then closes', async () => {
    const { player, sent, closes, tokens, join, sendJoin } = link();
    join.mockImplementation(() => Promise.reject(new FramewayError('FW_ERR_SESSION_NOT_FOUND', 'no such session')));
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS / 2);
    sendJoin(tokens.issue({ sid: 'gone', sub: 'p1', ttlSeconds: 60 }));
    // Lets the rejection reach the handler without moving the (fake) clock, as vi.waitFor would.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(sent.find((m) => m.t === MessageType.Error)?.p).toMatchObject({ code: 'FW_ERR_SESSION_NOT_FOUND' });
    vi.advanceTimersByTime(JOIN_TIMEOUT_MS - 1);
    expect(player.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(closes).toEqual([{ code: 4001, reason: 'player did not join in time' }]);
  });
});
