import type { SessionEndReason } from '@frameway/protocol';

/** Why a session ended: the gateway's SessionEnded, or the player's own verdict (e.g. connection_lost). */
export interface SessionEndInfo {
  reason: SessionEndReason;
  /** An FW_ERR_* code when the end was a failure. */
  code?: string;
  message?: string;
}
