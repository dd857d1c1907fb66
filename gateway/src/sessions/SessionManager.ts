import { FramewayError, type IceServer, SessionEndReason, SessionStateName, TypedEmitter } from '@frameway/protocol';
import type { AgentLink } from '../agents/AgentLink.js';
import type { PlayerTokenClaims } from '../auth/PlayerTokens.js';
import { createLogger } from '../logging/logger.js';
import type { IceCandidateInit, MediaRouter } from '../media/MediaRouter.js';
import type { Placer } from '../placement/Placer.js';
import type { PlayerLink } from '../players/PlayerLink.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import { Session, type SessionEndInfo, type SessionSpec } from './Session.js';

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
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #placing = new Set<string>();
  readonly #endedAt = new Map<string, number>();
  readonly #lastKeyframeRequest = new Map<string, number>();
  #nextChannel = 1;

  constructor(options: SessionManagerOptions) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#options = { now: Date.now, ...options };
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
    this.#setTimer(session.id, this.#options.unjoinedTimeoutMs, () =>
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

  /** A node went down: every session on it ends. */
  nodeDown(nodeId: string, why: string): void {
    for (const session of [...this.#sessions.values()]) {
      if (session.nodeId === nodeId) {
        session.end(
          { reason: SessionEndReason.AgentLost, code: 'FW_ERR_AGENT_UNAVAILABLE', message: `node lost: ${why}` },
          this.#options.now(),
        );
      }
    }
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
    session.assignNode(nodeId);
    try {
      session.route = await media.createRoute({ sessionId: session.id, video: session.video });
    } catch (error) {
      session.end({ reason: SessionEndReason.MediaFailed, code: 'FW_ERR_INTERNAL', message: String(error) });
      throw new FramewayError('FW_ERR_INTERNAL', 'could not create the media route', undefined, { cause: error });
    }
    this.#wireRoute(session);
    this.#clearTimer(session.id);
    if (session.spec.maxDurationMs !== undefined) {
      this.#setTimer(session.id, session.spec.maxDurationMs, () =>
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
      session.streamingSince ??= this.#options.now();
      session.setState(SessionStateName.Streaming);
      this.emit('streaming', session);
    });
    route.on('input', (bytes) => {
      if (session.nodeId) this.#options.agentFor(session.nodeId)?.api.sendInput(session.channel, bytes);
    });
    route.on('inputRejected', (error) => {
      session.log.debug({ code: error.code, detail: error.message }, 'input rejected');
      this.#players.get(session.id)?.api.warn(error);
    });
    route.on('keyframeRequest', () => this.#requestKeyframe(session));
    route.on('localCandidate', (candidate) => this.#players.get(session.id)?.api.iceCandidate(candidate));
    route.on('playerDisconnected', (reason) => {
      session.log.info({ reason }, 'player media transport lost');
      this.#startGrace(session, `media ${reason}`);
    });
    route.on('playerConnected', () => this.#cancelGrace(session.id));
  }

  async #startOnAgent(session: Session): Promise<void> {
    const nodeId = session.nodeId!;
    const agent = this.#options.agentFor(nodeId);
    if (!agent) {
      session.end({
        reason: SessionEndReason.AgentLost,
        code: 'FW_ERR_AGENT_UNAVAILABLE',
        message: 'node has no live link',
      });
      return;
    }
    try {
      const started = await agent.api.startSession({
        sessionId: session.id,
        channel: session.channel,
        runtime: session.runtime,
        ...(session.spec.runtimeOptions ? { runtimeOptions: { ...session.spec.runtimeOptions } } : {}),
        video: session.video,
        rtp: session.route!.ingest,
      });
      session.encoder = started.encoder;
      session.log.info({ encoder: started.encoder.name }, 'agent started session');
    } catch (error) {
      const fwError = error instanceof FramewayError ? error : new FramewayError('FW_ERR_INTERNAL', String(error));
      session.end({ reason: SessionEndReason.StartFailed, code: fwError.code, message: fwError.message });
    }
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
    if (session.ended || this.#graceTimers.has(session.id)) return;
    const timer = setTimeout(() => {
      this.#graceTimers.delete(session.id);
      session.end({ reason: SessionEndReason.PlayerLeft, message: why }, this.#options.now());
    }, this.#options.playerReconnectGraceMs);
    this.#graceTimers.set(session.id, timer);
  }

  #cancelGrace(sessionId: string): void {
    clearTimeout(this.#graceTimers.get(sessionId));
    this.#graceTimers.delete(sessionId);
  }

  #setTimer(sessionId: string, ms: number, callback: () => void): void {
    this.#clearTimer(sessionId);
    const timer = setTimeout(callback, ms);
    timer.unref();
    this.#timers.set(sessionId, timer);
  }

  #clearTimer(sessionId: string): void {
    clearTimeout(this.#timers.get(sessionId));
    this.#timers.delete(sessionId);
  }

  #requestKeyframe(session: Session): void {
    const now = this.#options.now();
    const last = this.#lastKeyframeRequest.get(session.id) ?? Number.NEGATIVE_INFINITY;
    if (now - last < this.#options.keyframeRequestIntervalMs || !session.nodeId) return;
    this.#lastKeyframeRequest.set(session.id, now);
    this.#options.agentFor(session.nodeId)?.api.requestKeyframe(session.id);
  }

  #onEnded(session: Session, info: SessionEndInfo): void {
    const { registry, agentFor } = this.#options;
    const nodeId = session.nodeId;
    if (nodeId) registry.release(nodeId);
    this.#cancelGrace(session.id);
    this.#clearTimer(session.id);
    this.#lastKeyframeRequest.delete(session.id);
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
