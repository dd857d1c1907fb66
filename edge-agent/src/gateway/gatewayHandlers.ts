import {
  type AnyMessage,
  decodeAgentFrame,
  decodeInputEvents,
  type EncoderControls,
  type EncoderInfo,
  type EncoderTarget,
  FramewayError,
  type InputEvent,
  isFramewayError,
  MessageType,
  messageTypeName,
  type PayloadOf,
  type SessionEndReason,
  type SignalingChannel,
} from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';

/** What the handlers drive: the agent's session management. */
export interface SessionHost {
  /** Starts a session; resolves with the encoder used and what it can do live, rejects with a FramewayError. */
  startSession(
    request: PayloadOf<typeof MessageType.SessionStart>,
  ): Promise<{ encoder: EncoderInfo; encoderControls: EncoderControls }>;
  /** Stops a session; resolves false when there was none (stop is idempotent). */
  stopSession(sessionId: string, reason: SessionEndReason): Promise<boolean>;
  requestKeyframe(sessionId: string): boolean;
  /** Steers a session's encoder (congestion control); false when there is no such session. */
  setEncoderTarget(target: EncoderTarget): boolean;
  /** Applies input to the session on `channel`; false when no session has that channel. */
  applyInput(channel: number, events: readonly InputEvent[]): boolean;
}

export interface InputStats {
  /** Binary frames received. */
  frames: number;
  /** Input events applied to a session. */
  events: number;
  /** Frames that failed to decode (dropped). */
  malformed: number;
  /** Well-formed frames for a channel with no session (dropped). */
  unrouted: number;
}

export interface GatewayHandlers {
  handleMessage(message: AnyMessage, channel: SignalingChannel): void;
  /** Decodes one binary input frame and applies it; never throws. */
  handleBinary(data: Uint8Array): void;
  readonly inputStats: Readonly<InputStats>;
}

/**
 * Incoming gateway traffic: signaling requests mapped onto the SessionHost
 * and answered on the channel, and binary input frames routed by channel.
 */
export function createGatewayHandlers(host: SessionHost, logger?: Logger): GatewayHandlers {
  const log = logger ?? createLogger('gateway-handlers');
  const inputStats: InputStats = { frames: 0, events: 0, malformed: 0, unrouted: 0 };

  function handleMessage(message: AnyMessage, channel: SignalingChannel): void {
    switch (message.t) {
      case MessageType.SessionStart: {
        const { sessionId } = message.p;
        host.startSession(message.p).then(
          (started) => channel.reply(message, MessageType.SessionStarted, { sessionId, ...started }),
          (error: unknown) => {
            const typed = toFramewayError(error, 'FW_ERR_RUNTIME_FAILED');
            log.warn({ sessionId, code: typed.code, err: typed }, 'session start failed');
            channel.replyError(message.id, typed);
          },
        );
        return;
      }
      case MessageType.SessionStop: {
        const { sessionId, reason } = message.p;
        host.stopSession(sessionId, reason).then(
          () => channel.reply(message, MessageType.Ack, {}),
          (error: unknown) => channel.replyError(message.id, toFramewayError(error, 'FW_ERR_INTERNAL')),
        );
        return;
      }
      case MessageType.KeyframeRequest:
        host.requestKeyframe(message.p.sessionId);
        return;
      case MessageType.EncoderTarget:
        if (!host.setEncoderTarget(message.p)) log.debug({ sessionId: message.p.sessionId }, 'target for no session');
        return;
      case MessageType.Ping:
        channel.reply(message, MessageType.Pong, { ts: message.p.ts });
        return;
      case MessageType.Error:
        log.warn({ code: message.p.code, message: message.p.message }, 'gateway reported an error');
        return;
      default:
        log.debug({ type: messageTypeName(message.t) }, 'ignored gateway message');
    }
  }

  function handleBinary(data: Uint8Array): void {
    inputStats.frames += 1;
    let channel: number;
    let events: InputEvent[];
    try {
      const frame = decodeAgentFrame(data);
      channel = frame.channel;
      events = decodeInputEvents(frame.input);
    } catch (error) {
      inputStats.malformed += 1;
      log.debug({ err: error, bytes: data.byteLength }, 'dropped a malformed input frame');
      return;
    }
    if (host.applyInput(channel, events)) inputStats.events += events.length;
    else {
      inputStats.unrouted += 1;
      log.debug({ channel }, 'dropped input for an unknown channel');
    }
  }

  return { handleMessage, handleBinary, inputStats };
}

function toFramewayError(error: unknown, fallback: 'FW_ERR_RUNTIME_FAILED' | 'FW_ERR_INTERNAL'): FramewayError {
  if (isFramewayError(error)) return error;
  return new FramewayError(fallback, error instanceof Error ? error.message : String(error), undefined, {
    cause: error,
  });
}
