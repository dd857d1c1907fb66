import { type AnyMessage, FramewayError, isErrorCode, MessageType, type PayloadOf } from '@frameway/protocol';
import type { SessionStats } from '../media/deriveStats.js';
import { answerProbeRequest } from '../placement/answerProbeRequest.js';
import { toLinkStats } from '../placement/toLinkStats.js';
import type { SignalingSocket } from './SignalingSocket.js';

/** What the session does with each message the gateway may send unprompted. */
export interface GatewayHandlers {
  sessionState(payload: PayloadOf<typeof MessageType.SessionState>): void;
  sessionEnded(payload: PayloadOf<typeof MessageType.SessionEnded>): void;
  iceCandidate(payload: PayloadOf<typeof MessageType.IceCandidate>): void;
  /** An Error the gateway sent without a request to answer. */
  error(error: FramewayError): void;
  /** The session moves to another node; the peer connection stays, the picture freezes until the new node streams. */
  sessionFailover?(payload: PayloadOf<typeof MessageType.SessionFailover>): void;
  /** The player waits in the placement queue: its place changed. */
  queuePosition?(payload: PayloadOf<typeof MessageType.QueuePosition>): void;
  /** What the gateway sends now: target bitrate, its bandwidth estimate, picture size (congestion control). */
  streamQuality?(payload: PayloadOf<typeof MessageType.StreamQuality>): void;
  /** The latest stats sample, for the gateway's in-session RTT checks. */
  linkStats?(): SessionStats | undefined;
}

/** Routes one incoming, already validated message; answers keep-alive pings itself. */
export function handleGatewayMessage(message: AnyMessage, socket: SignalingSocket, handlers: GatewayHandlers): void {
  switch (message.t) {
    case MessageType.SessionState:
      handlers.sessionState(message.p);
      return;
    case MessageType.SessionEnded:
      handlers.sessionEnded(message.p);
      return;
    case MessageType.IceCandidate:
      handlers.iceCandidate(message.p);
      return;
    case MessageType.SessionFailover:
      handlers.sessionFailover?.(message.p);
      return;
    case MessageType.QueuePosition:
      handlers.queuePosition?.(message.p);
      return;
    case MessageType.StreamQuality:
      handlers.streamQuality?.(message.p);
      return;
    case MessageType.Ping:
      socket.reply(message, MessageType.Pong, { ts: message.p.ts });
      return;
    case MessageType.ProbeRequest:
      void answerProbeRequest(message, socket);
      return;
    case MessageType.LinkStatsRequest:
      socket.reply(message, MessageType.LinkStats, toLinkStats(handlers.linkStats?.()));
      return;
    case MessageType.Error: {
      const code = isErrorCode(message.p.code) ? message.p.code : 'FW_ERR_INTERNAL';
      handlers.error(new FramewayError(code, message.p.message, message.p.details));
      return;
    }
    default:
      // Acks and pongs that answer nothing pending carry no information.
      return;
  }
}
