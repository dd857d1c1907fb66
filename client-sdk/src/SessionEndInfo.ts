import type { SessionEndReason } from '@frameway/protocol';

/** End reasons the player decides on its own, beyond the gateway's SessionEndReason. */
export const ClientEndReason = {
  /** The signaling socket closed without the gateway saying the session ended. */
  ConnectionLost: 'connection_lost',
} as const;
export type ClientEndReason = (typeof ClientEndReason)[keyof typeof ClientEndReason];

export type EndReason = SessionEndReason | ClientEndReason;

/** Why a session ended: the gateway's SessionEnded, or the player's own verdict. */
export interface SessionEndInfo {
  reason: EndReason;
  /** An FW_ERR_* code when the end was a failure. */
  code?: string;
  message?: string;
}
