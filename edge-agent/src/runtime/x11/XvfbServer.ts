import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FramewayError, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../../logging/logger.js';
import { stopChildProcess } from '../../process/stopChildProcess.js';
import { spawnTied } from '../spawnTied.js';
import { MIT_MAGIC_COOKIE, writeXauthority } from './writeXauthority.js';

export interface XvfbServerOptions {
  /** Private directory of the session; the Xauthority file goes here. */
  dir: string;
  width: number;
  height: number;
  /** Offer MIT-SHM (default true); see SessionDisplayOptions.shm. */
  shm?: boolean;
  xvfbPath?: string;
  startTimeoutMs?: number;
  logger?: Logger;
}

export type XvfbServerEvents = {
  /** Xvfb exited without close(). */
  exit: [message: string];
};

/**
 * A private virtual X server for one session. The display number is picked
 * by Xvfb itself (`-displayfd`): it claims the first free number with the
 * X lock file, atomically across every process on the host, so two sessions
 * (or two agents) can never collide on a display. Access needs the session's
 * MIT-MAGIC-COOKIE; TCP is off.
 */
export class XvfbServer extends TypedEmitter<XvfbServerEvents> {
  /** e.g. `:3` */
  readonly display: string;
  readonly width: number;
  readonly height: number;
  /** Path of the Xauthority file holding this server's cookie. */
  readonly authFile: string;
  readonly #cookie: Buffer;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #stderr: () => string;
  #closing: Promise<void> | undefined;

  private constructor(init: {
    display: string;
    options: XvfbServerOptions;
    authFile: string;
    cookie: Buffer;
    child: ChildProcess;
    exited: Promise<void>;
    stderr: () => string;
    log: Logger;
  }) {
    super((error, event) => init.log.error({ err: error, event }, 'xvfb listener threw'));
    this.display = init.display;
    this.width = init.options.width;
    this.height = init.options.height;
    this.authFile = init.authFile;
    this.#cookie = init.cookie;
    this.#child = init.child;
    this.#exited = init.exited;
    this.#stderr = init.stderr;
    init.exited.then(() => {
      if (!this.#closing) this.emit('exit', `Xvfb ${this.display} exited: ${init.stderr().trim().slice(-300)}`);
    });
  }

  /** Starts Xvfb and resolves once it accepts clients; FW_ERR_RUNTIME_FAILED when it cannot. */
  static async start(options: XvfbServerOptions): Promise<XvfbServer> {
    const log = options.logger ?? createLogger('xvfb');
    const cookie = randomBytes(16);
    const authFile = join(options.dir, 'Xauthority');
    writeXauthority(authFile, cookie);
    const child = spawnTied(
      options.xvfbPath ?? 'Xvfb',
      [
        // Xvfb writes the display number it claimed to fd 3, then serves.
        '-displayfd',
        '3',
        '-screen',
        '0',
        `${options.width}x${options.height}x24`,
        '-auth',
        authFile,
        '-nolisten',
        'tcp',
        // Keep serving when the last client (a game that restarts itself) disconnects.
        '-noreset',
        // No software cursor sprite in the framebuffer: the player sees their own pointer.
        '-nocursor',
        ...(options.shm === false ? ['-extension', 'MIT-SHM'] : []),
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    (child.stdio[2] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const timeoutMs = options.startTimeoutMs ?? 5_000;
    const display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const fail = (why: string) =>
        reject(new FramewayError('FW_ERR_RUNTIME_FAILED', `Xvfb did not start: ${why}`, { stderr: stderr.trim() }));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(`no display after ${timeoutMs} ms`);
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(error.message);
      });
      exited.then(() => {
        clearTimeout(timer);
        fail(`exited early: ${stderr.trim().slice(-300)}`);
      });
      (child.stdio[3] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
        const match = /^(\d+)\n/.exec(text);
        if (!match) return;
        clearTimeout(timer);
        resolve(`:${match[1]}`);
      });
    });
    log.debug({ display, pid: child.pid }, 'Xvfb started');
    return new XvfbServer({ display, options, authFile, cookie, child, exited, stderr: () => stderr, log });
  }

  /** Environment that points a program at this display. */
  get env(): Record<string, string> {
    return { DISPLAY: this.display, XAUTHORITY: this.authFile };
  }

  /** Credentials for the agent's own x11 connections (the package reads no per-connection file). */
  get auth(): { name: string; data: string } {
    return { name: MIT_MAGIC_COOKIE, data: this.#cookie.toString('latin1') };
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get stderrTail(): string {
    return this.#stderr();
  }

  /** Stops Xvfb (SIGTERM, SIGKILL after 2 s); its lock file and socket go with it. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= stopChildProcess(this.#child, { exited: this.#exited });
    return this.#closing;
  }
}
