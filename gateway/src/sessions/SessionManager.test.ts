import {
  type AnyMessage,
  type EncoderTarget,
  encodeSrtpKeying,
  FramewayError,
  MessageType,
  type PayloadOf,
  SessionStateName,
  TypedEmitter,
} from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentLink } from '../agents/AgentLink.js';
import { PlayerTokens } from '../auth/PlayerTokens.js';
import type { MediaRouter, SessionRoute, SessionRouteEvents } from '../media/MediaRouter.js';
import type { Placer, PlayerProber, ReplaceRequest } from '../placement/Placer.js';
import { PlayerLink } from '../players/PlayerLink.js';
import { NodeRegistry } from '../registry/NodeRegistry.js';
import { fakeSocket } from '../testing/fakeSocket.js';
import { sessionSpec } from '../testing/sessionSpec.js';
import type { Session } from './Session.js';
import { SessionManager, type SessionManagerEvents } from './SessionManager.js';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;
type SessionStarted = PayloadOf<typeof MessageType.SessionStarted>;

/** A media route that can re-latch its ingest, like werift's; tests emit its events by hand. */
class FakeRoute extends TypedEmitter<SessionRouteEvents> implements SessionRoute {
  readonly ingest = {
    host: '127.0.0.1',
    port: 40_000,
    payloadType: 96,
    ssrc: 1234,
    srtp: encodeSrtpKeying(new Uint8Array(30)),
  };
  readonly relatchIngest = vi.fn();
  closed = false;

  constructor(readonly sessionId: string) {
    super();
  }

  async answerPlayer(): Promise<string> {
    return 'v=0';
  }

  async addPlayerCandidate(): Promise<void> {}

  stats() {
    return {
      packetsIn: 0,
      bytesIn: 0,
      packetsRejected: 0,
      packetsForwarded: 0,
      inputMessages: 0,
      inputRejected: 0,
      playerConnected: true,
    };
  }

  close(): void {
    this.closed = true;
  }

  /** The first RTP packet from the agent arrived (again, after a re-latch). */
  mediaFlowing(): void {
    this.emit('mediaFlowing');
  }

  /** Emits a route event as the media plane would. */
  fire<E extends keyof SessionRouteEvents>(event: E, ...args: SessionRouteEvents[E]): void {
    this.emit(event, ...args);
  }
}

/** An edge node's agent link, reduced to what the session manager calls; `failStart` makes starts reject. */
interface FakeNode {
  link: AgentLink;
  starts: SessionStart[];
  stops: string[];
  keyframeRequests: number;
  targets: EncoderTarget[];
  controls: SessionStarted['encoderControls'];
  failStart: FramewayError | undefined;
}

function fakeNode(): FakeNode {
  const node: FakeNode = {
    link: undefined as unknown as AgentLink,
    starts: [],
    stops: [],
    keyframeRequests: 0,
    targets: [],
    controls: undefined,
    failStart: undefined,
  };
  node.link = {
    api: {
      startSession: async (start: SessionStart): Promise<SessionStarted> => {
        node.starts.push(start);
        if (node.failStart) throw node.failStart;
        return {
          sessionId: start.sessionId,
          encoder: { codec: 'h264', name: 'libx264', hardware: false },
          ...(node.controls ? { encoderControls: node.controls } : {}),
        };
      },
      stopSession: async (sessionId: string) => {
        node.stops.push(sessionId);
      },
      requestKeyframe: () => {
        node.keyframeRequests++;
      },
      setEncoderTarget: (target: EncoderTarget) => {
        node.targets.push(target);
      },
      sendInput: () => true,
    },
  } as unknown as AgentLink;
  return node;
}

/**
 * A session manager over a real registry with nodes `node-a`, `node-b` and
 * `node-c` up, fake agents and routes, and a placer whose `place` picks
 * `node-a` and whose `replace` is set per test. Node loss is wired as the
 * Gateway wires it: the registry's nodeDown reaches the manager and the
 * node's link is dropped.
 */
function harness() {
  const registry = new NodeRegistry({ heartbeatTimeoutMs: 60_000 });
  const nodes = new Map<string, FakeNode>();
  for (const agentId of ['node-a', 'node-b', 'node-c']) {
    registry.register({ agentId, version: '0.1.0', slots: 4, runtimes: ['scene'], encoders: [], gpus: [] });
    nodes.set(agentId, fakeNode());
  }
  const routes: FakeRoute[] = [];
  const media: MediaRouter = {
    backend: 'werift',
    iceServers: [],
    createRoute: async ({ sessionId }) => {
      const route = new FakeRoute(sessionId);
      routes.push(route);
      return route;
    },
    close: async () => {},
  };
  /** What each replace() call was asked, copied when asked (the manager extends its exclude list afterwards). */
  const replaceRequests: { reason: string; exclude: string[]; player: PlayerProber | undefined }[] = [];
  let replaceWith: (request: ReplaceRequest) => string = () => {
    throw new FramewayError('FW_ERR_NO_CAPACITY', 'no replacement configured');
  };
  const placer: Placer = {
    place: async () => 'node-a',
    replace: async (_session, request) => {
      replaceRequests.push({ reason: request.reason, exclude: [...request.exclude], player: request.player });
      return replaceWith(request);
    },
    forget: () => {},
  };
  const manager = new SessionManager({
    registry,
    media,
    placer,
    agentFor: (nodeId) => nodes.get(nodeId)?.link.api,
    playerReconnectGraceMs: 60_000,
    unjoinedTimeoutMs: 60_000,
    keyframeRequestIntervalMs: 100,
  });
  registry.on('nodeDown', (node, reason) => {
    manager.nodeDown(node.nodeId, reason);
    nodes.delete(node.nodeId);
  });
  const reserve = vi.spyOn(registry, 'reserve');
  const release = vi.spyOn(registry, 'release');
  const tokens = new PlayerTokens({ secret: PlayerTokens.randomSecret() });

  /** Creates a session, joins its player, and waits until node-a has started it and media flows. */
  async function running(): Promise<{ session: Session; route: FakeRoute; socket: ReturnType<typeof fakeSocket> }> {
    const socket = fakeSocket();
    const player = new PlayerLink({
      connection: socket.connection,
      context: { tokens, sessions: manager },
      joinTimeoutMs: 60_000,
    });
    const created = manager.create(sessionSpec());
    const session = await manager.join(player, { sid: created.id, sub: created.playerId, iat: 0, exp: 0 });
    await vi.waitFor(() => expect(session.encoder).toEqual({ codec: 'h264', name: 'libx264', hardware: false }));
    const route = routes.at(-1)!;
    route.mediaFlowing();
    expect(session.state).toBe(SessionStateName.Streaming);
    return { session, route, socket };
  }

  function next<E extends keyof SessionManagerEvents>(event: E): Promise<SessionManagerEvents[E]> {
    return new Promise((resolve) => manager.once(event, (...args) => resolve(args)));
  }

  return {
    registry,
    nodes,
    manager,
    replaceRequests,
    reserve,
    release,
    running,
    next,
    replaceWith: (choose: (request: ReplaceRequest) => string) => {
      replaceWith = choose;
    },
    node: (nodeId: string) => nodes.get(nodeId)!,
    reserved: (nodeId: string) => registry.get(nodeId)!.reservedSessions,
  };
}

function failovers(sent: readonly AnyMessage[]) {
  return sent.flatMap((message) => (message.t === MessageType.SessionFailover ? [message.p] : []));
}

describe('SessionManager failover', () => {
  let h: ReturnType<typeof harness>;
  afterEach(() => h?.manager.closeAll());

  it('moves a session whose node is lost to the node the placer replaces it with, and tells the player', async () => {
    h = harness();
    h.replaceWith(() => 'node-b');
    const { session, route, socket } = await h.running();
    expect([h.reserved('node-a'), h.reserved('node-b')]).toEqual([1, 0]);
    const failedOver = h.next('failedOver');

    h.registry.markDown('node-a', 'socket closed');

    const [moved, from, to] = await failedOver;
    expect([moved, from, to]).toEqual([session, 'node-a', 'node-b']);
    expect(session.nodeId).toBe('node-b');
    expect(h.manager.isFailingOver(session.id)).toBe(false);
    expect(h.replaceRequests).toEqual([
      { reason: 'node_lost', exclude: ['node-a'], player: h.manager.playerOf(session.id) },
    ]);
    expect(failovers(socket.sent)).toEqual([
      { sessionId: 's1', fromNodeId: 'node-a', toNodeId: 'node-b', reason: 'node_lost', message: expect.any(String) },
    ]);
    // The new node streams into the same ingest, which re-latches onto it.
    const [start] = h.node('node-b').starts;
    expect(start).toMatchObject({ sessionId: 's1', channel: session.channel, rtp: route.ingest });
    expect(route.relatchIngest).toHaveBeenCalledTimes(1);
    // The slot moves with the session.
    expect([h.reserved('node-a'), h.reserved('node-b')]).toEqual([0, 1]);
    expect(h.reserve.mock.calls).toEqual([['node-a'], ['node-b']]);
    expect(h.release.mock.calls).toEqual([['node-a']]);

    h.manager.end(session.id, { reason: 'terminated' });
    expect(h.reserved('node-b')).toBe(0);
    expect(h.node('node-b').stops).toEqual(['s1']);
  });

  it('moves a degraded session only once the new node has started, then stops it on the old node', async () => {
    h = harness();
    h.replaceWith(() => 'node-c');
    const { session, socket } = await h.running();
    const failedOver = vi.fn();
    h.manager.on('failedOver', failedOver);

    expect(await h.manager.migrate(session.id)).toBe(true);

    expect(session.nodeId).toBe('node-c');
    expect(failedOver).toHaveBeenCalledWith(session, 'node-a', 'node-c');
    expect(failovers(socket.sent)).toMatchObject([{ fromNodeId: 'node-a', toNodeId: 'node-c', reason: 'degraded' }]);
    await vi.waitFor(() => expect(h.node('node-a').stops).toEqual(['s1']));
    expect([h.reserved('node-a'), h.reserved('node-c')]).toEqual([0, 1]);
  });

  it('keeps a degraded session on its node when the new node fails to start and no other can, and tells the player it is back', async () => {
    h = harness();
    h.node('node-b').failStart = new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', 'no encoder');
    h.replaceWith((request) => {
      if (request.exclude.includes('node-b')) throw new FramewayError('FW_ERR_NO_NODE_IN_BUDGET', 'nothing else fits');
      return 'node-b';
    });
    const { session, route, socket } = await h.running();
    const failedOver = vi.fn();
    h.manager.on('failedOver', failedOver);

    expect(await h.manager.migrate(session.id)).toBe(false);

    expect(session.ended).toBe(false);
    expect(session.nodeId).toBe('node-a');
    expect(h.manager.isFailingOver(session.id)).toBe(false);
    expect(h.replaceRequests.map((r) => r.exclude)).toEqual([['node-a'], ['node-a', 'node-b']]);
    expect(failovers(socket.sent)).toEqual([
      { sessionId: 's1', fromNodeId: 'node-a', toNodeId: 'node-b', reason: 'degraded', message: expect.any(String) },
      { sessionId: 's1', fromNodeId: 'node-b', toNodeId: 'node-a', reason: 'degraded', message: expect.any(String) },
    ]);
    expect(failedOver).not.toHaveBeenCalled();
    // The ingest latches back onto the old node, which keeps its slot and is never told to stop.
    expect(route.relatchIngest).toHaveBeenCalledTimes(2);
    expect([h.reserved('node-a'), h.reserved('node-b')]).toEqual([1, 0]);
    expect(h.node('node-a').stops).toEqual([]);
  });

  it('tells the player it is back from the last node announced when every attempt fails to start', async () => {
    h = harness();
    for (const nodeId of ['node-b', 'node-c']) {
      h.node(nodeId).failStart = new FramewayError('FW_ERR_RUNTIME_FAILED', 'crashed on start');
    }
    h.replaceWith((request) => (request.exclude.includes('node-b') ? 'node-c' : 'node-b'));
    const { session, socket } = await h.running();

    expect(await h.manager.migrate(session.id)).toBe(false);

    expect(session.nodeId).toBe('node-a');
    expect(failovers(socket.sent).map((f) => [f.fromNodeId, f.toNodeId])).toEqual([
      ['node-a', 'node-b'],
      ['node-a', 'node-c'],
      ['node-c', 'node-a'],
    ]);
    expect([h.reserved('node-a'), h.reserved('node-b'), h.reserved('node-c')]).toEqual([1, 0, 0]);
  });

  it('announces nothing when the placer finds no other node for a degraded session', async () => {
    h = harness();
    h.replaceWith(() => {
      throw new FramewayError('FW_ERR_NO_NODE_IN_BUDGET', 'nothing else fits');
    });
    const { session, socket } = await h.running();

    expect(await h.manager.migrate(session.id)).toBe(false);

    expect(session.ended).toBe(false);
    expect(session.nodeId).toBe('node-a');
    expect(failovers(socket.sent)).toEqual([]);
    expect(h.reserved('node-a')).toBe(1);
    expect(h.node('node-a').stops).toEqual([]);
  });

  it('ends a session whose node is lost with agent_lost and FW_ERR_NO_NODE_IN_BUDGET when no other node fits', async () => {
    h = harness();
    h.replaceWith(() => {
      throw new FramewayError('FW_ERR_NO_NODE_IN_BUDGET', 'nothing within 30 ms');
    });
    const { session, socket } = await h.running();
    const ended = h.next('ended');

    h.registry.markDown('node-a', 'heartbeat timeout');

    const [gone, info] = await ended;
    expect(gone).toBe(session);
    expect(info).toMatchObject({ reason: 'agent_lost', code: 'FW_ERR_NO_NODE_IN_BUDGET' });
    expect(h.manager.get(session.id)).toBeUndefined();
    expect(failovers(socket.sent)).toEqual([]);
    const sessionEnded = socket.sent.find((m) => m.t === MessageType.SessionEnded);
    expect(sessionEnded?.p).toMatchObject({ sessionId: 's1', reason: 'agent_lost', code: 'FW_ERR_NO_NODE_IN_BUDGET' });
    expect(socket.closes).toEqual([{ code: 1000, reason: 'session ended' }]);
    expect(h.reserved('node-a')).toBe(0);
    expect(h.release.mock.calls).toEqual([['node-a']]);
  });
});

describe('SessionManager media control', () => {
  let h: ReturnType<typeof harness>;
  afterEach(() => h?.manager.closeAll());

  const target = { bitrateKbps: 2400, width: 960, height: 540, fps: 60, estimateKbps: 2900, lossFraction: 0.01 };

  it('coalesces a PLI flood into one keyframe request per interval, and the last one is not lost', async () => {
    h = harness();
    h.node('node-a').controls = { keyframeOnDemand: true, liveBitrate: true, liveResize: true, retransmits: true };
    const { route } = await h.running();
    const before = h.node('node-a').keyframeRequests;
    for (let i = 0; i < 50; i++) route.fire('keyframeRequest');
    expect(h.node('node-a').keyframeRequests - before).toBeLessThanOrEqual(1);
    // The deferred request goes out when the 100 ms interval has passed.
    await vi.waitFor(() => expect(h.node('node-a').keyframeRequests - before).toBe(2), { timeout: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.node('node-a').keyframeRequests - before).toBe(2);
  });

  it('does not ask an encoder that cannot force a keyframe', async () => {
    h = harness();
    h.node('node-a').controls = { keyframeOnDemand: false, liveBitrate: false, liveResize: false, retransmits: false };
    const { route } = await h.running();
    const before = h.node('node-a').keyframeRequests;
    route.fire('keyframeRequest');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(h.node('node-a').keyframeRequests).toBe(before);
  });

  it('sends congestion control targets to an encoder that can apply them, and tells the player', async () => {
    h = harness();
    h.node('node-a').controls = { keyframeOnDemand: true, liveBitrate: true, liveResize: true, retransmits: true };
    const { route, socket } = await h.running();
    route.fire('mediaTarget', target);
    expect(h.node('node-a').targets).toEqual([
      { sessionId: 's1', bitrateKbps: 2400, width: 960, height: 540, fps: 60 },
    ]);
    const quality = socket.sent.filter((message) => message.t === MessageType.StreamQuality).map((m) => m.p);
    expect(quality).toEqual([
      {
        sessionId: 's1',
        targetKbps: 2400,
        estimateKbps: 2900,
        width: 960,
        height: 540,
        fps: 60,
        fec: false,
        loss: 0.01,
      },
    ]);
  });

  it('keeps the full picture for an encoder that can only change its bitrate, and sends nothing to one that can do neither', async () => {
    h = harness();
    h.node('node-a').controls = { keyframeOnDemand: true, liveBitrate: true, liveResize: false, retransmits: true };
    const { route, session } = await h.running();
    route.fire('mediaTarget', target);
    const { width, height, fps } = session.video;
    expect(h.node('node-a').targets).toEqual([{ sessionId: 's1', bitrateKbps: 2400, width, height, fps }]);
  });

  it('sends no target to an agent that declared no encoder controls', async () => {
    h = harness();
    const { route } = await h.running();
    route.fire('mediaTarget', target);
    expect(h.node('node-a').targets).toEqual([]);
  });
});
