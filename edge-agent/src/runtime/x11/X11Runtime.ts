import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { FramewayError, type InputEvent, RuntimeKind } from '@frameway/protocol';
import type { OpenGamepadInjector } from '../../input/GamepadInjector.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import { DEFAULT_STOP_GRACE_MS, isChildRunning, stopChildProcess } from '../../process/stopChildProcess.js';
import { ManagedRuntime } from '../ManagedRuntime.js';
import type { RuntimeCapture, RuntimeLimits, RuntimeVideo, SessionRuntime, VideoSink } from '../SessionRuntime.js';
import { spawnTied } from '../spawnTied.js';
import { asRuntimeError, SessionDisplay } from './SessionDisplay.js';

export interface X11RuntimeOptions {
  sessionId: string;
  video: RuntimeVideo;
  /** The program and its arguments (argv, no shell). */
  command: readonly string[];
  limits?: RuntimeLimits;
  /** Give the program a private PulseAudio server whose output the session streams. Default true. */
  audio?: boolean;
  /** How long start() waits for the program's first window before calling it ready anyway. */
  readyTimeoutMs?: number;
  /** Time the program gets after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** Centre windows smaller than the screen. Default true. */
  center?: boolean;
  openGamepads?: OpenGamepadInjector;
  xvfbPath?: string;
  pulseaudioPath?: string;
  /** Parent of the session's private directory. */
  tmpDir?: string;
  logger?: Logger;
}

/** Environment variables a program inherits from the agent; nothing else (the fleet secret stays out). */
const INHERITED_ENV = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|USER|LOGNAME|TERM|NVIDIA_[A-Z_]+|__GL_[A-Z_]+|VK_[A-Z_]+)$/;
/** Debian installs games here, outside the usual PATH of services. */
const GAME_PATHS = ['/usr/games', '/usr/local/games'];
const OUTPUT_TAIL_CHARS = 2_000;

/**
 * Any Linux X11 program as a session: a private Xvfb display of the session's
 * size (captured by ffmpeg x11grab), a private PulseAudio null sink (the
 * session's audio), and input injected through XTEST on one persistent
 * connection (see SessionDisplay). The program runs in its own process group,
 * tied to the agent (parent-death signal), under the session's rlimits and
 * with none of the agent's environment; its exit ends the session.
 */
export class X11Runtime extends ManagedRuntime implements SessionRuntime {
  readonly kind = RuntimeKind.X11;
  readonly #options: X11RuntimeOptions;
  #dir: string | undefined;
  #display: SessionDisplay | undefined;
  #program: ChildProcess | undefined;
  #programExited: Promise<void> | undefined;
  #output = '';

  constructor(options: X11RuntimeOptions) {
    super('x11', options.logger ?? createLogger('x11', { sessionId: options.sessionId }));
    if (options.command.length === 0) throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'x11 runtime needs a command');
    this.#options = options;
  }

  /** The session's X display (`:N`) once prepared. */
  get display(): string | undefined {
    return this.#display?.display;
  }

  /** Environment that reaches the session's display (and audio), e.g. for a helper or a test. */
  get env(): Record<string, string> {
    return { ...this.#display?.env };
  }

  /** The program's process id while it runs. */
  get pid(): number | undefined {
    return this.#program?.pid;
  }

  /** What the session pastes: the clipboard text the player sent last. */
  get clipboardText(): string | undefined {
    return this.#display?.clipboard.text;
  }

  async prepare(): Promise<RuntimeCapture> {
    this.advance('new', 'preparing');
    try {
      const safeId = this.#options.sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
      this.#dir = mkdtempSync(join(this.#options.tmpDir ?? tmpdir(), `frameway-${safeId}-`));
      const display = await SessionDisplay.open({
        dir: this.#dir,
        video: this.#options.video,
        audio: this.#options.audio ?? true,
        ...(this.#options.center === undefined ? {} : { center: this.#options.center }),
        openGamepads: this.#options.openGamepads,
        xvfbPath: this.#options.xvfbPath,
        pulseaudioPath: this.#options.pulseaudioPath,
        logger: this.log,
      });
      this.#display = display;
      display.on('lost', (message) => this.fail(message));
      this.settle('prepared', 'preparing');
      this.log.info({ display: display.display, audio: display.pulse !== undefined }, 'x11 display ready');
      return display.capture;
    } catch (error) {
      await this.close();
      throw asRuntimeError(error, 'cannot prepare the x11 display');
    }
  }

  /** Starts the program; resolves at its first top-level window (or after readyTimeoutMs). */
  async start(_sink: VideoSink): Promise<void> {
    this.advance('prepared', 'starting');
    const [file, ...args] = this.#options.command as [string, ...string[]];
    const home = join(this.#dir as string, 'home');
    mkdirSync(home, { recursive: true });
    const child = spawnTied(file, args, {
      cwd: home,
      env: this.#programEnv(home),
      // Own process group: close() signals the program and everything it started.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(this.#options.limits ? { limits: this.#options.limits } : {}),
    });
    this.#program = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.#output = (this.#output + chunk).slice(-OUTPUT_TAIL_CHARS);
      });
    }
    this.#programExited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        this.fail(`${file} exited with ${how}${this.#tail() ? `: ${this.#tail()}` : ''}`);
        resolve();
      });
    });
    const failure = new Promise<Error>((resolve) => {
      child.once('error', resolve);
      void this.#programExited?.then(() => resolve(new Error(`${file} exited before it opened a window`)));
    });
    const timeoutMs = this.#options.readyTimeoutMs ?? 8_000;
    const outcome = await (this.#display as SessionDisplay).waitForWindow(timeoutMs, failure);
    if (outcome instanceof Error) {
      throw new FramewayError('FW_ERR_RUNTIME_FAILED', `${outcome.message}${this.#tail() ? `: ${this.#tail()}` : ''}`);
    }
    this.settle('ready', 'starting');
    if (outcome === 'timeout')
      this.log.warn({ timeoutMs }, 'program opened no window yet; streaming the display anyway');
    this.log.info({ pid: child.pid, command: file, window: outcome === 'window' }, 'program running');
  }

  applyInput(events: readonly InputEvent[]): void {
    if (this.acceptsInput) this.#display?.applyInput(events);
  }

  #programEnv(home: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (INHERITED_ENV.test(key)) env[key] = value;
    const path = (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter);
    env.PATH = [...path, ...GAME_PATHS.filter((dir) => !path.includes(dir))].join(delimiter);
    return {
      ...env,
      ...this.env,
      HOME: home,
      XDG_RUNTIME_DIR: this.#dir as string,
      // With PULSE_SERVER set, SDL and friends pick PulseAudio (the session's sink) on
      // their own; without it, keep SDL from probing sound cards the node may not have.
      ...(this.#display?.pulse ? {} : { SDL_AUDIODRIVER: 'dummy' }),
    };
  }

  #tail(): string {
    return this.#output.trim().split('\n').slice(-3).join(' | ').slice(-300);
  }

  protected async release(): Promise<void> {
    await this.#stopProgram();
    await this.#display?.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.log.debug('x11 runtime stopped');
  }

  async #stopProgram(): Promise<void> {
    const child = this.#program;
    if (!child || !this.#programExited || !isChildRunning(child)) return;
    // The program runs in its own group: the stop reaches everything it started.
    await stopChildProcess(child, {
      exited: this.#programExited,
      group: true,
      graceMs: this.#options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    });
  }
}
