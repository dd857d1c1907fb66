import {
  type FramewayError,
  type LinkStats,
  MessageType,
  type PayloadOf,
  type SessionStateName,
  type SignalingChannel,
  type StreamQuality,
} from '@frameway/protocol';
import type { IceCandidateInit } from '../media/MediaRouter.js';
import type { ProbeRequest, ProbeResults, QueuePosition } from '../placement/Placer.js';
import type { SessionEndInfo } from '../sessions/Session.js';
import type { PlayerPort, SessionFailoverNotice } from '../sessions/SessionPlayer.js';

/** Outgoing calls to one player: the one door to its socket (requests await a reply, notifications do not). */
export class PlayerApi implements PlayerPort {
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

  /** The session moves to another node (or back): the player expects a short freeze. */
  sessionFailover(notice: SessionFailoverNotice): void {
    const { message, ...rest } = notice;
    this.#channel.notify(
      MessageType.SessionFailover,
      message === undefined ? rest : { ...rest, message: message.slice(0, 1024) },
    );
  }

  /** One latency probe round (placement); rejects when the player refuses or does not answer in time. */
  probe(request: ProbeRequest, timeoutMs: number): Promise<ProbeResults> {
    return this.#channel.request(MessageType.ProbeRequest, request, timeoutMs);
  }

  /** Where the player stands in the placement queue. */
  queuePosition(sessionId: string, update: QueuePosition): void {
    this.#channel.notify(MessageType.QueuePosition, { sessionId, ...update });
  }

  /** The player's current media-path figures (in-session latency checks). */
  linkStats(timeoutMs: number): Promise<LinkStats> {
    return this.#channel.request(MessageType.LinkStatsRequest, {}, timeoutMs);
  }

  /** The QoS ledger's start of a session's minute reports. */
  qosStart(start: PayloadOf<typeof MessageType.QosStart>): void {
    this.#channel.notify(MessageType.QosStart, start);
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
