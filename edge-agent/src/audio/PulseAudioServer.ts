import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FramewayError, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import { stopChildProcess } from '../process/stopChildProcess.js';
import type { AudioCapture } from '../runtime/SessionRuntime.js';
import { spawnTied } from '../runtime/spawnTied.js';

export interface PulseAudioServerOptions {
  /** Private directory of this server (socket, state); created if missing. Use one per session. */
  dir: string;
  pulseaudioPath?: string;
  /** Name of the null sink the session's programs play into. */
  sinkName?: string;
  startTimeoutMs?: number;
  logger?: Logger;
}

export type PulseAudioServerEvents = {
  /** The daemon exited without close(). */
  exit: [message: string];
};

const POLL_MS = 20;

/**
 * A private PulseAudio daemon for one session: a null sink as the default
 * output (whatever the game plays lands there, no sound card needed) whose
 * monitor is the session's audio source. One daemon per session keeps
 * sessions from hearing each other, and cleanup is killing one process.
 */
export class PulseAudioServer extends TypedEmitter<PulseAudioServerEvents> {
  readonly dir: string;
  readonly sinkName: string;
  readonly #child: ChildProcess;
  readonly #log: Logger;
  #closing: Promise<void> | undefined;
  #exited: Promise<void>;
  #stderr = '';

  private constructor(options: PulseAudioServerOptions, child: ChildProcess, log: Logger) {
    super((error, event) => log.error({ err: error, event }, 'pulseaudio listener threw'));
    this.dir = options.dir;
    this.sinkName = options.sinkName ?? 'frameway';
    this.#child = child;
    this.#log = log;
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2048);
    });
    this.#exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        if (!this.#closing) this.emit('exit', `pulseaudio exited with ${signal ?? code}: ${this.#stderr.trim()}`);
        resolve();
      });
    });
  }

  /** Starts the daemon and resolves once its socket accepts clients; FW_ERR_RUNTIME_FAILED otherwise. */
  static async start(options: PulseAudioServerOptions): Promise<PulseAudioServer> {
    const log = options.logger ?? createLogger('pulse');
    const sink = options.sinkName ?? 'frameway';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(sink)) {
      throw new FramewayError('FW_ERR_INTERNAL', `sink name ${JSON.stringify(sink)} is not a plain name`);
    }
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const socket = join(options.dir, 'native');
    const script = join(options.dir, 'default.pa');
    writeFileSync(
      script,
      [
        `load-module module-null-sink sink_name=${sink} rate=48000 channels=2`,
        `set-default-sink ${sink}`,
        `set-default-source ${sink}.monitor`,
        // The directory is private (0700): reaching the socket is the authorisation.
        `load-module module-native-protocol-unix socket=${socket} auth-anonymous=1`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const child = spawnTied(
      options.pulseaudioPath ?? 'pulseaudio',
      [
        '-n', // no default script: only ours
        '-F',
        script,
        '--daemonize=no',
        '--exit-idle-time=-1', // stay up while the game has not opened a stream yet
        '--use-pid-file=no',
        '--disallow-exit',
        '--disallow-module-loading', // clients cannot load modules (e.g. a TCP listener)
        '--enable-memfd=no', // plain shm: memfd blocks need a registration that fails across namespaces
        '--log-target=stderr',
        '--log-level=error',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          // Everything the daemon keeps (cookie, state) stays in the session's directory.
          HOME: options.dir,
          XDG_RUNTIME_DIR: options.dir,
          XDG_CONFIG_HOME: options.dir,
          PULSE_RUNTIME_PATH: options.dir,
          PULSE_STATE_PATH: options.dir,
        },
      },
    );
    const server = new PulseAudioServer(options, child, log);
    await server.#waitForSocket(socket, options.startTimeoutMs ?? 5_000);
    log.debug({ pid: child.pid, socket }, 'pulseaudio started');
    return server;
  }

  /** The address clients use (PULSE_SERVER). */
  get server(): string {
    return `unix:${join(this.dir, 'native')}`;
  }

  /** Environment that points a program's audio at this server. */
  get env(): Record<string, string> {
    return { PULSE_SERVER: this.server };
  }

  /** The capture the session's audio encoder records. */
  get capture(): AudioCapture {
    return { kind: 'pulse', server: this.server, source: `${this.sinkName}.monitor` };
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #stop(): Promise<void> {
    await stopChildProcess(this.#child, { exited: this.#exited });
    this.#log.debug({ dir: this.dir }, 'pulseaudio stopped');
  }

  async #waitForSocket(socket: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const failed = (why: string) =>
      new FramewayError('FW_ERR_RUNTIME_FAILED', `pulseaudio did not start: ${why}`, { stderr: this.#stderr.trim() });
    const spawnError = new Promise<never>((_, reject) => {
      this.#child.once('error', (error) => reject(failed(error.message)));
    });
    spawnError.catch(() => {});
    while (!existsSync(socket)) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) {
        throw failed(`exited with ${this.#child.signalCode ?? this.#child.exitCode}: ${this.#stderr.trim()}`);
      }
      if (Date.now() > deadline) {
        await this.close();
        throw failed(`no socket after ${timeoutMs} ms`);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, POLL_MS)), spawnError]);
    }
  }
}
