import {
  type FailoverReason,
  FramewayError,
  type IceServer,
  MessageType,
  SessionEndReason,
  SessionStateName,
  TypedEmitter,
} from '@frameway/protocol';
import type { AgentLink } from '../agents/AgentLink.js';
import type { PlayerTokenClaims } from '../auth/PlayerTokens.js';
import { createLogger } from '../logging/logger.js';
import type { IceCandidateInit, MediaRouter, SessionRoute } from '../media/MediaRouter.js';
import type { Placer } from '../placement/Placer.js';
import type { PlayerLink } from '../players/PlayerLink.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import { Session, type SessionEndInfo, type SessionSpec } from './Session.js';
import { SessionMediaControl } from './SessionMediaControl.js';
import { SessionTimers } from './SessionTimers.js';

const log = createLogger('sessions.manager');

export type SessionManagerEvents = {
  created: [session: Session];
  /** The session was bound to a node (first placement). */
  placed: [session: Session, nodeId: string];
  /** Media from the agent reached the gateway: the session is live (billable time starts). */
  streaming: [session: Session];
  /** The session moved to another node after its node died or degraded. */
  failedOver: [session: Session, fromNodeId: string, toNodeId: string];
  ended: [session: Session, info: SessionEndInfo];
};

export interface SessionManagerOptions {
  registry: NodeRegistry;
  media: MediaRouter;
  placer: Placer;
  /** The live link of a registered node. */
  agentFor: (nodeId: string) => AgentLink | undefined;
  /** How long a session waits for its player to come back after the socket drops. */
  playerReconnectGraceMs: number;
  /** A created session nobody joins within this time ends. */
  unjoinedTimeoutMs: number;
  /** Minimum spacing of keyframe requests forwarded to an agent. */
  keyframeRequestIntervalMs: number;
  /**
   * Moving a running session to another node when its node dies or degrades
   * (needs a placer with `replace` and a media route that can re-latch its
   * ingest). Off: the session ends with its node.
   */
  failover?: { enabled: boolean; maxAttempts: number };
  now?: () => number;
}

/** How long an ended session is remembered, so a late rejoin gets FW_ERR_SESSION_ENDED rather than not-found. */
const ENDED_SESSION_MEMORY_MS = 10 * 60 * 1000;

/**
 * Session lifecycle: creation (demo page or studio API), join (placement,
 * media route, agent start), the player's offer, input relay, and every way
 * a session ends. Consumers (ledger, billing, webhooks) follow the events.
 */
export class SessionManager extends TypedEmitter<SessionManagerEvents> {
  readonly #options: Required<SessionManagerOptions>;
  readonly #sessions = new Map<string, Session>();
  readonly #players = new Map<string, PlayerLink>();
  /** `limit`: unjoined or maximum-length deadline; `grace`: the player's reconnect grace. */
  readonly #timers = new SessionTimers<'limit' | 'grace'>();
  readonly #placing = new Set<string>();
  readonly #endedAt = new Map<string, number>();
  readonly #mediaControls = new Map<string, SessionMediaControl>();
  readonly #failingOver = new Set<string>();
  /** The node each session holds a slot on (a failover moves it; the end releases it). */
  readonly #reservedOn = new Map<string, string>();
  #nextChannel = 1;

  constructor(options: SessionManagerOptions) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#options = { now: Date.now, failover: { enabled: true, maxAttempts: 2 }, ...options };
  }

  get iceServers(): IceServer[] {
    return this.#options.media.iceServers;
  }

  get(sessionId: string): Session | undefined {
    return this.#sessions.get(sessionId);
  }

  list(): readonly Session[] {
    return [...this.#sessions.values()];
  }

  /** The player currently attached to a session, if any. */
  playerOf(sessionId: string): PlayerLink | undefined {
    return this.#players.get(sessionId);
  }

  /** Creates a session that waits for its player; placement happens when the player joins. */
  create(spec: SessionSpec): Session {
    if (this.#sessions.has(spec.id) || this.#endedAt.has(spec.id)) {
      throw new FramewayError('FW_ERR_INVALID_STATE', `session ${spec.id} already exists`);
    }
    const session = new Session(spec, this.#allocateChannel(), this.#options.now());
    this.#sessions.set(session.id, session);
    session.on('ended', (info) => this.#onEnded(session, info));
    session.on('state', (state) => {
      const player = this.#players.get(session.id);
      if (player && state !== SessionStateName.Ended) player.api.sessionState(session.id, state, session.nodeId);
    });
    this.#timers.set(session.id, 'limit', this.#options.unjoinedTimeoutMs, () =>
      session.end({ reason: SessionEndReason.Terminated, message: 'no player joined in time' }),
    );
    log.info({ sessionId: session.id, runtime: spec.runtime, titleId: spec.titleId }, 'session created');
    this.emit('created', session);
    return session;
  }

  /** Binds a player to its session; the first join places and starts it. */
  async join(player: PlayerLink, claims: PlayerTokenClaims): Promise<Session> {
    const session = this.#sessions.get(claims.sid);
    if (!session) {
      if (this.#endedAt.has(claims.sid)) throw new FramewayError('FW_ERR_SESSION_ENDED', 'this session has ended');
      throw new FramewayError('FW_ERR_SESSION_NOT_FOUND', 'no such session');
    }
    if (session.playerId !== claims.sub) throw new FramewayError('FW_ERR_FORBIDDEN', 'token is for another player');
    if (session.nodeId === undefined) {
      if (this.#placing.has(session.id)) throw new FramewayError('FW_ERR_INVALID_STATE', 'session is being placed');
      this.#placing.add(session.id);
      try {
        await this.#placeAndStart(session, player);
      } finally {
        this.#placing.delete(session.id);
      }
    } else {
      log.info({ sessionId: session.id }, 'player rejoined session');
    }
    this.#attachPlayer(session, player);
    return session;
  }

  async answer(session: Session, offerSdp: string): Promise<string> {
    if (!session.route) throw new FramewayError('FW_ERR_INVALID_STATE', 'session has no media route');
    return session.route.answerPlayer(offerSdp);
  }

  async addPlayerCandidate(session: Session, candidate: IceCandidateInit): Promise<void> {
    await session.route?.addPlayerCandidate(candidate);
  }

  /** Ends a session for any reason; idempotent. */
  end(sessionId: string, info: SessionEndInfo): void {
    this.#sessions.get(sessionId)?.end(info, this.#options.now());
  }

  /** The agent reported that a session is over on its side. */
  agentSessionEnded(nodeId: string, sessionId: string, reason: SessionEndReason, message: string | undefined): void {
    const session = this.#sessions.get(sessionId);
    if (!session || session.nodeId !== nodeId) return;
    const code = reason === SessionEndReason.AgentShutdown ? 'FW_ERR_AGENT_UNAVAILABLE' : 'FW_ERR_RUNTIME_FAILED';
    session.end({ reason, code, message }, this.#options.now());
  }

  /** A node went down: every session on it fails over to another node, or ends when none can take it. */
  nodeDown(nodeId: string, why: string): void {
    for (const session of [...this.#sessions.values()]) {
      // A session already moving handles its own node's loss.
      if (session.nodeId !== nodeId || this.#failingOver.has(session.id)) continue;
      if (this.#canFailOver(session)) {
        void this.#failOver(session, 'node_lost', `node lost: ${why}`);
      } else {
        session.end(
          { reason: SessionEndReason.AgentLost, code: 'FW_ERR_AGENT_UNAVAILABLE', message: `node lost: ${why}` },
          this.#options.now(),
        );
      }
    }
  }

  /**
   * Moves a running session to another node (its path RTT stayed over budget,
   * or an operator asked). The old node is told to stop; the player sees a
   * short freeze. Resolves false when the session could not move (it then keeps
   * running where it is).
   */
  async migrate(sessionId: string, reason: FailoverReason = 'degraded'): Promise<boolean> {
    const session = this.#sessions.get(sessionId);
    if (!session || !this.#canFailOver(session)) return false;
    return this.#failOver(session, reason, 'moving to a node within the latency budget');
  }

  /** True while a session is being moved to another node. */
  isFailingOver(sessionId: string): boolean {
    return this.#failingOver.has(sessionId);
  }

  /** Ends every session (gateway shutdown). */
  closeAll(reason: SessionEndReason = SessionEndReason.GatewayShutdown): void {
    for (const session of [...this.#sessions.values()]) session.end({ reason }, this.#options.now());
  }

  async #placeAndStart(session: Session, player: PlayerLink): Promise<void> {
    const { registry, media, placer } = this.#options;
    const nodeId = await placer.place(session, player);
    if (session.ended) throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session ended during placement');
    registry.reserve(nodeId);
    this.#reservedOn.set(session.id, nodeId);
    session.assignNode(nodeId);
    try {
      session.route = await media.createRoute({ sessionId: session.id, video: session.video });
    } catch (error) {
      session.end({ reason: SessionEndReason.MediaFailed, code: 'FW_ERR_INTERNAL', message: String(error) });
      throw new FramewayError('FW_ERR_INTERNAL', 'could not create the media route', undefined, { cause: error });
    }
    this.#wireRoute(session);
    this.#timers.clear(session.id, 'limit');
    if (session.spec.maxDurationMs !== undefined) {
      this.#timers.set(session.id, 'limit', session.spec.maxDurationMs, () =>
        session.end({ reason: SessionEndReason.Terminated, message: 'maximum session length reached' }),
      );
    }
    session.setState(SessionStateName.Starting);
    log.info({ sessionId: session.id, nodeId }, 'session placed');
    this.emit('placed', session, nodeId);
    void this.#startOnAgent(session);
  }

  #wireRoute(session: Session): void {
    const route = session.route!;
    route.on('mediaFlowing', () => {
      // Also after a failover, when the new agent's media arrives; 'streaming' is emitted once per session.
      const first = session.streamingSince === undefined;
      session.streamingSince ??= this.#options.now();
      session.setState(SessionStateName.Streaming);
      if (first) this.emit('streaming', session);
      else this.#mediaControls.get(session.id)?.requestKeyframe(true);
    });
    route.on('input', (bytes) => {
      if (session.nodeId) this.#options.agentFor(session.nodeId)?.api.sendInput(session.channel, bytes);
    });
    route.on('inputRejected', (error) => {
      session.log.debug({ code: error.code, detail: error.message }, 'input rejected');
      this.#players.get(session.id)?.api.warn(error);
    });
    const control = new SessionMediaControl({
      session,
      agent: () => (session.nodeId ? this.#options.agentFor(session.nodeId)?.api : undefined),
      player: () => this.#players.get(session.id)?.api,
      keyframes: { minIntervalMs: this.#options.keyframeRequestIntervalMs },
      now: this.#options.now,
    });
    this.#mediaControls.set(session.id, control);
    control.listenTo(route);
    route.on('localCandidate', (candidate) => this.#players.get(session.id)?.api.iceCandidate(candidate));
    route.on('playerDisconnected', (reason) => {
      session.log.info({ reason }, 'player media transport lost');
      this.#startGrace(session, `media ${reason}`);
    });
    route.on('playerConnected', () => this.#cancelGrace(session.id));
  }

  async #startOnAgent(session: Session): Promise<void> {
    try {
      await this.#requestStart(session);
    } catch (error) {
      const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
      if (fwError.code === 'FW_ERR_AGENT_UNAVAILABLE' && fwError.message === NO_LIVE_LINK) {
        session.end({ reason: SessionEndReason.AgentLost, code: fwError.code, message: fwError.message });
      } else {
        session.end({ reason: SessionEndReason.StartFailed, code: fwError.code, message: fwError.message });
      }
    }
  }

  /** Asks the session's node to start it, sending RTP to the session's ingest. Rejects with a FramewayError. */
  async #requestStart(session: Session): Promise<void> {
    const nodeId = session.nodeId!;
    const agent = this.#options.agentFor(nodeId);
    if (!agent) throw new FramewayError('FW_ERR_AGENT_UNAVAILABLE', NO_LIVE_LINK);
    const started = await agent.api.startSession({
      sessionId: session.id,
      channel: session.channel,
      runtime: session.runtime,
      ...(session.spec.runtimeOptions ? { runtimeOptions: { ...session.spec.runtimeOptions } } : {}),
      video: session.video,
      rtp: session.route!.ingest,
      ...(session.route!.audioIngest ? { audioRtp: session.route!.audioIngest } : {}),
    });
    // The session may have moved on (failover) or ended while the agent started it.
    if (session.ended || session.nodeId !== nodeId) {
      agent.api
        .stopSession(session.id, SessionEndReason.Terminated)
        .catch((error: unknown) => session.log.debug({ err: error }, 'stop of a superseded start failed'));
      if (session.ended) return;
      throw new FramewayError('FW_ERR_INVALID_STATE', 'the session moved while the node started it');
    }
    session.encoder = started.encoder;
    this.#mediaControls.get(session.id)?.encoderStarted(started.encoderControls);
    session.log.info({ encoder: started.encoder.name, controls: started.encoderControls }, 'agent started session');
  }

  #canFailOver(session: Session): boolean {
    const failover = this.#options.failover;
    return (
      failover.enabled &&
      !session.ended &&
      session.nodeId !== undefined &&
      this.#options.placer.replace !== undefined &&
      session.route?.relatchIngest !== undefined &&
      !this.#failingOver.has(session.id)
    );
  }

  /**
   * Failover: place the session again (never on the node it leaves), start it
   * there with the same RTP ingest, and re-latch the ingest onto the new
   * agent's stream (sequence numbers and timestamps continue, so the player's
   * decoder only needs the keyframe the new encoder starts with). The player's
   * WebRTC peer lives on the gateway and is untouched: it sees a short freeze.
   * A degraded (still running) node keeps the session until the new one has
   * started, and gets it back when no other node can.
   */
  async #failOver(session: Session, reason: FailoverReason, why: string): Promise<boolean> {
    const { registry, placer, agentFor } = this.#options;
    const from = session.nodeId!;
    const lost = reason === 'node_lost';
    const route = session.route as Required<SessionRoute>;
    this.#failingOver.add(session.id);
    if (lost) this.#releaseReservation(session.id);
    session.log.info({ reason, why }, 'failing over');
    session.setState(SessionStateName.Starting);
    const tried = [from];
    /** The node the player was last told it moves to. */
    let announced = from;
    let lastError: FramewayError | undefined;
    try {
      for (let attempt = 0; attempt < this.#options.failover.maxAttempts; attempt++) {
        let to: string;
        try {
          to = await placer.replace!(session, { reason, exclude: tried, player: this.#players.get(session.id) });
        } catch (error) {
          lastError = toFramewayError(error);
          break;
        }
        if (session.ended) return false;
        tried.push(to);
        try {
          registry.reserve(to);
        } catch (error) {
          lastError = toFramewayError(error);
          continue;
        }
        session.assignNode(to);
        route.relatchIngest();
        this.#players.get(session.id)?.channel.notify(MessageType.SessionFailover, {
          sessionId: session.id,
          fromNodeId: from,
          toNodeId: to,
          reason,
          message: why.slice(0, 1024),
        });
        announced = to;
        try {
          await this.#requestStart(session);
        } catch (error) {
          registry.release(to);
          lastError = toFramewayError(error);
          if (session.ended) return false;
          session.log.warn({ code: lastError.code, detail: lastError.message }, 'failover start failed');
          continue;
        }
        if (session.ended) {
          registry.release(to);
          return false;
        }
        this.#releaseReservation(session.id);
        this.#reservedOn.set(session.id, to);
        if (!lost) {
          agentFor(from)
            ?.api.stopSession(session.id, SessionEndReason.Terminated)
            .catch((error: unknown) => session.log.debug({ err: error }, 'stop on the node left behind failed'));
        }
        log.info({ sessionId: session.id, from, to, reason }, 'session failed over');
        this.emit('failedOver', session, from, to);
        return true;
      }
      if (session.ended) return false;
      if (!lost && registry.get(from)?.status !== 'down' && agentFor(from)) {
        // Nowhere better to go: the node it was on still runs it.
        session.assignNode(from);
        route.relatchIngest();
        if (announced !== from) {
          // The player was told it moved to a node that did not start: it is told it is back.
          this.#players.get(session.id)?.channel.notify(MessageType.SessionFailover, {
            sessionId: session.id,
            fromNodeId: announced,
            toNodeId: from,
            reason,
            message: `no other node could take the session; staying on ${from}`,
          });
        }
        session.log.info({ code: lastError?.code }, 'failover found no other node; staying');
        return false;
      }
      session.end({
        reason: SessionEndReason.AgentLost,
        code: lastError?.code === 'FW_ERR_NO_NODE_IN_BUDGET' ? lastError.code : 'FW_ERR_AGENT_UNAVAILABLE',
        message: `${why}; failover failed: ${lastError?.message ?? 'no node available'}`,
      });
      return false;
    } finally {
      this.#failingOver.delete(session.id);
      // Ended mid-move: the node left behind may still run it.
      if (session.ended && !lost) {
        agentFor(from)
          ?.api.stopSession(session.id, SessionEndReason.Terminated)
          .catch((error: unknown) => session.log.debug({ err: error }, 'stop on the node left behind failed'));
      }
    }
  }

  #releaseReservation(sessionId: string): void {
    const nodeId = this.#reservedOn.get(sessionId);
    if (nodeId === undefined) return;
    this.#reservedOn.delete(sessionId);
    this.#options.registry.release(nodeId);
  }

  #attachPlayer(session: Session, player: PlayerLink): void {
    const previous = this.#players.get(session.id);
    if (previous && previous !== player) previous.close(4000, 'replaced by a newer connection');
    this.#cancelGrace(session.id);
    this.#players.set(session.id, player);
    player.attach(session);
    player.onClosed((link) => {
      if (this.#players.get(session.id) !== link) return;
      this.#players.delete(session.id);
      this.#startGrace(session, 'player socket closed');
    });
  }

  #startGrace(session: Session, why: string): void {
    if (session.ended || this.#timers.has(session.id, 'grace')) return;
    this.#timers.set(session.id, 'grace', this.#options.playerReconnectGraceMs, () =>
      session.end({ reason: SessionEndReason.PlayerLeft, message: why }, this.#options.now()),
    );
  }

  #cancelGrace(sessionId: string): void {
    this.#timers.clear(sessionId, 'grace');
  }

  #onEnded(session: Session, info: SessionEndInfo): void {
    const { agentFor, placer } = this.#options;
    const nodeId = session.nodeId;
    this.#releaseReservation(session.id);
    placer.forget?.(session.id);
    this.#timers.clearAll(session.id, ['limit', 'grace']);
    this.#mediaControls.get(session.id)?.close();
    this.#mediaControls.delete(session.id);
    this.#sessions.delete(session.id);
    this.#rememberEnded(session.id);
    if (nodeId && Session.agentNeedsStop(info.reason)) {
      agentFor(nodeId)
        ?.api.stopSession(session.id, info.reason)
        .catch((error: unknown) => session.log.debug({ err: error }, 'stop request to agent failed'));
    }
    const player = this.#players.get(session.id);
    this.#players.delete(session.id);
    if (player && !player.closed) {
      player.api.sessionEnded(session.id, info);
      player.close(1000, 'session ended');
    }
    this.emit('ended', session, info);
  }

  #rememberEnded(sessionId: string): void {
    const now = this.#options.now();
    this.#endedAt.set(sessionId, now);
    for (const [id, at] of this.#endedAt) {
      if (now - at < ENDED_SESSION_MEMORY_MS) break; // insertion order = age order
      this.#endedAt.delete(id);
    }
  }

  #allocateChannel(): number {
    const channel = this.#nextChannel;
    this.#nextChannel = this.#nextChannel >= 0xffff_ffff ? 1 : this.#nextChannel + 1;
    return channel;
  }
}

const NO_LIVE_LINK = 'node has no live link';

function toFramewayError(error: unknown): FramewayError {
  return error instanceof FramewayError
    ? error
    : new FramewayError('FW_ERR_INTERNAL', String(error), undefined, { cause: error });
}
