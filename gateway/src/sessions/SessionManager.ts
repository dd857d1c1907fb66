import {
  FramewayError,
  type IceServer,
  type RuntimeKind,
  SessionEndReason,
  SessionStateName,
  type VideoCodec,
  type VideoParams,
} from '@frameway/protocol';
import type { AgentLink } from '../agents/AgentLink.js';
import type { PlayerTokenClaims } from '../auth/PlayerTokens.js';
import { createLogger } from '../logging/logger.js';
import type { IceCandidateInit, MediaRouter } from '../media/MediaRouter.js';
import { placeSession } from '../placement/placeSession.js';
import type { PlayerLink } from '../players/PlayerLink.js';
import type { NodeRegistry } from '../registry/NodeRegistry.js';
import { Session, type SessionEndInfo } from './Session.js';

const log = createLogger('sessions.manager');

export interface SessionDefaults {
  runtime: RuntimeKind;
  video: VideoParams & { codec: VideoCodec; bitrateKbps: number; gop: number };
}

export interface SessionManagerOptions {
  registry: NodeRegistry;
  media: MediaRouter;
  /** The live link of a registered node. */
  agentFor: (nodeId: string) => AgentLink | undefined;
  defaults: SessionDefaults;
  /** How long a session waits for its player to come back after the socket drops. */
  playerReconnectGraceMs: number;
  /** Minimum spacing of keyframe requests forwarded to an agent. */
  keyframeRequestIntervalMs: number;
  now?: () => number;
}

/** How long an ended session is remembered, so a late rejoin gets FW_ERR_SESSION_ENDED rather than a new session. */
const ENDED_SESSION_MEMORY_MS = 10 * 60 * 1000;

/**
 * Session lifecycle: join (placement, media route, agent start), the
 * player's offer, input relay, and every way a session ends.
 */
export class SessionManager {
  readonly #options: Required<SessionManagerOptions>;
  readonly #sessions = new Map<string, Session>();
  readonly #players = new Map<string, PlayerLink>();
  readonly #graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #endedAt = new Map<string, number>();
  readonly #lastKeyframeRequest = new Map<string, number>();
  #nextChannel = 1;

  constructor(options: SessionManagerOptions) {
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

  /** Binds a player to its session, creating and starting the session on first join. */
  async join(player: PlayerLink, claims: PlayerTokenClaims): Promise<Session> {
    const existing = this.#sessions.get(claims.sid);
    if (existing) {
      if (existing.playerId !== claims.sub) throw new FramewayError('FW_ERR_FORBIDDEN', 'token is for another player');
      this.#attachPlayer(existing, player);
      log.info({ sessionId: existing.id }, 'player rejoined session');
      return existing;
    }
    if (this.#endedAt.has(claims.sid)) throw new FramewayError('FW_ERR_SESSION_ENDED', 'this session has ended');
    const session = await this.#create(claims);
    this.#attachPlayer(session, player);
    void this.#startOnAgent(session);
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
    this.#sessions.get(sessionId)?.end(info);
  }

  /** The agent reported that a session is over on its side. */
  agentSessionEnded(nodeId: string, sessionId: string, reason: SessionEndReason, message: string | undefined): void {
    const session = this.#sessions.get(sessionId);
    if (!session || session.nodeId !== nodeId) return;
    const code = reason === SessionEndReason.AgentShutdown ? 'FW_ERR_AGENT_UNAVAILABLE' : 'FW_ERR_RUNTIME_FAILED';
    session.end({ reason, code, message });
  }

  /** A node went down: every session on it ends. */
  nodeDown(nodeId: string, why: string): void {
    for (const session of this.#sessions.values()) {
      if (session.nodeId === nodeId) {
        session.end({
          reason: SessionEndReason.AgentLost,
          code: 'FW_ERR_AGENT_UNAVAILABLE',
          message: `node lost: ${why}`,
        });
      }
    }
  }

  /** Ends every session (gateway shutdown). */
  closeAll(reason: SessionEndReason = SessionEndReason.GatewayShutdown): void {
    for (const session of [...this.#sessions.values()]) session.end({ reason });
  }

  async #create(claims: PlayerTokenClaims): Promise<Session> {
    const { registry, media, defaults } = this.#options;
    const { node } = placeSession(registry.list(), { runtime: defaults.runtime, codec: defaults.video.codec });
    registry.reserve(node.nodeId);
    const session = new Session({
      id: claims.sid,
      playerId: claims.sub,
      channel: this.#allocateChannel(),
      nodeId: node.nodeId,
      runtime: defaults.runtime,
      video: defaults.video,
      now: this.#options.now(),
    });
    this.#sessions.set(session.id, session);
    session.on('ended', (info) => this.#onEnded(session, info));
    try {
      session.route = await media.createRoute({ sessionId: session.id, video: defaults.video });
    } catch (error) {
      session.end({ reason: SessionEndReason.MediaFailed, code: 'FW_ERR_INTERNAL', message: String(error) });
      throw new FramewayError('FW_ERR_INTERNAL', 'could not create the media route', undefined, { cause: error });
    }
    this.#wireRoute(session);
    session.setState(SessionStateName.Starting);
    log.info({ sessionId: session.id, nodeId: node.nodeId }, 'session placed');
    return session;
  }

  #wireRoute(session: Session): void {
    const route = session.route!;
    route.on('mediaFlowing', () => session.setState(SessionStateName.Streaming));
    route.on('input', (bytes) => {
      this.#options.agentFor(session.nodeId)?.api.sendInput(session.channel, bytes);
    });
    route.on('inputRejected', (error) => {
      session.log.debug({ code: error.code, msg: error.message }, 'input rejected');
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
    const agent = this.#options.agentFor(session.nodeId);
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
    session.on('state', (state) => {
      if (this.#players.get(session.id) === player && state !== SessionStateName.Ended) {
        player.api.sessionState(session.id, state, session.nodeId);
      }
    });
  }

  #startGrace(session: Session, why: string): void {
    if (session.ended || this.#graceTimers.has(session.id)) return;
    const timer = setTimeout(() => {
      this.#graceTimers.delete(session.id);
      session.end({ reason: SessionEndReason.PlayerLeft, message: why });
    }, this.#options.playerReconnectGraceMs);
    this.#graceTimers.set(session.id, timer);
  }

  #cancelGrace(sessionId: string): void {
    clearTimeout(this.#graceTimers.get(sessionId));
    this.#graceTimers.delete(sessionId);
  }

  #requestKeyframe(session: Session): void {
    const now = this.#options.now();
    const last = this.#lastKeyframeRequest.get(session.id) ?? Number.NEGATIVE_INFINITY;
    if (now - last < this.#options.keyframeRequestIntervalMs) return;
    this.#lastKeyframeRequest.set(session.id, now);
    this.#options.agentFor(session.nodeId)?.api.requestKeyframe(session.id);
  }

  #onEnded(session: Session, info: SessionEndInfo): void {
    const { registry, agentFor } = this.#options;
    registry.release(session.nodeId);
    this.#cancelGrace(session.id);
    this.#lastKeyframeRequest.delete(session.id);
    this.#sessions.delete(session.id);
    this.#rememberEnded(session.id);
    if (Session.agentNeedsStop(info.reason)) {
      agentFor(session.nodeId)
        ?.api.stopSession(session.id, info.reason)
        .catch((error: unknown) => session.log.debug({ err: error }, 'stop request to agent failed'));
    }
    const player = this.#players.get(session.id);
    this.#players.delete(session.id);
    if (player && !player.closed) {
      player.api.sessionEnded(session.id, info);
      player.close(1000, 'session ended');
    }
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
