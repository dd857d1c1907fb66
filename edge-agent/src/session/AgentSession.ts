import {
  type EncoderInfo,
  FramewayError,
  type InputEvent,
  isFramewayError,
  SessionEndReason,
  TypedEmitter,
} from '@frameway/protocol';
import type { AudioEncoder } from '../audio/AudioEncoder.js';
import type { VideoEncoder } from '../encoder/VideoEncoder.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { HandoffTimer } from '../qos/HandoffTimer.js';
import type { AudioCapture, RuntimeCapture, SessionRuntime } from '../runtime/SessionRuntime.js';

/**
 * Who ended the session. 'gateway': the gateway asked, or the link to it is
 * gone, so there is nobody to tell. 'agent': the agent decided or a child
 * failed, so the gateway must be told.
 */
export type SessionEndOrigin = 'gateway' | 'agent';

export interface SessionEnd {
  reason: SessionEndReason;
  message: string;
  origin: SessionEndOrigin;
}

export type AgentSessionEvents = {
  /** Emitted once, after the runtime and the encoder have both stopped. */
  ended: [end: SessionEnd];
};

export interface AgentSessionOptions {
  sessionId: string;
  /** Tag of this session's input frames on the agent link. */
  channel: number;
  runtime: SessionRuntime;
  encoder: VideoEncoder;
  /** Sends the runtime's audio, when the gateway asked for it (SessionStart.audioRtp). */
  audio?: AudioEncoder | undefined;
  logger?: Logger;
}

export type AgentSessionState = 'new' | 'starting' | 'running' | 'closed';

/**
 * One streaming session: a runtime whose picture feeds one video encoder (and
 * whose sound, if any, one audio encoder). Closing the session closes all of
 * them; the runtime or the video encoder stopping on its own ends the session
 * with runtime_exited or encoder_failed. Audio is best effort: losing it is
 * logged and the game goes on.
 */
export class AgentSession extends TypedEmitter<AgentSessionEvents> {
  readonly sessionId: string;
  readonly channel: number;
  readonly runtime: SessionRuntime;
  readonly encoder: VideoEncoder;
  readonly audio: AudioEncoder | undefined;
  /** Times each frame's hand-off to the encoder (the QoS report's encode time). */
  readonly handoff = new HandoffTimer();
  readonly #log: Logger;
  #state: AgentSessionState = 'new';
  #closing: Promise<void> | undefined;
  #end: SessionEnd | undefined;

  constructor(options: AgentSessionOptions) {
    const log = options.logger ?? createLogger('session', { sessionId: options.sessionId });
    super((error, event) => log.error({ err: error, event }, 'session event listener threw'));
    this.#log = log;
    this.sessionId = options.sessionId;
    this.channel = options.channel;
    this.runtime = options.runtime;
    this.encoder = options.encoder;
    this.audio = options.audio;
    this.audio?.on('exit', (code, signal, stderrTail) => {
      if (this.#closing) return;
      this.#log.warn({ code, signal, stderr: stderrTail.slice(0, 300) }, 'audio encoder stopped; video goes on');
    });
    this.runtime.on('exit', (message) => {
      void this.close({ reason: SessionEndReason.RuntimeExited, message, origin: 'agent' });
    });
    this.encoder.on('exit', (code, signal, stderrTail) => {
      if (this.#closing) return;
      const detail = stderrTail ? `: ${stderrTail}` : '';
      void this.close({
        reason: SessionEndReason.EncoderFailed,
        message: `ffmpeg exited with ${signal ? `signal ${signal}` : `code ${code}`}${detail}`.slice(0, 1024),
        origin: 'agent',
      });
    });
  }

  get state(): AgentSessionState {
    return this.#state;
  }

  get encoderInfo(): EncoderInfo {
    return this.encoder.info;
  }

  /** Why the session ended, once it has. */
  get end(): SessionEnd | undefined {
    return this.#end;
  }

  /**
   * Prepares the runtime (display, audio sink, container …), starts the
   * encoder on the capture it describes, then starts the runtime feeding it.
   * On failure the session is closed (start_failed) and a typed error thrown:
   * FW_ERR_ENCODER_UNAVAILABLE or FW_ERR_RUNTIME_FAILED.
   */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new FramewayError('FW_ERR_INVALID_STATE', `session is ${this.#state}`);
    this.#state = 'starting';
    let capture: RuntimeCapture;
    try {
      capture = await this.runtime.prepare();
    } catch (error) {
      throw await this.#startFailed(error, 'FW_ERR_RUNTIME_FAILED');
    }
    try {
      if (this.#closing) throw this.#endedWhileStarting();
      await this.encoder.start(capture.video);
    } catch (error) {
      throw await this.#startFailed(error, 'FW_ERR_ENCODER_UNAVAILABLE');
    }
    if (this.audio && capture.audio && !this.#closing) await this.#startAudio(this.audio, capture.audio);
    try {
      if (this.#closing) throw this.#endedWhileStarting();
      await this.runtime.start(this.handoff.wrap(this.encoder));
    } catch (error) {
      throw await this.#startFailed(error, 'FW_ERR_RUNTIME_FAILED');
    }
    if (this.#closing) throw this.#endedWhileStarting();
    this.#state = 'running';
    this.#log.info({ encoder: this.encoder.info.name, pid: this.encoder.pid }, 'session started');
  }

  /** Hands input to the runtime; ignored unless running. */
  applyInput(events: readonly InputEvent[]): void {
    if (this.#state === 'running') this.runtime.applyInput(events);
  }

  requestKeyframe(): boolean {
    if (this.#state !== 'running') return false;
    // A runtime that encodes itself (a phone) is the only one that can make the IDR.
    if (this.encoder.capture.kind === 'h264') return this.runtime.requestKeyframe?.() ?? false;
    return this.encoder.requestKeyframe();
  }

  /** Stops the runtime, then the encoder, and emits 'ended'. Idempotent: the first reason wins. */
  close(end: SessionEnd): Promise<void> {
    this.#closing ??= this.#shutdown(end);
    return this.#closing;
  }

  async #shutdown(end: SessionEnd): Promise<void> {
    this.#end = end;
    const wasRunning = this.#state === 'running';
    this.#state = 'closed';
    // Runtime first so it stops pushing frames into an encoder that is going away.
    await Promise.allSettled([this.runtime.close()]);
    this.handoff.close();
    await Promise.allSettled([this.encoder.close(), this.audio?.close()]);
    const stats = this.encoder.stats;
    this.#log.info(
      {
        reason: end.reason,
        origin: end.origin,
        message: end.message,
        framesWritten: stats.framesWritten,
        framesDropped: stats.framesDropped,
        wasRunning,
      },
      'session ended',
    );
    this.emit('ended', end);
  }

  async #startAudio(audio: AudioEncoder, source: AudioCapture): Promise<void> {
    try {
      await audio.start(source);
    } catch (error) {
      this.#log.warn({ err: error }, 'audio encoder did not start; streaming video only');
    }
  }

  /** The error for a start that was overtaken by the session ending (a stop, or a child dying). */
  #endedWhileStarting(): FramewayError {
    const end = this.#end;
    if (end?.reason === SessionEndReason.EncoderFailed)
      return new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', end.message);
    if (end?.reason === SessionEndReason.RuntimeExited) return new FramewayError('FW_ERR_RUNTIME_FAILED', end.message);
    return new FramewayError('FW_ERR_SESSION_ENDED', `session ended while starting (${end?.reason ?? 'closed'})`);
  }

  async #startFailed(error: unknown, code: 'FW_ERR_ENCODER_UNAVAILABLE' | 'FW_ERR_RUNTIME_FAILED') {
    const typed = isFramewayError(error)
      ? error
      : new FramewayError(code, error instanceof Error ? error.message : String(error), undefined, { cause: error });
    await this.close({ reason: SessionEndReason.StartFailed, message: typed.message, origin: 'agent' });
    return typed;
  }
}
