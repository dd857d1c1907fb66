import {
  type FramewayError,
  MessageType,
  type SessionStateName,
  type SignalingChannel,
  type StreamQuality,
} from '@frameway/protocol';
import type { IceCandidateInit } from '../media/MediaRouter.js';
import type { SessionEndInfo } from '../sessions/Session.js';

/** Outgoing notifications to one player. */
export class PlayerApi {
  readonly #channel: SignalingChannel;
  #lastErrorAt = 0;

  constructor(channel: SignalingChannel) {
    this.#channel = channel;
  }

  sessionState(sessionId: string, state: SessionStateName, nodeId?: string): void {
    this.#channel.notify(
      MessageType.SessionState,
      nodeId === undefined ? { sessionId, state } : { sessionId, state, nodeId },
    );
  }

  sessionEnded(sessionId: string, info: SessionEndInfo): void {
    this.#channel.notify(MessageType.SessionEnded, {
      sessionId,
      reason: info.reason,
      ...(info.code === undefined ? {} : { code: info.code }),
      ...(info.message === undefined ? {} : { message: info.message.slice(0, 1024) }),
    });
  }

  iceCandidate(candidate: IceCandidateInit): void {
    this.#channel.notify(MessageType.IceCandidate, {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    });
  }

  /** What the player is being sent now (target bitrate, estimate, picture), for its stats overlay. */
  streamQuality(quality: StreamQuality): void {
    this.#channel.notify(MessageType.StreamQuality, quality);
  }

  /** Tells the player about a problem with its input or messages, at most once per interval. */
  warn(error: FramewayError, minIntervalMs = 1000, now = Date.now()): void {
    if (now - this.#lastErrorAt < minIntervalMs) return;
    this.#lastErrorAt = now;
    this.#channel.replyError(undefined, error);
  }
}
