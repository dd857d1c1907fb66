import { type Envelope, MessageType, type ProbeResult, type ProbeSocket } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { answerProbeRequest, type ProbeReplySink } from './answerProbeRequest.js';

/**
 * A probe echo whose round trips are scripted: the n-th sample of a target
 * comes back `rtts[n]` ms after it was sent, on a shared fake clock (each
 * echo sets the clock to its own send time + its RTT, so parallel targets do
 * not disturb each other's timing). A target without a script never opens.
 */
function scriptedEchoes(scripts: Record<string, number[] | 'refused'>) {
  const clock = { now: 0 };
  const opened: string[] = [];
  const closed: string[] = [];
  const createSocket = (url: string): ProbeSocket => {
    const script = scripts[url];
    if (script === 'refused') throw new Error('refused');
    let samples = 0;
    const socket: ProbeSocket = {
      onopen: null,
      onmessage: null,
      onerror: null,
      onclose: null,
      send: (data) => {
        const sentAt = clock.now;
        const rtt = script?.[samples++];
        if (rtt === undefined) return; // lost
        queueMicrotask(() => {
          clock.now = sentAt + rtt;
          socket.onmessage?.({ data });
        });
      },
      close: () => closed.push(url),
    };
    if (script) {
      opened.push(url);
      queueMicrotask(() => socket.onopen?.({}));
    }
    return socket;
  };
  return { createSocket, now: () => clock.now, opened, closed };
}

function request(targets: string[], samples: number, timeoutMs = 5000): Envelope<typeof MessageType.ProbeRequest> {
  return {
    t: MessageType.ProbeRequest,
    id: 9,
    p: { round: 1, targets: targets.map((id) => ({ id, url: `ws://${id}/probe` })), samples, timeoutMs },
  };
}

function sink() {
  const replies: { request: Envelope; t: number; p: { results: ProbeResult[]; timeZone?: string } }[] = [];
  const socket: ProbeReplySink = { reply: (req, t, p) => replies.push({ request: req, t, p }) };
  return { socket, replies };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('answerProbeRequest', () => {
  it('replies with the median, minimum and jitter of every target’s samples, in the order asked', async () => {
    const echoes = scriptedEchoes({ 'ws://a/probe': [10, 14, 12, 30], 'ws://b/probe': [5, 9, 7, 7] });
    const { socket, replies } = sink();
    const probe = request(['a', 'b'], 4);
    await answerProbeRequest(probe, socket, { createSocket: echoes.createSocket, now: echoes.now, timeZone: null });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.request).toBe(probe);
    expect(replies[0]!.t).toBe(MessageType.ProbeResults);
    expect(replies[0]!.p).toEqual({
      results: [
        // sorted 10 12 14 30: median (12 + 14) / 2; jitter (4 + 2 + 18) / 3
        { id: 'a', rttMs: 13, minRttMs: 10, jitterMs: 8, sent: 4, received: 4 },
        { id: 'b', rttMs: 7, minRttMs: 5, jitterMs: 2, sent: 4, received: 4 },
      ],
    });
    expect(echoes.closed.sort()).toEqual(['ws://a/probe', 'ws://b/probe']);
  });

  it('rounds to hundredths of a millisecond', async () => {
    const echoes = scriptedEchoes({ 'ws://a/probe': [1.234, 1.236, 2.5] });
    const { socket, replies } = sink();
    await answerProbeRequest(request(['a'], 3), socket, { ...echoes, timeZone: null });
    expect(replies[0]!.p.results[0]).toEqual({
      id: 'a',
      rttMs: 1.24,
      minRttMs: 1.23,
      jitterMs: 0.63,
      sent: 3,
      received: 3,
    });
  });

  it('reports unreachable targets with nothing received, and stops at the round’s timeout', async () => {
    const echoes = scriptedEchoes({
      'ws://ok/probe': [4, 4],
      'ws://lossy/probe': [6],
      'ws://refused/probe': 'refused',
    });
    const { socket, replies } = sink();
    await answerProbeRequest(request(['ok', 'lossy', 'refused', 'silent'], 2, 50), socket, {
      ...echoes,
      timeZone: null,
    });
    expect(replies[0]!.p.results).toEqual([
      { id: 'ok', rttMs: 4, minRttMs: 4, jitterMs: 0, sent: 2, received: 2 },
      { id: 'lossy', rttMs: 6, minRttMs: 6, jitterMs: 0, sent: 2, received: 1 },
      { id: 'refused', sent: 0, received: 0 },
      { id: 'silent', sent: 0, received: 0 },
    ]);
  });

  it('ignores echoes that do not answer the sample in flight', async () => {
    const clock = { now: 0 };
    const createSocket = (): ProbeSocket => {
      const socket: ProbeSocket = {
        onopen: null,
        onmessage: null,
        onerror: null,
        onclose: null,
        send: (data) =>
          queueMicrotask(() => {
            socket.onmessage?.({ data: 'stale' });
            socket.onmessage?.({ data: new Uint8Array([1]) });
            clock.now += 3;
            socket.onmessage?.({ data });
          }),
        close: () => {},
      };
      queueMicrotask(() => socket.onopen?.({}));
      return socket;
    };
    const { socket, replies } = sink();
    await answerProbeRequest(request(['a'], 2), socket, { createSocket, now: () => clock.now, timeZone: null });
    expect(replies[0]!.p.results[0]).toMatchObject({ rttMs: 3, sent: 2, received: 2 });
  });

  it('adds the time zone the caller gives, or the browser’s when it is a usable IANA name', async () => {
    const echoes = scriptedEchoes({ 'ws://a/probe': [1] });
    const answer = async (timeZone?: string | null) => {
      const { socket, replies } = sink();
      await answerProbeRequest(request(['a'], 1), socket, {
        ...echoes,
        ...(timeZone === undefined ? {} : { timeZone }),
      });
      return replies[0]!.p.timeZone;
    };
    expect(await answer('Europe/Berlin')).toBe('Europe/Berlin');
    expect(await answer(null)).toBeUndefined();
    const browserZone = (zone: string) =>
      vi
        .spyOn(Intl, 'DateTimeFormat')
        .mockReturnValue({ resolvedOptions: () => ({ timeZone: zone }) } as unknown as Intl.DateTimeFormat);
    browserZone('America/Sao_Paulo');
    expect(await answer()).toBe('America/Sao_Paulo');
    browserZone('UTC');
    expect(await answer()).toBeUndefined();
    browserZone('Not a zone; drop table');
    expect(await answer()).toBeUndefined();
  });
});
