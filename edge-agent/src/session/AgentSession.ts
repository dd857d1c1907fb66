import {
  type EncoderControls,
  type EncoderInfo,
  FramewayError,
  type InputEvent,
  isFramewayError,
  SessionEndReason,
  TypedEmitter,
} from '@frameway/protocol';
import type { AudioEncoder } from '../audio/AudioEncoder.js';
import type { PlainRtpTarget, RtpTarget } from '../encoder/buildEncoderArgs.js';
import type { EncoderTargetSettings, SessionVideoEncoder, VideoEncoderStats } from '../encoder/SessionVideoEncoder.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { HandoffTimer } from '../qos/HandoffTimer.js';
import { RtpPublisher, type RtpPublisherOptions } from '../rtp/RtpPublisher.js';
import type { AudioCapture, RuntimeCapture, SessionRuntime, VideoCapture } from '../runtime/SessionRuntime.js';

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
  /** Where the video goes: the gateway's ingest and the SRTP key (SessionStart.rtp). */
  rtp: RtpTarget;
  /** Where the audio goes, when the gateway asked for it (SessionStart.audioRtp). */
  audioRtp?: RtpTarget | undefined;
  /**
   * Builds the video encoder once the runtime has said how to capture.
   * `openRelay` gives a loopback port for an encoder that sends plain RTP
   * itself (the ffmpeg CLI); an in-process encoder hands access units over.
   */
  createEncoder: (capture: VideoCapture, openRelay: () => Promise<PlainRtpTarget>) => Promise<SessionVideoEncoder>;
  /** Builds the audio encoder sending plain RTP to `relay`; audio is best effort. */
  createAudio?: ((relay: PlainRtpTarget) => AudioEncoder) | undefined;
  /** Opens a stream's RTP publisher (tests inject one). */
  openPublisher?: (options: RtpPublisherOptions) => Promise<RtpPublisher>;
  logger?: Logger;
}

/** Encoder statistics before there is an encoder. */
const NO_ENCODER_STATS: VideoEncoderStats = Object.freeze({
  framesIn: 0,
  framesWritten: 0,
  framesDropped: 0,
  startedAt: undefined,
});

const OPUS_CLOCK_RATE = 48_000;

export type AgentSessionState = 'new' | 'starting' | 'running' | 'closed';

/**
 * One streaming session: a runtime whose picture feeds one video encoder (and
 * whose sound, if any, one audio encoder), each stream leaving through its own
 * RTP publisher (SRTP to the gateway, retransmissions from its history,
 * keyframe requests back). Closing the session closes all of them; the runtime
 * or the video encoder stopping on its own ends the session with
 * runtime_exited or encoder_failed. Audio is best effort: losing it is logged
 * and the game goes on.
 */
export class AgentSession extends TypedEmitter<AgentSessionEvents> {
  readonly sessionId: string;
  readonly channel: number;
  readonly runtime: SessionRuntime;
  /** Times each frame's hand-off to the encoder (the QoS report's encode time). */
  readonly handoff = new HandoffTimer();
  readonly #options: AgentSessionOptions;
  readonly #log: Logger;
  #encoder: SessionVideoEncoder | undefined;
  #audio: AudioEncoder | undefined;
  #publishers: RtpPublisher[] = [];
  #state: AgentSessionState = 'new';
  #closing: Promise<void> | undefined;
  #end: SessionEnd | undefined;

  constructor(options: AgentSessionOptions) {
    const log = options.logger ?? createLogger('session', { sessionId: options.sessionId });
    super((error, event) => log.error({ err: error, event }, 'session event listener threw'));
    this.#log = log;
    this.#options = options;
    this.sessionId = options.sessionId;
    this.channel = options.channel;
    this.runtime = options.runtime;
    this.runtime.on('exit', (message) => {
      void this.close({ reason: SessionEndReason.RuntimeExited, message, origin: 'agent' });
    });
  }

  get state(): AgentSessionState {
    return this.#state;
  }

  /** The video encoder, once start() has built it. */
  get encoder(): SessionVideoEncoder | undefined {
    return this.#encoder;
  }

  /** The audio encoder while one runs. */
  get audio(): AudioEncoder | undefined {
    return this.#audio;
  }

  get encoderInfo(): EncoderInfo {
    const encoder = this.#encoder;
    if (!encoder) throw new FramewayError('FW_ERR_INVALID_STATE', 'the session has no encoder yet');
    return encoder.info;
  }

  get encoderStats(): VideoEncoderStats {
    return this.#encoder?.stats ?? NO_ENCODER_STATS;
  }

  /** What the running session can be asked mid-stream (SessionStarted.encoderControls). */
  get encoderControls(): EncoderControls {
    const encoder = this.#encoder;
    const controls = encoder?.controls;
    return {
      keyframeOnDemand:
        (controls?.keyframeOnDemand ?? false) ||
        (encoder?.capture.kind === 'h264' && this.runtime.requestKeyframe !== undefined),
      liveBitrate: controls?.liveBitrate ?? false,
      liveResize: controls?.liveResize ?? false,
      // Every stream leaves through a publisher that answers NACK from its history.
      retransmits: this.#publishers.length > 0,
    };
  }

  /** Counters of the video publisher (retransmissions, NACKs, keyframe requests, RTCP), once started. */
  get publisherCounters(): RtpPublisher['counters'] | undefined {
    return this.#publishers[0]?.counters;
  }

  /** Why the session ended, once it has. */
  get end(): SessionEnd | undefined {
    return this.#end;
  }

  /**
   * Prepares the runtime (display, audio sink, container …), opens the video
   * publisher and starts the encoder on the capture the runtime describes,
   * then starts the runtime feeding it. On failure the session is closed
   * (start_failed) and a typed error thrown: FW_ERR_ENCODER_UNAVAILABLE or
   * FW_ERR_RUNTIME_FAILED.
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
    let encoder: SessionVideoEncoder;
    try {
      if (this.#closing) throw this.#endedWhileStarting();
      encoder = await this.#startVideo(capture.video);
    } catch (error) {
      throw await this.#startFailed(error, 'FW_ERR_ENCODER_UNAVAILABLE');
    }
    if (this.#options.createAudio && this.#options.audioRtp && capture.audio && !this.#closing) {
      await this.#startAudio(this.#options.createAudio, this.#options.audioRtp, capture.audio);
    }
    try {
      if (this.#closing) throw this.#endedWhileStarting();
      await this.runtime.start(this.handoff.wrap(encoder));
    } catch (error) {
      throw await this.#startFailed(error, 'FW_ERR_RUNTIME_FAILED');
    }
    if (this.#closing) throw this.#endedWhileStarting();
    this.#state = 'running';
    this.#log.info({ encoder: encoder.info.name, pid: encoder.pid, controls: this.encoderControls }, 'session started');
  }

  /** Hands input to the runtime; ignored unless running. */
  applyInput(events: readonly InputEvent[]): void {
    if (this.#state === 'running') this.runtime.applyInput(events);
  }

  requestKeyframe(): boolean {
    const encoder = this.#encoder;
    if (this.#state !== 'running' || !encoder) return false;
    // A runtime that encodes itself (a phone) is the only one that can make the IDR.
    if (encoder.capture.kind === 'h264') return this.runtime.requestKeyframe?.() ?? false;
    return encoder.requestKeyframe();
  }

  /** Steers the encoder (congestion control); returns what it now produces, undefined unless running. */
  setTarget(target: EncoderTargetSettings): EncoderTargetSettings | undefined {
    if (this.#state !== 'running') return undefined;
    return this.#encoder?.setTarget(target);
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
    await Promise.allSettled([this.#encoder?.close(), this.#audio?.close()]);
    await Promise.allSettled(this.#publishers.map((publisher) => publisher.close()));
    const stats = this.encoderStats;
    this.#log.info(
      {
        reason: end.reason,
        origin: end.origin,
        message: end.message,
        framesWritten: stats.framesWritten,
        framesDropped: stats.framesDropped,
        publisher: this.publisherCounters,
        wasRunning,
      },
      'session ended',
    );
    this.emit('ended', end);
  }

  /** Opens the video publisher, builds the encoder for `capture` feeding it, and starts the encoder. */
  async #startVideo(capture: VideoCapture): Promise<SessionVideoEncoder> {
    const { rtp } = this.#options;
    const publisher = await this.#openPublisher({ target: rtp, logger: this.#log.child({ stream: 'video' }) });
    publisher.on('keyframeRequest', () => this.requestKeyframe());
    const encoder = await this.#options.createEncoder(capture, () => relayOf(publisher, rtp));
    this.#encoder = encoder;
    encoder.on('accessUnit', (unit) => publisher.sendAccessUnit(unit));
    encoder.on('exit', (code, signal, detail) => {
      if (this.#closing) return;
      const why = detail ? `: ${detail}` : '';
      // An in-process encoder has neither exit code nor signal, only its reason.
      const how = signal
        ? `ffmpeg exited with signal ${signal}`
        : code === null
          ? 'encoder failed'
          : `ffmpeg exited with code ${code}`;
      void this.close({
        reason: SessionEndReason.EncoderFailed,
        message: `${how}${why}`.slice(0, 1024),
        origin: 'agent',
      });
    });
    if (this.#closing) throw this.#endedWhileStarting();
    await encoder.start(capture);
    return encoder;
  }

  async #startAudio(
    createAudio: (relay: PlainRtpTarget) => AudioEncoder,
    target: RtpTarget,
    source: AudioCapture,
  ): Promise<void> {
    try {
      const publisher = await this.#openPublisher({
        target,
        clockRate: OPUS_CLOCK_RATE,
        logger: this.#log.child({ stream: 'audio' }),
      });
      const audio = createAudio(await relayOf(publisher, target));
      this.#audio = audio;
      audio.on('exit', (code, signal, stderrTail) => {
        if (this.#closing) return;
        this.#log.warn({ code, signal, stderr: stderrTail.slice(0, 300) }, 'audio encoder stopped; video goes on');
      });
      await audio.start(source);
    } catch (error) {
      this.#log.warn({ err: error }, 'audio encoder did not start; streaming video only');
    }
  }

  async #openPublisher(options: RtpPublisherOptions): Promise<RtpPublisher> {
    const publisher = await (this.#options.openPublisher ?? RtpPublisher.open)(options);
    this.#publishers.push(publisher);
    if (this.#closing) throw this.#endedWhileStarting();
    return publisher;
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

/** The loopback port a CLI encoder sends `target`'s stream to, as plain RTP, through `publisher`. */
async function relayOf(publisher: RtpPublisher, target: RtpTarget): Promise<PlainRtpTarget> {
  const relay = await publisher.openRelay();
  return { host: relay.host, port: relay.port, payloadType: target.payloadType, ssrc: target.ssrc };
}
