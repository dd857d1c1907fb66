import {
  type FailoverReason,
  FramewayError,
  type IceServer,
  SessionEndReason,
  SessionStateName,
  TypedEmitter,
} from '@frameway/protocol';
import type { AgentApi } from '../agents/AgentApi.js';
import type { PlayerTokenClaims } from '../auth/PlayerTokens.js';
import { createLogger } from '../logging/logger.js';
import type { IceCandidateInit, MediaRouter } from '../media/MediaRouter.js';
import type { Placer } from '../placement/Placer.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import { NodeReservations } from './NodeReservations.js';
import { Session, type SessionEndInfo, type SessionSpec } from './Session.js';
import { SessionFailover } from './SessionFailover.js';
import { SessionMediaControl } from './SessionMediaControl.js';
import type { SessionPlayer } from './SessionPlayer.js';
import { SessionStarter } from './SessionStarter.js';
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
  /** The outgoing door of a registered node's live agent link. */
  agentFor: (nodeId: string) => AgentApi | undefined;
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
  readonly #players = new Map<string, SessionPlayer>();
  /** `limit`: unjoined or maximum-length deadline; `grace`: the player's reconnect grace. */
  readonly #timers = new SessionTimers<'limit' | 'grace'>();
  readonly #placing = new Set<string>();
  readonly #endedAt = new Map<string, number>();
  readonly #mediaControls = new Map<string, SessionMediaControl>();
  readonly #reservations: NodeReservations;
  readonly #starter: SessionStarter;
  readonly #failover: SessionFailover;
  #nextChannel = 1;

  constructor(options: SessionManagerOptions) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#options = { now: Date.now, failover: { enabled: true, maxAttempts: 2 }, ...options };
    const { registry, placer, agentFor, failover } = this.#options;
    this.#reservations = new NodeReservations(registry);
    this.#starter = new SessionStarter({ agentFor, mediaControlOf: (id) => this.#mediaControls.get(id) });
    this.#failover = new SessionFailover({
      registry,
      placer,
      reservations: this.#reservations,
      starter: this.#starter,
      agentFor,
      playerOf: (id) => this.#players.get(id),
      enabled: failover.enabled,
      maxAttempts: failover.maxAttempts,
      onFailedOver: (session, from, to) => this.emit('failedOver', session, from, to),
    });
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
  playerOf(sessionId: string): SessionPlayer | undefined {
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
  async join(player: SessionPlayer, claims: PlayerTokenClaims): Promise<Session> {
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
      if (session.nodeId !== nodeId || this.#failover.isMoving(session.id)) continue;
      if (this.#failover.canMove(session)) {
        void this.#failover.move(session, 'node_lost', `node lost: ${why}`);
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
    if (!session || !this.#failover.canMove(session)) return false;
    return this.#failover.move(session, reason, 'moving to a node within the latency budget');
  }

  /** True while a session is being moved to another node. */
  isFailingOver(sessionId: string): boolean {
    return this.#failover.isMoving(sessionId);
  }

  /** Ends every session (gateway shutdown). */
  closeAll(reason: SessionEndReason = SessionEndReason.GatewayShutdown): void {
    for (const session of [...this.#sessions.values()]) session.end({ reason }, this.#options.now());
  }

  async #placeAndStart(session: Session, player: SessionPlayer): Promise<void> {
    const { media, placer } = this.#options;
    const nodeId = await placer.place(session.placementRequest(), player);
    if (session.ended) throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session ended during placement');
    this.#reservations.hold(session.id, nodeId);
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
    void this.#starter.startOrEnd(session);
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
      if (session.nodeId) this.#options.agentFor(session.nodeId)?.sendInput(session.channel, bytes);
    });
    route.on('inputRejected', (error) => {
      session.log.debug({ code: error.code, detail: error.message }, 'input rejected');
      this.#players.get(session.id)?.api.warn(error);
    });
    const control = new SessionMediaControl({
      session,
      agent: () => (session.nodeId ? this.#options.agentFor(session.nodeId) : undefined),
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

  #attachPlayer(session: Session, player: SessionPlayer): void {
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
    this.#reservations.release(session.id);
    placer.forget?.(session.id);
    this.#timers.clearAll(session.id, ['limit', 'grace']);
    this.#mediaControls.get(session.id)?.close();
    this.#mediaControls.delete(session.id);
    this.#sessions.delete(session.id);
    this.#rememberEnded(session.id);
    if (nodeId && Session.agentNeedsStop(info.reason)) {
      agentFor(nodeId)
        ?.stopSession(session.id, info.reason)
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
