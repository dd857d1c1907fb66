import { type ChildProcessByStdio, spawn as nodeSpawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { type EncoderControls, type EncoderInfo, FramewayError, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import { isChildRunning, stopChildProcess } from '../process/stopChildProcess.js';
import { trackChildProcess } from '../process/trackChildProcess.js';
import type { VideoCapture, VideoSink } from '../runtime/SessionRuntime.js';
import { buildEncoderArgs, type EncoderVideo, type PlainRtpTarget, yuv420pFrameBytes } from './buildEncoderArgs.js';
import { type EncoderName, encoderInfo } from './encoderCatalog.js';
import type {
  EncoderTargetSettings,
  SessionVideoEncoder,
  SessionVideoEncoderEvents,
  VideoEncoderStats,
} from './SessionVideoEncoder.js';

type EncoderProcess = ChildProcessByStdio<Writable, null, Readable>;
export type SpawnEncoder = (
  file: string,
  args: readonly string[],
  env?: Readonly<Record<string, string>>,
) => EncoderProcess;

export interface VideoEncoderOptions {
  ffmpegPath: string;
  encoder: EncoderName;
  video: EncoderVideo;
  rtp: PlainRtpTarget;
  /** Time ffmpeg gets to exit after SIGTERM before SIGKILL. */
  closeGraceMs?: number;
  /** Periodic intra refresh with a forced IDR every GOP (see CodecOptions.intraRefresh). */
  intraRefresh?: boolean;
  /** How much of ffmpeg's stderr is kept for the exit report. */
  stderrTailBytes?: number;
  spawn?: SpawnEncoder;
  logger?: Logger;
}

export type { VideoEncoderStats } from './SessionVideoEncoder.js';

/**
 * What the ffmpeg CLI can be asked mid-stream: nothing. It has no way to
 * force an IDR into a running encode or to change its bitrate; the fixed GOP
 * bounds a broken picture's life instead.
 */
const CLI_CONTROLS: EncoderControls = Object.freeze({
  keyframeOnDemand: false,
  liveBitrate: false,
  liveResize: false,
  retransmits: false,
});

const defaultSpawn: SpawnEncoder = (file, args, env) =>
  nodeSpawn(file, args, { stdio: ['pipe', 'ignore', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });

/** What the session reports as its encoder when the runtime's own H.264 is only repacketised. */
const PASSTHROUGH_INFO: EncoderInfo = Object.freeze({ codec: 'h264', name: 'h264_passthrough', hardware: true });

/**
 * One ffmpeg process turning the runtime's picture into RTP: raw frames from
 * stdin (encoded), an X display (grabbed and encoded) or the runtime's own
 * H.264 from stdin (repacketised). Raw frames never queue: while the previous
 * frame is still being written, a new one is dropped and counted, so latency
 * stays at one frame however slow ffmpeg is.
 */
export class VideoEncoder extends TypedEmitter<SessionVideoEncoderEvents> implements SessionVideoEncoder, VideoSink {
  readonly frameBytes: number;
  readonly #options: Required<Omit<VideoEncoderOptions, 'logger'>>;
  readonly #configured: EncoderInfo;
  #capture: VideoCapture = { kind: 'frames' };
  readonly #log: Logger;
  #child: EncoderProcess | undefined;
  #exited: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #stderrTail = '';
  readonly #stats: VideoEncoderStats = { framesIn: 0, framesWritten: 0, framesDropped: 0, startedAt: undefined };

  constructor(options: VideoEncoderOptions) {
    const log = options.logger ?? createLogger('encoder');
    super((error, event) => log.error({ err: error, event }, 'encoder event listener threw'));
    this.#log = log;
    this.#options = {
      closeGraceMs: 2_000,
      stderrTailBytes: 4_096,
      spawn: defaultSpawn,
      intraRefresh: false,
      ...options,
    };
    this.#configured = encoderInfo(options.encoder);
    this.frameBytes = yuv420pFrameBytes(options.video.width, options.video.height);
  }

  /** The encoder the session runs: the configured one, or a passthrough of the runtime's own H.264. */
  get info(): EncoderInfo {
    return this.#capture.kind === 'h264' ? { ...PASSTHROUGH_INFO } : this.#configured;
  }

  get controls(): EncoderControls {
    return CLI_CONTROLS;
  }

  /** What ffmpeg was started with; it cannot change. */
  get target(): EncoderTargetSettings {
    const { width, height, fps, bitrateKbps } = this.#options.video;
    return { width, height, fps, bitrateKbps };
  }

  /** The CLI cannot be retargeted: returns what it keeps producing. */
  setTarget(_target: EncoderTargetSettings): EncoderTargetSettings {
    return this.target;
  }

  /** How the picture reaches ffmpeg, as given to start(). */
  get capture(): VideoCapture {
    return this.#capture;
  }

  /** The ffmpeg process id while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** True from a successful start() until ffmpeg exits or close() is called. */
  get running(): boolean {
    return (
      this.#child !== undefined &&
      this.#closing === undefined &&
      this.#child.exitCode === null &&
      this.#child.signalCode === null
    );
  }

  get ready(): boolean {
    if (!this.running || this.#capture.kind !== 'frames') return false;
    const stdin = (this.#child as EncoderProcess).stdin;
    return stdin.writable && stdin.writableLength === 0 && !stdin.writableNeedDrain;
  }

  get stats(): VideoEncoderStats {
    return { ...this.#stats };
  }

  /**
   * Spawns ffmpeg reading the picture as `capture` says (raw frames on stdin
   * by default); rejects with FW_ERR_ENCODER_UNAVAILABLE when it cannot be started.
   */
  async start(capture: VideoCapture = { kind: 'frames' }): Promise<void> {
    if (this.#child || this.#closing) throw new FramewayError('FW_ERR_INVALID_STATE', 'encoder already started');
    this.#capture = capture;
    const args = buildEncoderArgs({ ...this.#options, capture });
    const child = this.#options.spawn(
      this.#options.ffmpegPath,
      args,
      capture.kind === 'x11grab' ? capture.env : undefined,
    );
    this.#child = child;
    trackChildProcess(child);
    this.#exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#log.debug({ code, signal }, 'ffmpeg exited');
        this.emit('exit', code, signal, this.#stderrTail.trim());
        resolve();
      });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-this.#options.stderrTailBytes);
    });
    // EPIPE once ffmpeg is gone: the exit event reports why, nothing to add here.
    child.stdin.on('error', (error) => this.#log.debug({ err: error }, 'ffmpeg stdin error'));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', `cannot start ffmpeg: ${error.message}`, undefined, {
            cause: error,
          }),
        ),
      );
    });
    this.#stats.startedAt = Date.now();
    this.#log.debug({ pid: child.pid, args }, 'ffmpeg started');
  }

  /**
   * Offers one raw yuv420p frame. Returns false, and counts a drop, when the
   * previous frame has not drained yet: the frame is not queued.
   * The caller must not modify `frame` until `ready` is true again.
   */
  pushFrame(frame: Uint8Array): boolean {
    this.#stats.framesIn += 1;
    if (frame.byteLength !== this.frameBytes) {
      // A short or long frame would shift every later frame: refuse it outright.
      throw new FramewayError('FW_ERR_INTERNAL', `frame of ${frame.byteLength} bytes, expected ${this.frameBytes}`);
    }
    if (!this.ready) {
      this.#stats.framesDropped += 1;
      return false;
    }
    (this.#child as EncoderProcess).stdin.write(frame);
    this.#stats.framesWritten += 1;
    return true;
  }

  /**
   * Appends the runtime's own H.264 bytes (capture `h264`). Never queues more
   * than the pipe holds: while ffmpeg lags, the chunk is dropped and counted,
   * and the runtime is expected to resume at its next keyframe.
   */
  writeEncoded(chunk: Uint8Array): boolean {
    if (!this.running || this.#capture.kind !== 'h264') return false;
    const stdin = (this.#child as EncoderProcess).stdin;
    if (stdin.writableNeedDrain) {
      this.#stats.framesDropped += 1;
      return false;
    }
    stdin.write(chunk);
    this.#stats.framesWritten += 1;
    return true;
  }

  /**
   * Asks for an IDR as soon as possible. ffmpeg's CLI offers no way to force
   * one into a running encode, so this returns false; an in-process encoder
   * will implement it. The fixed GOP bounds the wait meanwhile.
   */
  requestKeyframe(): boolean {
    this.#log.debug('keyframe request ignored: the ffmpeg CLI cannot force an IDR mid-stream');
    return false;
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after the grace period); resolves once it has exited. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.#exited) return;
    // Unsent frame data is worthless in a live stream: drop it rather than flush.
    if (isChildRunning(child)) child.stdin.destroy();
    await stopChildProcess(child, {
      exited: this.#exited,
      graceMs: this.#options.closeGraceMs,
      onForce: () => this.#log.warn({ pid: child.pid }, 'ffmpeg ignored SIGTERM; sending SIGKILL'),
    });
  }
}
