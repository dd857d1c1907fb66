import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/Logger.js';
import type { SessionEndInfo } from '../SessionEndInfo.js';
import { ManualClock } from '../testing/ManualClock.js';
import { ResumeController, type ResumeSteps } from './ResumeController.js';
import type { ReconnectingInfo } from './sessionEvents.js';

/** Lets the attempt's awaits run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

interface Script {
  socketAnswers?: boolean;
  rejoin?: () => Promise<void>;
  renegotiate?: () => Promise<void>;
}

function harness(script: Script = {}, timeoutMs = 15_000) {
  const clock = new ManualClock();
  const calls: string[] = [];
  const attempts: ReconnectingInfo[] = [];
  const endings: SessionEndInfo[] = [];
  const steps: ResumeSteps = {
    socketAnswers: async () => {
      calls.push('probe');
      return script.socketAnswers ?? true;
    },
    rejoin: async () => {
      calls.push('rejoin');
      await script.rejoin?.();
    },
    renegotiate: async () => {
      calls.push('renegotiate');
      await script.renegotiate?.();
    },
    dropMedia: () => calls.push('drop'),
  };
  const resume = new ResumeController({
    timeoutMs,
    clock,
    logger: silentLogger,
    steps,
    onAttempt: (info) => attempts.push(info),
    onGiveUp: (info) => endings.push(info),
  });
  return { clock, calls, attempts, endings, resume };
}

describe('ResumeController', () => {
  it('keeps a socket that answers the probe through a media-only outage', async () => {
    const h = harness({ socketAnswers: true });
    h.resume.begin('the media connection failed', false);
    await settle();
    expect(h.resume.active).toBe(true);
    expect(h.attempts).toEqual([
      { attempt: 1, reason: 'the media connection failed', code: 'FW_ERR_CONNECTION_CLOSED' },
    ]);
    expect(h.calls).toEqual(['probe', 'renegotiate']);
  });

  it('rejoins on a fresh socket without probing when the socket itself was lost', async () => {
    const h = harness();
    h.resume.begin('socket closed', true);
    await settle();
    expect(h.calls).toEqual(['rejoin', 'renegotiate']);
  });

  it('rejoins when the live socket does not answer the probe', async () => {
    const h = harness({ socketAnswers: false });
    h.resume.begin('media lost', false);
    await settle();
    expect(h.calls).toEqual(['probe', 'rejoin', 'renegotiate']);
  });

  it('retries a failed attempt after its backoff, from a fresh socket, with the failure code', async () => {
    const h = harness();
    h.resume.begin('media lost', false);
    await settle();
    h.resume.fail(new FramewayError('FW_ERR_TIMEOUT', 'no answer'));
    expect(h.calls.at(-1)).toBe('drop');
    h.clock.advance(249);
    await settle();
    expect(h.attempts).toHaveLength(1);
    h.clock.advance(1);
    await settle();
    expect(h.attempts[1]).toEqual({ attempt: 2, reason: 'media lost', code: 'FW_ERR_TIMEOUT' });
    expect(h.calls.slice(-2)).toEqual(['rejoin', 'renegotiate']);
  });

  it('turns a thrown step into a retry', async () => {
    const h = harness({
      rejoin: () => Promise.reject(new Error('socket refused')),
    });
    h.resume.begin('socket closed', true);
    await settle();
    expect(h.calls).toEqual(['rejoin', 'drop']);
    h.clock.advance(250);
    await settle();
    expect(h.attempts.map((a) => a.code)).toEqual(['FW_ERR_CONNECTION_CLOSED', 'FW_ERR_CONNECTION_CLOSED']);
    expect(h.attempts).toHaveLength(2);
  });

  it('gives up at once on a final rejoin answer', async () => {
    const h = harness();
    h.resume.begin('socket closed', true);
    await settle();
    h.resume.fail(new FramewayError('FW_ERR_SESSION_ENDED', 'gone'));
    expect(h.endings).toEqual([
      { reason: 'connection_lost', code: 'FW_ERR_SESSION_ENDED', message: 'the session could not be resumed: gone' },
    ]);
    expect(h.resume.active).toBe(false);
    expect(h.clock.pending).toBe(0);
  });

  it('ends the outage at its deadline with the last attempt’s error', async () => {
    const h = harness({}, 3_000);
    h.resume.begin('media lost', false);
    await settle();
    h.resume.fail(new FramewayError('FW_ERR_TIMEOUT', 'media did not come up'));
    h.clock.advance(2_999);
    await settle();
    expect(h.endings).toEqual([]);
    h.clock.advance(1);
    expect(h.endings).toEqual([
      {
        reason: 'connection_lost',
        code: 'FW_ERR_TIMEOUT',
        message: 'the session could not be resumed within 3000 ms: media did not come up',
      },
    ]);
    expect(h.resume.active).toBe(false);
  });

  it('reports attempts and downtime when it finishes, and the deadline no longer fires', async () => {
    const h = harness({}, 3_000);
    h.clock.advance(10_000);
    h.resume.begin('media lost', false);
    await settle();
    h.clock.advance(1_234);
    expect(h.resume.finish()).toEqual({ attempts: 1, downtimeMs: 1_234 });
    expect(h.resume.finish()).toBeUndefined();
    h.clock.advance(10_000);
    expect(h.endings).toEqual([]);
  });

  it('a closed controller leaves a running attempt stale', async () => {
    let release: () => void = () => undefined;
    const h = harness({ rejoin: () => new Promise<void>((resolve) => (release = resolve)) });
    h.resume.begin('socket closed', true);
    await settle();
    h.resume.close();
    release();
    await settle();
    expect(h.calls).toEqual(['rejoin']);
    expect(h.clock.pending).toBe(0);
  });

  it('ignores a second drop while an outage runs', async () => {
    const h = harness();
    h.resume.begin('first', false);
    h.resume.begin('second', true);
    await settle();
    expect(h.attempts).toEqual([{ attempt: 1, reason: 'first', code: 'FW_ERR_CONNECTION_CLOSED' }]);
  });
});
