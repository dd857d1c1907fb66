import { type AnyMessage, decodeInputEvents, InputChannelLabel, InputEventType, MessageType } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect } from './connect.js';
import type { ConnectOptions } from './connectOptions.js';
import { FramewaySession } from './FramewaySession.js';
import { silentLogger } from './log/Logger.js';
import type { SessionEndInfo } from './SessionEndInfo.js';
import { FakePeerConnection } from './testing/FakePeerConnection.js';
import { FakeWebSocket } from './testing/FakeWebSocket.js';
import { keyEvent } from './testing/fakeDom.js';
import { SDK_VERSION } from './version.js';

const JOINED = {
  sessionId: 'sess-1',
  iceServers: [
    { urls: 'stun:stun.example.net:3478' },
    { urls: ['turn:t.example.net'], username: 'u', credential: 'c' },
  ],
  video: { width: 1280, height: 720, fps: 60 },
};
const ANSWER_SDP = 'v=0\r\ns=answer\r\n';

interface GatewayScript {
  /** How the fake gateway answers PlayerJoin: a payload, an error code, or nothing at all. */
  join?: 'ok' | { error: string } | 'silent';
  /** How it answers a rejoin (PlayerJoin on a later socket); default like `join`. */
  rejoin?: 'ok' | { error: string } | 'silent';
  offer?: 'ok' | { error: string } | 'silent';
  /** Whether it answers pings; default true. */
  pong?: boolean;
  /** Sockets after the first open by themselves (a reconnect); default true. */
  autoOpen?: boolean;
}

/** A session wired to fake sockets and fake peer connections; the fake gateway answers as scripted. */
function harness(script: GatewayScript = {}, overrides: Partial<ConnectOptions> = {}) {
  const sockets: FakeWebSocket[] = [];
  const peers: FakePeerConnection[] = [];
  const keyboard = new EventTarget();
  const options: ConnectOptions = {
    gatewayUrl: 'http://gw.test',
    token: 'player-token',
    createWebSocket: (url) => {
      const socket = new FakeWebSocket(url);
      socket.onSend = (message) => answer(socket, message);
      sockets.push(socket);
      if (sockets.length > 1 && (script.autoOpen ?? true)) queueMicrotask(() => socket.open());
      return socket;
    },
    createPeerConnection: (configuration) => {
      const peer = new FakePeerConnection(configuration);
      peers.push(peer);
      return peer as unknown as RTCPeerConnection;
    },
    createMediaStream: (tracks) => ({ tracks }) as unknown as MediaStream,
    keyboardTarget: keyboard,
    requestFrame: (callback) => setTimeout(callback, 0),
    logger: silentLogger,
    statsIntervalMs: 0,
    gamepads: false,
    ...overrides,
  };
  const answer = (socket: FakeWebSocket, message: AnyMessage): void => {
    const reply = (fn: () => void) => queueMicrotask(fn);
    if (message.t === MessageType.PlayerJoin) {
      const mode = (socket === sockets[0] ? script.join : (script.rejoin ?? script.join)) ?? 'ok';
      if (mode === 'ok') reply(() => socket.deliver(MessageType.PlayerJoined, JOINED, message.id));
      else if (mode !== 'silent') {
        reply(() => socket.deliver(MessageType.Error, { code: mode.error, message: 'refused' }, message.id));
      }
    }
    if (message.t === MessageType.PlayerOffer) {
      const mode = script.offer ?? 'ok';
      if (mode === 'ok') reply(() => socket.deliver(MessageType.PlayerAnswer, { sdp: ANSWER_SDP }, message.id));
      else if (mode !== 'silent') {
        reply(() => socket.deliver(MessageType.Error, { code: mode.error, message: 'no codec' }, message.id));
      }
    }
    if (message.t === MessageType.Ping && (script.pong ?? true)) {
      reply(() => socket.deliver(MessageType.Pong, { ts: message.p.ts }, message.id));
    }
  };
  const session = new FramewaySession(options);
  const ended: SessionEndInfo[] = [];
  const states: string[] = [];
  const log: string[] = [];
  session.on('ended', (info) => ended.push(info));
  session.on('state', (state) => states.push(state));
  session.on('reconnecting', (info) => log.push(`reconnecting ${info.attempt}`));
  session.on('resumed', (info) => log.push(`resumed ${info.attempts}`));
  return {
    session,
    keyboard,
    ended,
    states,
    log,
    sockets,
    peers,
    get socket() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket yet');
      return socket;
    },
    get peer() {
      const peer = peers.at(-1);
      if (!peer) throw new Error('no peer connection yet');
      return peer;
    },
  };
}

/** Opens the socket and waits until the offer/answer exchange has settled. */
async function joined(h: ReturnType<typeof harness>): Promise<void> {
  h.socket.open();
  await h.session.ready;
  await vi.waitFor(() => expect(h.peer.remoteDescription).not.toBeNull());
}

/** Lets every pending promise continuation run; setImmediate stays real under the fake timers used here. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('FramewaySession signaling', () => {
  it('joins with the token and SDK version on the derived player socket', async () => {
    const h = harness();
    expect(h.socket.url).toBe('ws://gw.test/ws/player');
    h.socket.open();
    await expect(h.session.ready).resolves.toBe(h.session);
    expect(h.socket.sentOfType(MessageType.PlayerJoin)[0]?.p).toEqual({
      token: 'player-token',
      sdkVersion: SDK_VERSION,
    });
    expect(h.session.sessionId).toBe('sess-1');
    expect(h.session.video).toEqual(JOINED.video);
  });

  it('builds the peer connection from the joined ICE servers with recvonly media and both input channels', async () => {
    const h = harness();
    await joined(h);
    expect(h.peer.configuration.iceServers).toEqual([
      { urls: 'stun:stun.example.net:3478' },
      { urls: ['turn:t.example.net'], username: 'u', credential: 'c' },
    ]);
    expect(h.peer.transceivers.map((t) => [t.kind, t.direction])).toEqual([
      ['video', 'recvonly'],
      ['audio', 'recvonly'],
    ]);
    expect(h.peer.channel(InputChannelLabel.Reliable).init).toEqual({ ordered: true });
    expect(h.peer.channel(InputChannelLabel.Motion).init).toEqual({ ordered: false, maxRetransmits: 0 });
    for (const t of h.peer.transceivers) {
      expect(t.receiver.jitterBufferTarget).toBe(0);
      expect(t.receiver.playoutDelayHint).toBe(0);
    }
  });

  it('sends its offer and applies the gateway answer', async () => {
    const h = harness();
    await joined(h);
    const [offer] = h.socket.sentOfType(MessageType.PlayerOffer);
    expect(offer?.p.sdp).toBe(h.peer.localDescription?.sdp);
    expect(h.peer.remoteDescription).toEqual({ type: 'answer', sdp: ANSWER_SDP });
  });

  it('trickles local candidates once the answer is in, and marks the end with an empty candidate', async () => {
    const h = harness({ offer: 'silent' });
    h.socket.open();
    await h.session.ready;
    await vi.waitFor(() => expect(h.socket.sentOfType(MessageType.PlayerOffer)).toHaveLength(1));
    h.peer.gather({ candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 });
    expect(h.socket.sentOfType(MessageType.IceCandidate)).toEqual([]);
    const offerId = h.socket.sentOfType(MessageType.PlayerOffer)[0]?.id;
    h.socket.deliver(MessageType.PlayerAnswer, { sdp: ANSWER_SDP }, offerId);
    await vi.waitFor(() => expect(h.socket.sentOfType(MessageType.IceCandidate)).toHaveLength(1));
    h.peer.gather(null);
    expect(h.socket.sentOfType(MessageType.IceCandidate).map((m) => m.p)).toEqual([
      { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      { candidate: '' },
    ]);
  });

  it('applies remote candidates, holding those that arrive before the answer', async () => {
    const h = harness({ offer: 'silent' });
    h.socket.open();
    await h.session.ready;
    await vi.waitFor(() => expect(h.socket.sentOfType(MessageType.PlayerOffer)).toHaveLength(1));
    h.socket.deliver(MessageType.IceCandidate, { candidate: 'candidate:early', sdpMid: '0', sdpMLineIndex: 0 });
    expect(h.peer.addedCandidates).toEqual([]);
    h.socket.deliver(
      MessageType.PlayerAnswer,
      { sdp: ANSWER_SDP },
      h.socket.sentOfType(MessageType.PlayerOffer)[0]?.id,
    );
    await vi.waitFor(() => expect(h.peer.addedCandidates).toHaveLength(1));
    h.socket.deliver(MessageType.IceCandidate, { candidate: 'candidate:late' });
    h.socket.deliver(MessageType.IceCandidate, { candidate: '' });
    await vi.waitFor(() => expect(h.peer.addedCandidates).toHaveLength(3));
    expect(h.peer.addedCandidates).toEqual([
      { candidate: 'candidate:early', sdpMid: '0', sdpMLineIndex: 0 },
      { candidate: 'candidate:late', sdpMLineIndex: 0 },
      { candidate: '', sdpMLineIndex: 0 },
    ]);
  });

  it('answers gateway pings with a pong carrying the same timestamp', async () => {
    const h = harness();
    await joined(h);
    h.socket.deliver(MessageType.Ping, { ts: 1234 }, 77);
    expect(h.socket.sentOfType(MessageType.Pong)).toEqual([{ t: MessageType.Pong, id: 77, p: { ts: 1234 } }]);
  });

  it('announces a node failover without touching the connection, and answers link-stats requests', async () => {
    const h = harness();
    await joined(h);
    const moves: unknown[] = [];
    h.session.on('failover', (info) => moves.push(info));
    h.socket.deliver(MessageType.SessionFailover, {
      sessionId: 'sess-1',
      fromNodeId: 'node-a',
      toNodeId: 'node-b',
      reason: 'node_lost',
    });
    h.socket.deliver(MessageType.SessionState, { sessionId: 'sess-1', state: 'starting' });
    expect(moves).toEqual([{ fromNodeId: 'node-a', toNodeId: 'node-b', reason: 'node_lost' }]);
    expect(h.peers).toHaveLength(1);
    expect(h.peer.closed).toBe(false);
    expect(h.session.state).toBe('starting');
    h.socket.deliver(MessageType.LinkStatsRequest, {}, 41);
    expect(h.socket.sent.find((m) => m.id === 41)).toMatchObject({ t: MessageType.LinkStats });
  });

  it('asks for an over-budget node in its join only when acceptOverBudget is set', async () => {
    const plain = harness();
    await joined(plain);
    expect(plain.socket.sentOfType(MessageType.PlayerJoin)[0]?.p).not.toHaveProperty('acceptOverBudget');
    plain.session.close();
    const accepting = harness({}, { acceptOverBudget: true });
    await joined(accepting);
    expect(accepting.socket.sentOfType(MessageType.PlayerJoin)[0]?.p).toMatchObject({ acceptOverBudget: true });
    accepting.session.close();
  });

  it('reports queue positions to onQueued while connect() is pending and as queued events', async () => {
    const early: unknown[] = [];
    const h = harness({ join: 'silent' }, { onQueued: (info) => early.push(info) });
    const later: unknown[] = [];
    h.session.on('queued', (info) => later.push(info));
    h.socket.open();
    await vi.waitFor(() => expect(h.socket.sentOfType(MessageType.PlayerJoin)).toHaveLength(1));
    const update = { sessionId: 'sess-1', position: 2, queueLength: 3, waitedMs: 1000, remainingMs: 7000 };
    h.socket.deliver(MessageType.QueuePosition, update);
    h.socket.deliver(MessageType.QueuePosition, { ...update, position: 1, waitedMs: 2000, remainingMs: 6000 });
    const { sessionId: _, ...first } = update;
    expect(early).toEqual([first, { ...first, position: 1, waitedMs: 2000, remainingMs: 6000 }]);
    expect(later).toEqual(early);
    h.session.close();
  });

  it('reports an unsolicited gateway error as an error event without ending the session', async () => {
    const h = harness();
    await joined(h);
    const errors: string[] = [];
    h.session.on('error', (error) => errors.push(error.code));
    h.socket.deliver(MessageType.Error, { code: 'FW_ERR_RATE_LIMITED', message: 'slow down' });
    h.socket.deliver(MessageType.Error, { code: 'SOMETHING_NEW', message: '?' });
    expect(errors).toEqual(['FW_ERR_RATE_LIMITED', 'FW_ERR_INTERNAL']);
    expect(h.ended).toEqual([]);
  });
});

describe('FramewaySession lifecycle', () => {
  it('follows the gateway states and emits connected once the peer connection is up', async () => {
    const h = harness();
    await joined(h);
    let connected = 0;
    h.session.on('connected', () => connected++);
    h.socket.deliver(MessageType.SessionState, { sessionId: 'sess-1', state: 'placing' });
    h.socket.deliver(MessageType.SessionState, { sessionId: 'sess-1', state: 'starting' });
    h.socket.deliver(MessageType.SessionState, { sessionId: 'sess-1', state: 'streaming' });
    h.peer.setConnectionState('connecting');
    h.peer.setConnectionState('connected');
    h.peer.setConnectionState('connected');
    expect(h.states).toEqual(['placing', 'starting', 'streaming']);
    expect(h.session.state).toBe('streaming');
    expect(connected).toBe(1);
    expect(h.session.connected).toBe(true);
  });

  it("ends with the gateway's reason and code when SessionEnded arrives, releasing everything", async () => {
    const h = harness();
    await joined(h);
    h.socket.deliver(MessageType.SessionEnded, {
      sessionId: 'sess-1',
      reason: 'runtime_exited',
      code: 'FW_ERR_RUNTIME_FAILED',
      message: 'exit 1',
    });
    h.socket.remoteClose(1000);
    expect(h.ended).toEqual([{ reason: 'runtime_exited', code: 'FW_ERR_RUNTIME_FAILED', message: 'exit 1' }]);
    expect(h.states.at(-1)).toBe('ended');
    expect(h.session.state).toBe('ended');
    expect(h.peer.closed).toBe(true);
    expect(h.socket.closedWith).toEqual({ code: 1000, reason: 'session ended' });
    expect(h.socket.sentOfType(MessageType.PlayerLeave)).toEqual([]);
  });

  it('ends with connection_lost and FW_ERR_CONNECTION_CLOSED when the socket closes and reconnect is off', async () => {
    const h = harness({}, { reconnect: false });
    await joined(h);
    h.socket.remoteClose(1006);
    expect(h.ended).toHaveLength(1);
    expect(h.ended[0]).toMatchObject({ reason: 'connection_lost', code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(h.ended[0]?.message).toContain('1006');
    expect(h.peer.closed).toBe(true);
  });

  it('ends with media_failed when the peer connection fails or is closed under it and reconnect is off', async () => {
    for (const state of ['failed', 'closed'] as const) {
      const h = harness({}, { reconnect: false });
      await joined(h);
      h.peer.setConnectionState('connected');
      h.peer.setConnectionState(state);
      expect(h.ended).toEqual([expect.objectContaining({ reason: 'media_failed', code: 'FW_ERR_CONNECTION_CLOSED' })]);
      expect(h.socket.closedWith).toEqual({ code: 1000, reason: 'session ended' });
    }
  });

  it('rides out a short disconnection but ends once it outlasts the grace period when reconnect is off', async () => {
    const h = harness({}, { disconnectGraceMs: 1000, reconnect: false });
    await joined(h);
    vi.useFakeTimers();
    h.peer.setConnectionState('connected');
    h.peer.setConnectionState('disconnected');
    vi.advanceTimersByTime(900);
    h.peer.setConnectionState('connected');
    vi.advanceTimersByTime(5000);
    expect(h.ended).toEqual([]);
    h.peer.setConnectionState('disconnected');
    vi.advanceTimersByTime(1000);
    expect(h.ended).toEqual([expect.objectContaining({ reason: 'media_failed', code: 'FW_ERR_CONNECTION_CLOSED' })]);
  });

  it('ends with FW_ERR_TIMEOUT when media never connects after the answer', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = harness({}, { mediaTimeoutMs: 3000 });
    h.socket.open();
    await h.session.ready;
    await settle();
    expect(h.peer.remoteDescription).not.toBeNull();
    vi.advanceTimersByTime(2999);
    expect(h.ended).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.ended).toEqual([expect.objectContaining({ reason: 'media_failed', code: 'FW_ERR_TIMEOUT' })]);
  });

  it('ends with media_failed and the gateway code when the offer is refused', async () => {
    const h = harness({ offer: { error: 'FW_ERR_MEDIA_NEGOTIATION_FAILED' } });
    h.socket.open();
    await h.session.ready;
    await vi.waitFor(() => expect(h.ended).toHaveLength(1));
    expect(h.ended[0]).toMatchObject({ reason: 'media_failed', code: 'FW_ERR_MEDIA_NEGOTIATION_FAILED' });
  });

  it('ends with media_failed when the browser rejects the answer', async () => {
    const h = harness({}, {});
    const original = h.session;
    h.socket.open();
    await original.ready;
    h.peer.rejectAnswer = new Error('bad sdp');
    await vi.waitFor(() => expect(h.ended).toHaveLength(1));
    expect(h.ended[0]).toMatchObject({
      reason: 'media_failed',
      code: 'FW_ERR_MEDIA_NEGOTIATION_FAILED',
      message: 'bad sdp',
    });
  });

  it('close() tells the gateway, closes socket and peer, emits ended once, and is idempotent', async () => {
    const h = harness();
    await joined(h);
    h.session.close();
    h.session.close();
    expect(h.socket.sentOfType(MessageType.PlayerLeave)).toHaveLength(1);
    expect(h.ended).toEqual([{ reason: 'player_left' }]);
    expect(h.session.endInfo).toEqual({ reason: 'player_left' });
    expect(h.peer.closed).toBe(true);
    expect(h.socket.closedWith?.code).toBe(1000);
  });
});

describe('FramewaySession start failures', () => {
  it("rejects ready with the gateway's code when the join is refused, and ends as start_failed", async () => {
    for (const code of ['FW_ERR_UNAUTHORIZED', 'FW_ERR_TOKEN_EXPIRED', 'FW_ERR_NO_CAPACITY']) {
      const h = harness({ join: { error: code } });
      h.socket.open();
      await expect(h.session.ready).rejects.toMatchObject({ name: 'FramewayError', code });
      expect(h.ended).toEqual([expect.objectContaining({ reason: 'start_failed', code })]);
      expect(h.socket.closedWith).toEqual({ code: 1000, reason: 'session ended' });
    }
  });

  it('rejects with FW_ERR_CONNECTION_CLOSED when the socket closes before it opens', async () => {
    const h = harness();
    h.socket.remoteClose(1006);
    await expect(h.session.ready).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(h.ended).toHaveLength(1);
  });

  it('rejects with FW_ERR_TIMEOUT when the gateway never answers the join', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = harness({ join: 'silent' }, { connectTimeoutMs: 2000 });
    h.socket.open();
    const ready = h.session.ready;
    await settle();
    expect(h.socket.sentOfType(MessageType.PlayerJoin)).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    await expect(ready).rejects.toMatchObject({ code: 'FW_ERR_TIMEOUT' });
    expect(h.ended).toEqual([expect.objectContaining({ reason: 'start_failed', code: 'FW_ERR_TIMEOUT' })]);
  });

  it('rejects with the end reason when the gateway ends the session during the join', async () => {
    const h = harness({ join: 'silent' });
    h.socket.open();
    h.socket.deliver(MessageType.SessionEnded, {
      sessionId: 'sess-1',
      reason: 'start_failed',
      code: 'FW_ERR_NO_CAPACITY',
    });
    await expect(h.session.ready).rejects.toMatchObject({ code: 'FW_ERR_NO_CAPACITY' });
    expect(h.ended).toEqual([{ reason: 'start_failed', code: 'FW_ERR_NO_CAPACITY' }]);
  });

  it('connect() rejects bad options without opening anything', async () => {
    let opened = 0;
    const createWebSocket = (url: string) => {
      opened++;
      return new FakeWebSocket(url);
    };
    await expect(connect({ gatewayUrl: 'http://gw.test', token: '', createWebSocket })).rejects.toThrow(TypeError);
    await expect(connect({ gatewayUrl: 'gw.test', token: 't', createWebSocket })).rejects.toThrow(TypeError);
    expect(opened).toBe(0);
  });
});

describe('FramewaySession media and input', () => {
  function fakeVideo() {
    const target = new EventTarget();
    return Object.assign(target, {
      muted: false,
      playsInline: false,
      autoplay: false,
      srcObject: null as unknown,
      plays: 0,
      videoWidth: 1280,
      videoHeight: 720,
      getBoundingClientRect: () => ({ left: 0, top: 0, width: 1280, height: 720 }),
      play() {
        this.plays++;
        return Promise.resolve();
      },
    });
  }

  it('attach() plays the stream muted and inline and captures keys on the window', async () => {
    const h = harness();
    await joined(h);
    const video = fakeVideo();
    h.session.attach(video as unknown as HTMLVideoElement);
    expect(video).toMatchObject({ muted: true, playsInline: true, autoplay: true, plays: 1 });
    // Video alone in the element: audio buffering must never hold frames back.
    expect(video.srcObject).toBe(h.session.videoStream);
    expect((h.session.videoStream as unknown as { tracks: { kind: string }[] }).tracks.map((t) => t.kind)).toEqual([
      'video',
    ]);
    expect(h.session.input.target).toBe(video);
    // A key pressed before the input channel opens is delivered once it does.
    h.keyboard.dispatchEvent(keyEvent('keydown', 'KeyW'));
    const channel = h.peer.channel(InputChannelLabel.Reliable);
    channel.open();
    expect(channel.sent.map((bytes) => decodeInputEvents(bytes))).toEqual([
      [{ type: InputEventType.KeyDown, usage: 0x1a, modifiers: 0 }],
    ]);
  });

  it('attach() before the join completes plays once media exists', async () => {
    const h = harness();
    const video = fakeVideo();
    h.session.attach(video as unknown as HTMLVideoElement);
    expect(video.plays).toBe(0);
    await joined(h);
    expect(video.plays).toBe(1);
    expect(video.srcObject).toBe(h.session.videoStream);
  });

  it('stops capturing input when the session ends', async () => {
    const h = harness();
    await joined(h);
    h.session.attach(fakeVideo() as unknown as HTMLVideoElement);
    h.session.close();
    expect(h.session.input.target).toBeUndefined();
  });

  it('derives stats from the peer connection report, and keeps the last sample after the end', async () => {
    const h = harness();
    await joined(h);
    h.peer.statsReport = new Map([
      [
        'IT01V',
        {
          id: 'IT01V',
          type: 'inbound-rtp',
          kind: 'video',
          timestamp: 1000,
          framesDecoded: 60,
          frameWidth: 1280,
          frameHeight: 720,
          framesPerSecond: 60,
          bytesReceived: 1_000_000,
        },
      ],
    ]);
    const stats = await h.session.getStats();
    expect(stats).toMatchObject({ fps: 60, framesDecoded: 60, width: 1280, height: 720 });
    h.session.close();
    await expect(h.session.getStats()).resolves.toEqual(stats);
  });

  it('emits periodic stats once connected', async () => {
    const h = harness({}, { statsIntervalMs: 20 });
    await joined(h);
    h.peer.statsReport = new Map([['T', { id: 'T', type: 'transport', timestamp: 1 }]]);
    h.peer.setConnectionState('connected');
    const [stats] = await h.session.waitFor('stats');
    expect(stats).toMatchObject({ fps: 0, width: 0 });
    h.session.close();
  });
});

describe('FramewaySession reconnect', () => {
  /** Joined and connected, ready to be broken. */
  async function live(script: GatewayScript = {}, overrides: Partial<ConnectOptions> = {}) {
    const h = harness(script, overrides);
    await joined(h);
    h.peer.setConnectionState('connected');
    return h;
  }

  it('resumes after the socket drops: rejoins with the same token on a new socket and renegotiates', async () => {
    const h = await live();
    const first = { socket: h.socket, peer: h.peer };
    const resumed = h.session.waitFor('resumed');
    h.socket.remoteClose(1006);
    expect(h.log).toEqual(['reconnecting 1']);
    expect(h.session.reconnecting).toBe(true);
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    expect(h.sockets).toHaveLength(2);
    expect(h.socket.sentOfType(MessageType.PlayerJoin)[0]?.p.token).toBe('player-token');
    await vi.waitFor(() => expect(h.peer.remoteDescription).not.toBeNull());
    expect(first.peer.closed).toBe(true);
    h.peer.setConnectionState('connected');
    const [info] = await resumed;
    expect(info.attempts).toBe(1);
    expect(info.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(h.log).toEqual(['reconnecting 1', 'resumed 1']);
    expect(h.session.reconnecting).toBe(false);
    expect(h.ended).toEqual([]);
    expect(first.socket.sentOfType(MessageType.PlayerOffer)).toHaveLength(1);
  });

  it('renegotiates on the same socket when only the media failed and the socket still answers', async () => {
    const h = await live();
    h.peer.setConnectionState('failed');
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    await vi.waitFor(() => expect(h.socket.sentOfType(MessageType.PlayerOffer)).toHaveLength(2));
    expect(h.sockets).toHaveLength(1);
    expect(h.socket.sentOfType(MessageType.Ping)).toHaveLength(1);
    expect(h.socket.sentOfType(MessageType.PlayerJoin)).toHaveLength(1);
    h.peer.setConnectionState('connected');
    await vi.waitFor(() => expect(h.log).toEqual(['reconnecting 1', 'resumed 1']));
  });

  it('opens a fresh socket when the live one does not answer the probe', async () => {
    const h = await live({ pong: false });
    h.peer.setConnectionState('failed');
    await vi.waitFor(() => expect(h.sockets).toHaveLength(2), { timeout: 3000 });
    expect(h.sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'reconnecting' });
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
  });

  it('renegotiates once a disconnected peer connection outlasts the grace period', async () => {
    const h = await live({}, { disconnectGraceMs: 50 });
    h.peer.setConnectionState('disconnected');
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    expect(h.log).toEqual(['reconnecting 1']);
  });

  it('keeps key edges pressed during the outage and delivers them on the new connection, then resyncs input', async () => {
    const h = await live();
    h.session.attach(
      Object.assign(new EventTarget(), {
        muted: false,
        playsInline: false,
        autoplay: false,
        srcObject: null as unknown,
        videoWidth: 1280,
        videoHeight: 720,
        getBoundingClientRect: () => ({ left: 0, top: 0, width: 1280, height: 720 }),
        play: () => Promise.resolve(),
      }) as unknown as HTMLVideoElement,
    );
    h.socket.remoteClose(1006);
    h.keyboard.dispatchEvent(keyEvent('keydown', 'KeyW'));
    // Pad states are not held (the resume sends the latest); they must not crowd out key edges.
    for (let i = 0; i < 100; i++) {
      h.session.input.send([
        {
          type: InputEventType.GamepadState,
          pad: 0,
          buttons: 0,
          leftTrigger: 0,
          rightTrigger: 0,
          lx: i,
          ly: 0,
          rx: 0,
          ry: 0,
        },
      ]);
    }
    h.keyboard.dispatchEvent(keyEvent('keyup', 'KeyW'));
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    const channel = h.peer.channel(InputChannelLabel.Reliable);
    channel.open();
    expect(channel.sent.flatMap((bytes) => decodeInputEvents(bytes))).toEqual([
      { type: InputEventType.KeyDown, usage: 0x1a, modifiers: 0 },
      { type: InputEventType.KeyUp, usage: 0x1a, modifiers: 0 },
    ]);
  });

  it('starts over when the socket dies while the new media comes up', async () => {
    const h = await live();
    h.socket.remoteClose(1006);
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    await vi.waitFor(() => expect(h.peer.remoteDescription).not.toBeNull());
    h.socket.remoteClose(1006);
    h.peer.setConnectionState('connected');
    expect(h.log).toEqual(['reconnecting 1', 'resumed 1', 'reconnecting 1']);
    await vi.waitFor(() => expect(h.sockets).toHaveLength(3));
    await vi.waitFor(() => expect(h.peers).toHaveLength(3));
  });

  it('ends as connection_lost with the gateway code when the rejoin is refused for good', async () => {
    const h = await live({ rejoin: { error: 'FW_ERR_SESSION_ENDED' } });
    h.socket.remoteClose(1006);
    await vi.waitFor(() => expect(h.ended).toHaveLength(1));
    expect(h.ended[0]).toMatchObject({ reason: 'connection_lost', code: 'FW_ERR_SESSION_ENDED' });
    expect(h.session.reconnecting).toBe(false);
  });

  it('retries a rejoin that fails for a passing reason, on a fresh socket', async () => {
    const h = await live({ autoOpen: false });
    h.sockets[0]!.remoteClose(1006);
    // The first rejoin socket dies before it opens; the next attempt gets through.
    await vi.waitFor(() => expect(h.sockets).toHaveLength(2));
    h.sockets[1]!.remoteClose(1006);
    await vi.waitFor(() => expect(h.sockets).toHaveLength(3), { timeout: 3000 });
    h.sockets[2]!.open();
    await vi.waitFor(() => expect(h.peers).toHaveLength(2));
    await vi.waitFor(() => expect(h.peer.remoteDescription).not.toBeNull());
    h.peer.setConnectionState('connected');
    await vi.waitFor(() => expect(h.log).toEqual(['reconnecting 1', 'reconnecting 2', 'resumed 2']));
  });

  it('ends as connection_lost once the outage outlasts reconnectTimeoutMs', async () => {
    const h = await live({ rejoin: 'silent' }, { reconnectTimeoutMs: 300 });
    h.socket.remoteClose(1006);
    await vi.waitFor(() => expect(h.ended).toHaveLength(1), { timeout: 3000 });
    expect(h.ended[0]).toMatchObject({ reason: 'connection_lost', code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(h.ended[0]?.message).toContain('300 ms');
  });

  it('does not take the session back from a newer connection (close code 4000)', async () => {
    const h = await live();
    h.socket.remoteClose(4000, 'replaced by a newer connection');
    expect(h.log).toEqual([]);
    expect(h.ended).toEqual([expect.objectContaining({ reason: 'connection_lost', code: 'FW_ERR_CONNECTION_CLOSED' })]);
    expect(h.ended[0]?.message).toContain('newer connection');
  });

  it('close() during an outage ends it as player_left without further attempts', async () => {
    const h = await live({ rejoin: 'silent' });
    h.socket.remoteClose(1006);
    h.session.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.ended).toEqual([{ reason: 'player_left' }]);
    expect(h.sockets.length).toBeLessThanOrEqual(2);
  });
});

describe('FramewaySession playout', () => {
  it('without lowLatency plays both tracks in one element and leaves the receivers alone', async () => {
    const h = harness({}, { lowLatency: false });
    await joined(h);
    for (const t of h.peer.transceivers) expect(t.receiver.jitterBufferTarget).toBeNull();
    const video = Object.assign(new EventTarget(), {
      muted: true,
      playsInline: false,
      autoplay: false,
      srcObject: null as unknown,
      getBoundingClientRect: () => ({ left: 0, top: 0, width: 1, height: 1 }),
      play: () => Promise.resolve(),
    });
    h.session.attach(video as unknown as HTMLVideoElement);
    expect(video.srcObject).toBe(h.session.stream);
    h.session.muted = false;
    expect(video.muted).toBe(false);
  });
});
