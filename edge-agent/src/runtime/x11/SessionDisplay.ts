import { join } from 'node:path';
import { FramewayError, type InputEvent, TypedEmitter } from '@frameway/protocol';
import { PulseAudioServer } from '../../audio/PulseAudioServer.js';
import type { OpenGamepadInjector } from '../../input/GamepadInjector.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import type { RuntimeCapture, RuntimeVideo } from '../SessionRuntime.js';
import { TopLevelWindows } from './TopLevelWindows.js';
import { X11Clipboard } from './X11Clipboard.js';
import { X11Connection } from './X11Connection.js';
import { X11InputInjector } from './X11InputInjector.js';
import { XvfbServer } from './XvfbServer.js';

export interface SessionDisplayOptions {
  /** The session's private directory (Xauthority, PulseAudio socket). */
  dir: string;
  video: RuntimeVideo;
  /** Start a private PulseAudio server whose null sink is the session's audio. */
  audio: boolean;
  /**
   * Offer MIT-SHM to clients (default true). ffmpeg's x11grab needs it: the
   * Debian 5.1 build grabs no frame from a server without it.
   */
  shm?: boolean;
  center?: boolean;
  openGamepads?: OpenGamepadInjector | undefined;
  xvfbPath?: string | undefined;
  pulseaudioPath?: string | undefined;
  logger?: Logger;
}

export type SessionDisplayEvents = {
  /** Xvfb or the agent's connection to it went away. */
  lost: [message: string];
};

/**
 * What a session's X11 program runs against, wherever the program itself
 * runs (a local process, a container): a private Xvfb display of the session
 * size, optionally a private PulseAudio null sink, and the agent's own
 * connection to the display that injects input (XTEST), serves the clipboard
 * and watches for the program's windows.
 */
export class SessionDisplay extends TypedEmitter<SessionDisplayEvents> {
  readonly xvfb: XvfbServer;
  readonly pulse: PulseAudioServer | undefined;
  readonly windows: TopLevelWindows;
  readonly clipboard: X11Clipboard;
  readonly #connection: X11Connection;
  readonly #injector: X11InputInjector;
  readonly #video: RuntimeVideo;
  #closing: Promise<void> | undefined;

  private constructor(init: {
    xvfb: XvfbServer;
    pulse: PulseAudioServer | undefined;
    connection: X11Connection;
    windows: TopLevelWindows;
    clipboard: X11Clipboard;
    injector: X11InputInjector;
    video: RuntimeVideo;
    log: Logger;
  }) {
    super((error, event) => init.log.error({ err: error, event }, 'display listener threw'));
    this.xvfb = init.xvfb;
    this.pulse = init.pulse;
    this.#connection = init.connection;
    this.windows = init.windows;
    this.clipboard = init.clipboard;
    this.#injector = init.injector;
    this.#video = init.video;
    init.xvfb.on('exit', (message) => this.#lost(message));
    init.connection.on('closed', (reason) => this.#lost(`lost the X connection: ${reason}`));
  }

  /** Starts Xvfb (and PulseAudio) and connects; FW_ERR_RUNTIME_FAILED (everything stopped again) when it cannot. */
  static async open(options: SessionDisplayOptions): Promise<SessionDisplay> {
    const log = options.logger ?? createLogger('display');
    const { video } = options;
    const started: Array<{ close(): unknown }> = [];
    try {
      const xvfb = await XvfbServer.start({
        dir: options.dir,
        width: video.width,
        height: video.height,
        shm: options.shm ?? true,
        ...(options.xvfbPath ? { xvfbPath: options.xvfbPath } : {}),
        logger: log,
      });
      started.push(xvfb);
      const pulse = options.audio
        ? await startPulse(join(options.dir, 'pulse'), options.pulseaudioPath, log)
        : undefined;
      if (pulse) started.push(pulse);
      const connection = await X11Connection.connect({ display: xvfb.display, auth: xvfb.auth, logger: log });
      started.push(connection);
      const windows = new TopLevelWindows(connection, {
        ...(options.center === undefined ? {} : { center: options.center }),
        logger: log,
      });
      const clipboard = await X11Clipboard.create(connection, log);
      const injector = new X11InputInjector({
        connection,
        keyboard: await connection.keyboardMap(),
        width: video.width,
        height: video.height,
        clipboard,
        openGamepads: options.openGamepads,
        logger: log,
      });
      return new SessionDisplay({ xvfb, pulse, connection, windows, clipboard, injector, video, log });
    } catch (error) {
      await Promise.allSettled(started.reverse().map((part) => part.close()));
      throw error;
    }
  }

  get display(): string {
    return this.xvfb.display;
  }

  /** Environment of a local program on this display (and audio). */
  get env(): Record<string, string> {
    return { ...this.xvfb.env, ...this.pulse?.env };
  }

  /** How the session's encoders capture the display and its audio. */
  get capture(): RuntimeCapture {
    return {
      video: {
        kind: 'x11grab',
        display: this.xvfb.display,
        width: this.#video.width,
        height: this.#video.height,
        env: { XAUTHORITY: this.xvfb.authFile },
      },
      audio: this.pulse?.capture,
    };
  }

  applyInput(events: readonly InputEvent[]): void {
    this.#injector.apply(events);
  }

  /**
   * Resolves 'window' at the program's first top-level window, 'timeout'
   * after `timeoutMs`, or with the error `failure` settles to first.
   */
  waitForWindow(timeoutMs: number, failure: Promise<Error>): Promise<'window' | 'timeout' | Error> {
    return new Promise((resolve) => {
      const finish = (value: 'window' | 'timeout' | Error) => {
        clearTimeout(timer);
        this.windows.off('mapped', onWindow);
        resolve(value);
      };
      const timer = setTimeout(() => finish('timeout'), timeoutMs);
      const onWindow = () => finish('window');
      this.windows.once('mapped', onWindow);
      void failure.then(finish);
    });
  }

  /** Releases held input, then stops the connection, PulseAudio and Xvfb. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#injector.close().catch(() => undefined);
      this.#connection.close();
      await Promise.allSettled([this.xvfb.close(), this.pulse?.close()]);
    })();
    return this.#closing;
  }

  #lost(message: string): void {
    if (!this.#closing) this.emit('lost', message);
  }
}

async function startPulse(dir: string, path: string | undefined, log: Logger): Promise<PulseAudioServer | undefined> {
  try {
    const pulse = await PulseAudioServer.start({ dir, ...(path ? { pulseaudioPath: path } : {}), logger: log });
    pulse.on('exit', (message) => log.warn({ message }, 'session audio server stopped'));
    return pulse;
  } catch (error) {
    // Sound is a bonus: a node without PulseAudio still streams the picture.
    log.warn({ err: error }, 'no audio for this session: PulseAudio did not start');
    return undefined;
  }
}

/** Wraps anything a runtime start threw into FW_ERR_RUNTIME_FAILED (typed errors pass through). */
export function asRuntimeError(error: unknown, what: string): FramewayError {
  if (error instanceof FramewayError) return error;
  return new FramewayError(
    'FW_ERR_RUNTIME_FAILED',
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    undefined,
    { cause: error },
  );
}
