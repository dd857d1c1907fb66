import type { FailoverReason } from '@frameway/protocol';
import type { PlayerLink } from '../players/PlayerLink.js';
import type { Session } from '../sessions/Session.js';

/** Why and from where a running session is being moved. */
export interface ReplaceRequest {
  reason: FailoverReason;
  /** Nodes not to use: the one being left and any that already failed to start it. */
  exclude: readonly string[];
  /** The session's player, when connected (a placer may re-probe through it). */
  player: PlayerLink | undefined;
}

/**
 * Chooses the node a session runs on. It may talk to the player first (latency
 * probes over the player's signaling link) and throws a FramewayError
 * (FW_ERR_NO_CAPACITY, FW_ERR_NO_NODE_IN_BUDGET) when nothing fits.
 */
export interface Placer {
  place(session: Session, player: PlayerLink): Promise<string>;
  /**
   * Chooses a new node for a session that is already running (failover).
   * Placers without it cannot fail over: the session ends with its node.
   */
  replace?(session: Session, request: ReplaceRequest): Promise<string>;
  /** Forgets what was kept for a session (its player's measurements) once it has ended. */
  forget?(sessionId: string): void;
}
