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

export interface SessionEndInfo {
  reason: SessionEndReason;
  code?: ErrorCode | undefined;
  message?: string | undefined;
}

export type SessionEvents = {
  state: [state: SessionStateName];
  ended: [info: SessionEndInfo];
};

export interface SessionInit {
  id: string;
  playerId: string;
  channel: number;
  nodeId: string;
  runtime: RuntimeKind;
  video: VideoParams & { codec: VideoCodec; bitrateKbps: number; gop: number };
  now: number;
}

/** Reasons under which the agent already knows the session is over (no stop request needed). */
const AGENT_SIDE_REASONS: ReadonlySet<SessionEndReason> = new Set([
  SessionEndReason.AgentLost,
  SessionEndReason.RuntimeExited,
  SessionEndReason.EncoderFailed,
  SessionEndReason.AgentShutdown,
]);

/**
 * One play session: its state, where it runs, and its media route. Ending
 * it is idempotent and cascades: the route closes and the `ended` event lets
 * the manager tell the agent and the player.
 */
export class Session extends TypedEmitter<SessionEvents> {
  readonly id: string;
  readonly playerId: string;
  /** Tags this session's binary input frames on the agent socket. */
  readonly channel: number;
  readonly nodeId: string;
  readonly runtime: RuntimeKind;
  readonly video: SessionInit['video'];
  readonly createdAt: number;
  readonly log: Logger;
  route: SessionRoute | undefined;
  encoder: EncoderInfo | undefined;
  #state: SessionStateName = SessionStateName.Placing;
  #endInfo: SessionEndInfo | undefined;

  constructor(init: SessionInit) {
    super((error, event) => this.log.error({ err: error, event }, 'listener threw'));
    this.id = init.id;
    this.playerId = init.playerId;
    this.channel = init.channel;
    this.nodeId = init.nodeId;
    this.runtime = init.runtime;
    this.video = init.video;
    this.createdAt = init.now;
    this.log = createLogger('sessions.session', { sessionId: init.id, nodeId: init.nodeId });
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

  setState(state: Exclude<SessionStateName, 'ended'>): void {
    if (this.ended || this.#state === state) return;
    this.#state = state;
    this.log.info({ state }, 'session state');
    this.emit('state', state);
  }

  /** Ends the session once; later calls are ignored. */
  end(info: SessionEndInfo): void {
    if (this.ended) return;
    this.#state = SessionStateName.Ended;
    this.#endInfo = info;
    this.log.info({ reason: info.reason, code: info.code, msg: info.message }, 'session ended');
    this.route?.close();
    this.emit('state', SessionStateName.Ended);
    this.emit('ended', info);
    this.removeAllListeners();
  }
}
