import {
  type EncoderInfo,
  type ErrorCode,
  type RuntimeKind,
  SessionEndReason,
  SessionStateName,
  TypedEmitter,
  type VideoCodec,
  type VideoParams,
} from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import type { SessionRoute } from '../media/MediaRouter.js';
import type { PlacementRequest } from '../placement/Placer.js';

export interface SessionEndInfo {
  reason: SessionEndReason;
  code?: ErrorCode | undefined;
  message?: string | undefined;
}

export type SessionEvents = {
  state: [state: SessionStateName];
  ended: [info: SessionEndInfo];
};

export type SessionVideo = VideoParams & { codec: VideoCodec; bitrateKbps: number; gop: number };

/** What a session is for: decided when it is created (demo page or studio API), before any placement. */
export interface SessionSpec {
  id: string;
  playerId: string;
  runtime: RuntimeKind;
  runtimeOptions?: Readonly<Record<string, string | number | boolean>> | undefined;
  video: SessionVideo;
  /** Largest round trip the player may have to its node. */
  latencyBudgetMs: number;
  /** Regions the session may run in; empty = anywhere. */
  regions?: readonly string[] | undefined;
  studioId?: string | undefined;
  titleId?: string | undefined;
  /** The session ends with `terminated` after this long; undefined = no limit. */
  maxDurationMs?: number | undefined;
}

/** Reasons under which the agent already knows the session is over (no stop request needed). */
const AGENT_SIDE_REASONS: ReadonlySet<SessionEndReason> = new Set([
  SessionEndReason.AgentLost,
  SessionEndReason.RuntimeExited,
  SessionEndReason.EncoderFailed,
  SessionEndReason.AgentShutdown,
]);

/**
 * One play session: what it is for, where it runs, its state and its media
 * route. Ending it is idempotent and cascades: the route closes and the
 * `ended` event lets the manager tell the agent and the player.
 */
export class Session extends TypedEmitter<SessionEvents> {
  readonly spec: Readonly<SessionSpec>;
  /** Tags this session's binary input frames on the agent socket. */
  readonly channel: number;
  readonly createdAt: number;
  log: Logger;
  route: SessionRoute | undefined;
  encoder: EncoderInfo | undefined;
  /** When media first flowed to the gateway (epoch ms); the start of billable time. */
  streamingSince: number | undefined;
  endedAt: number | undefined;
  #nodeId: string | undefined;
  #state: SessionStateName = SessionStateName.Placing;
  #endInfo: SessionEndInfo | undefined;
  /** Aborted when the session ends: work done on its behalf (placement) stops without holding the session. */
  readonly #lifetime = new AbortController();

  constructor(spec: SessionSpec, channel: number, now: number) {
    super((error, event) => this.log.error({ err: error, event }, 'listener threw'));
    this.spec = spec;
    this.channel = channel;
    this.createdAt = now;
    this.log = createLogger('sessions.session', { sessionId: spec.id });
  }

  get id(): string {
    return this.spec.id;
  }

  get playerId(): string {
    return this.spec.playerId;
  }

  get runtime(): RuntimeKind {
    return this.spec.runtime;
  }

  get video(): SessionVideo {
    return this.spec.video;
  }

  get codec(): VideoCodec {
    return this.spec.video.codec;
  }

  get latencyBudgetMs(): number {
    return this.spec.latencyBudgetMs;
  }

  get regions(): readonly string[] | undefined {
    return this.spec.regions;
  }

  /** Aborted once the session has ended. */
  get signal(): AbortSignal {
    return this.#lifetime.signal;
  }

  /** What placement needs of this session, as plain data (it never holds the session itself). */
  placementRequest(): PlacementRequest {
    return {
      id: this.id,
      playerId: this.playerId,
      runtime: this.runtime,
      codec: this.codec,
      latencyBudgetMs: this.latencyBudgetMs,
      regions: this.regions,
      signal: this.signal,
    };
  }

  /** The node the session runs on; undefined until placed. Failover changes it. */
  get nodeId(): string | undefined {
    return this.#nodeId;
  }

  get state(): SessionStateName {
    return this.#state;
  }

  get ended(): boolean {
    return this.#state === SessionStateName.Ended;
  }

  get endInfo(): SessionEndInfo | undefined {
    return this.#endInfo;
  }

  /** Whether the agent must be told to stop when this session ends for `reason`. */
  static agentNeedsStop(reason: SessionEndReason): boolean {
    return !AGENT_SIDE_REASONS.has(reason);
  }

  /** Binds the session to a node (placement, or failover to another node). */
  assignNode(nodeId: string): void {
    this.#nodeId = nodeId;
    this.log = createLogger('sessions.session', { sessionId: this.id, nodeId });
  }

  setState(state: Exclude<SessionStateName, 'ended'>): void {
    if (this.ended || this.#state === state) return;
    this.#state = state;
    this.log.info({ state }, 'session state');
    this.emit('state', state);
  }

  /** Ends the session once; later calls are ignored. */
  end(info: SessionEndInfo, now = Date.now()): void {
    if (this.ended) return;
    this.#state = SessionStateName.Ended;
    this.#endInfo = info;
    this.endedAt = now;
    this.#lifetime.abort();
    this.log.info({ reason: info.reason, code: info.code, detail: info.message }, 'session ended');
    this.route?.close();
    this.emit('state', SessionStateName.Ended);
    this.emit('ended', info);
    this.removeAllListeners();
  }
}
