import { type ChildProcessByStdio, spawn as nodeSpawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { FramewayError, TypedEmitter } from '@frameway/protocol';
import type { PlainRtpTarget } from '../encoder/buildEncoderArgs.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { DEFAULT_STOP_GRACE_MS, stopChildProcess } from '../process/stopChildProcess.js';
import { trackChildProcess } from '../process/trackChildProcess.js';
import type { AudioCapture } from '../runtime/SessionRuntime.js';
import { buildAudioEncoderArgs } from './buildAudioEncoderArgs.js';

type AudioProcess = ChildProcessByStdio<null, null, Readable>;
export type SpawnAudioEncoder = (file: string, args: readonly string[]) => AudioProcess;

export interface AudioEncoderOptions {
  ffmpegPath: string;
  rtp: PlainRtpTarget;
  bitrateKbps?: number;
  /** Time ffmpeg gets to exit after SIGTERM before SIGKILL. */
  closeGraceMs?: number;
  spawn?: SpawnAudioEncoder;
  logger?: Logger;
}

export type AudioEncoderEvents = {
  /** ffmpeg exited, whether asked to (close()) or not. */
  exit: [code: number | null, signal: NodeJS.Signals | null, stderrTail: string];
};

const defaultSpawn: SpawnAudioEncoder = (file, args) => nodeSpawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
const STDERR_TAIL_BYTES = 2048;

/** One ffmpeg process recording the runtime's audio source and sending it as Opus RTP. */
export class AudioEncoder extends TypedEmitter<AudioEncoderEvents> {
  readonly #options: AudioEncoderOptions;
  readonly #log: Logger;
  #child: AudioProcess | undefined;
  #exited: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #stderrTail = '';

  constructor(options: AudioEncoderOptions) {
    const log = options.logger ?? createLogger('audio');
    super((error, event) => log.error({ err: error, event }, 'audio encoder listener threw'));
    this.#options = options;
    this.#log = log;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    const child = this.#child;
    return child !== undefined && this.#closing === undefined && child.exitCode === null && child.signalCode === null;
  }

  /** Spawns ffmpeg on `source`; rejects with FW_ERR_ENCODER_UNAVAILABLE when it cannot be started. */
  async start(source: AudioCapture): Promise<void> {
    if (this.#child || this.#closing) throw new FramewayError('FW_ERR_INVALID_STATE', 'audio encoder already started');
    const args = buildAudioEncoderArgs({
      source,
      rtp: this.#options.rtp,
      ...(this.#options.bitrateKbps === undefined ? {} : { bitrateKbps: this.#options.bitrateKbps }),
    });
    const child = (this.#options.spawn ?? defaultSpawn)(this.#options.ffmpegPath, args);
    this.#child = child;
    trackChildProcess(child);
    this.#exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.emit('exit', code, signal, this.#stderrTail.trim());
        resolve();
      });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderrTail = (this.#stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(
          new FramewayError(
            'FW_ERR_ENCODER_UNAVAILABLE',
            `cannot start the audio encoder: ${error.message}`,
            undefined,
            {
              cause: error,
            },
          ),
        ),
      );
    });
    this.#log.debug({ pid: child.pid, args }, 'audio encoder started');
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after the grace period). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    if (!child || !this.#exited) return;
    await stopChildProcess(child, {
      exited: this.#exited,
      graceMs: this.#options.closeGraceMs ?? DEFAULT_STOP_GRACE_MS,
    });
  }
}
