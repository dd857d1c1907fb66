import type {
  FailoverReason,
  FramewayError,
  LinkStats,
  MessageType,
  PayloadOf,
  SessionStateName,
  StreamQuality,
} from '@frameway/protocol';
import type { IceCandidateInit } from '../media/MediaRouter.js';
import type { PlayerProber } from '../placement/Placer.js';
import type { Session, SessionEndInfo } from './Session.js';

/** A session's move to another node, as its player is told. */
export interface SessionFailoverNotice {
  sessionId: string;
  fromNodeId: string;
  toNodeId: string;
  reason: FailoverReason;
  message?: string;
}

/**
 * What the session side says to a player: the outgoing door
 * (players/PlayerApi implements it). Nothing on this side writes to the
 * player's socket any other way.
 */
export interface PlayerPort {
  sessionState(sessionId: string, state: SessionStateName, nodeId?: string): void;
  sessionEnded(sessionId: string, info: SessionEndInfo): void;
  sessionFailover(notice: SessionFailoverNotice): void;
  iceCandidate(candidate: IceCandidateInit): void;
  streamQuality(quality: StreamQuality): void;
  warn(error: FramewayError, minIntervalMs?: number, now?: number): void;
  /** The player's current media-path figures (in-session latency checks); rejects when it does not answer. */
  linkStats(timeoutMs: number): Promise<LinkStats>;
  /** The QoS ledger's start of the session's minute reports. */
  qosStart(start: PayloadOf<typeof MessageType.QosStart>): void;
}

/**
 * A connected player as the session manager holds it: its outgoing door, its
 * side of placement, and its lifecycle. players/PlayerLink implements it;
 * sessions never import the link.
 */
export interface SessionPlayer extends PlayerProber {
  readonly api: PlayerPort;
  /** Binds the player to its session once joined. */
  attach(session: Session): void;
  /** The one callback told when the player goes away. */
  onClosed(callback: (player: SessionPlayer) => void): void;
  close(code?: number, reason?: string): void;
}
