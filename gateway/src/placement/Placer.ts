import type { PlayerLink } from '../players/PlayerLink.js';
import type { Session } from '../sessions/Session.js';

/**
 * Chooses the node a session runs on. It may talk to the player first (latency
 * probes over the player's signaling link) and throws a FramewayError
 * (FW_ERR_NO_CAPACITY, FW_ERR_NO_NODE_IN_BUDGET) when nothing fits.
 */
export interface Placer {
  place(session: Session, player: PlayerLink): Promise<string>;
}
