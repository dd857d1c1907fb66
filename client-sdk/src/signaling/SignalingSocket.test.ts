import { MessageType } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/FakeWebSocket.js';
import { SignalingSocket } from './SignalingSocket.js';

function open(options: { openTimeoutMs?: number; requestTimeoutMs?: number } = {}) {
  let fake!: FakeWebSocket;
  const socket = new SignalingSocket({
    url: 'ws://gw.test/ws/player',
    createWebSocket: (url) => {
      fake = new FakeWebSocket(url);
      return fake;
    },
    ...options,
  });
  return { socket, fake };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SignalingSocket', () => {
  it('opens, sends requests as envelopes and resolves them with the typed reply', async () => {
    const { socket, fake } = open();
    expect(fake.binaryType).toBe('arraybuffer');
    fake.open();
    await socket.opened;
    const reply = socket.request(MessageType.Ping, { ts: 5 });
    const [ping] = fake.sent;
    expect(ping).toMatchObject({ t: MessageType.Ping, p: { ts: 5 } });
    fake.deliver(MessageType.Pong, { ts: 5 }, ping?.id);
    await expect(reply).resolves.toEqual({ ts: 5 });
  });

  it('emits validated gateway messages and rejects (and answers) ones the player must not get', async () => {
    const { socket, fake } = open();
    fake.open();
    const messages: unknown[] = [];
    const errors: string[] = [];
    socket.on('message', (m) => messages.push(m));
    socket.on('protocolError', (e) => errors.push(e.code));
    fake.deliver(MessageType.SessionState, { sessionId: 's1', state: 'placing' });
    fake.deliver(MessageType.SessionStart, {
      sessionId: 's1',
      channel: 1,
      runtime: 'scene',
      video: { width: 640, height: 360, fps: 30, codec: 'h264', bitrateKbps: 1000, gop: 30 },
      rtp: {
        host: '127.0.0.1',
        port: 5000,
        payloadType: 96,
        ssrc: 1,
        srtp: { profile: 'AES_CM_128_HMAC_SHA1_80', masterKey: 'A'.repeat(40) },
      },
    });
    fake.deliverRaw('{not json');
    expect(messages).toEqual([{ t: MessageType.SessionState, p: { sessionId: 's1', state: 'placing' } }]);
    expect(errors).toEqual(['FW_ERR_UNEXPECTED_MESSAGE', 'FW_ERR_BAD_MESSAGE']);
    expect(fake.sentOfType(MessageType.Error)).toHaveLength(2);
  });

  it('rejects opened when the socket closes before it opens', async () => {
    const { socket, fake } = open();
    fake.remoteClose(1006);
    await expect(socket.opened).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
  });

  it('rejects opened with FW_ERR_TIMEOUT and closes the socket when it never opens', async () => {
    vi.useFakeTimers();
    const { socket, fake } = open({ openTimeoutMs: 500 });
    vi.advanceTimersByTime(500);
    await expect(socket.opened).rejects.toMatchObject({ code: 'FW_ERR_TIMEOUT' });
    expect(fake.closedWith).toEqual({ code: 4000, reason: 'open timeout' });
    expect(socket.closedInfo?.local).toBe(true);
  });

  it('fails pending requests with FW_ERR_CONNECTION_CLOSED and emits closed once when the gateway goes away', async () => {
    const { socket, fake } = open();
    fake.open();
    const closed: unknown[] = [];
    socket.on('closed', (info) => closed.push(info));
    const pending = socket.request(MessageType.PlayerJoin, { token: 't' });
    fake.remoteClose(1001, 'going away');
    fake.remoteClose(1001, 'going away');
    await expect(pending).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(closed).toEqual([{ code: 1001, reason: 'going away', local: false }]);
    expect(socket.isOpen).toBe(false);
  });

  it('closes idempotently, and notifications after close are dropped', async () => {
    const { socket, fake } = open();
    fake.open();
    socket.close(1000, 'bye');
    socket.close();
    socket.notify(MessageType.PlayerLeave, {});
    expect(fake.closedWith).toEqual({ code: 1000, reason: 'bye' });
    expect(fake.sent).toEqual([]);
    expect(socket.closedInfo).toEqual({ code: 1000, reason: 'bye', local: true });
  });
});
