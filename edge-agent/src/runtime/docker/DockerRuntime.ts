import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramewayError, type InputEvent, RuntimeKind } from '@frameway/protocol';
import type Docker from 'dockerode';
import type { OpenGamepadInjector } from '../../input/GamepadInjector.js';
import { createLogger, type Logger } from '../../logging/logger.js';
import { ManagedRuntime } from '../ManagedRuntime.js';
import type { RuntimeCapture, RuntimeLimits, RuntimeVideo, SessionRuntime, VideoSink } from '../SessionRuntime.js';
import { asRuntimeError, SessionDisplay } from '../x11/SessionDisplay.js';
import { buildContainerSpec } from './buildContainerSpec.js';

/** The part of a dockerode container the runtime drives. */
export interface DockerContainer {
  readonly id: string;
  start(): Promise<unknown>;
  /** Resolves when the container stops, with its exit code. */
  wait(): Promise<{ StatusCode?: number; Error?: { Message?: string } | null }>;
  stop(options?: { t?: number }): Promise<unknown>;
  remove(options?: { force?: boolean; v?: boolean }): Promise<unknown>;
}

/** The part of the Docker Engine API client (dockerode) the runtime needs. */
export interface DockerClient {
  createContainer(options: Docker.ContainerCreateOptions): Promise<DockerContainer>;
}

export interface DockerRuntimeOptions {
  sessionId: string;
  video: RuntimeVideo;
  docker: DockerClient;
  image: string;
  gpus?: 'all' | 'none' | number;
  /** OCI runtime name to request (e.g. 'nvidia'). */
  runtime?: string | undefined;
  limits?: RuntimeLimits | undefined;
  audio?: boolean;
  readyTimeoutMs?: number;
  openGamepads?: OpenGamepadInjector;
  xvfbPath?: string | undefined;
  pulseaudioPath?: string | undefined;
  tmpDir?: string;
  logger?: Logger;
}

/**
 * A game image as a session: the container gets the session's display and
 * audio (an Xvfb socket and a PulseAudio socket of the agent, bind-mounted),
 * the NVIDIA GPUs through the engine's device request, and cgroup limits; the
 * agent captures and injects input on the display exactly as for the x11
 * runtime. The container is created through the Docker Engine API and is
 * removed when the session ends, however it ends.
 */
export class DockerRuntime extends ManagedRuntime implements SessionRuntime {
  readonly kind = RuntimeKind.Docker;
  readonly #options: DockerRuntimeOptions;
  #dir: string | undefined;
  #display: SessionDisplay | undefined;
  #container: DockerContainer | undefined;

  constructor(options: DockerRuntimeOptions) {
    super('docker', options.logger ?? createLogger('docker', { sessionId: options.sessionId }));
    this.#options = options;
  }

  /** The game container's id once created. */
  get containerId(): string | undefined {
    return this.#container?.id;
  }

  async prepare(): Promise<RuntimeCapture> {
    this.advance('new', 'preparing');
    try {
      const safeId = this.#options.sessionId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
      this.#dir = mkdtempSync(join(this.#options.tmpDir ?? tmpdir(), `frameway-${safeId}-`));
      this.#display = await SessionDisplay.open({
        dir: this.#dir,
        video: this.#options.video,
        audio: this.#options.audio ?? true,
        // MIT-SHM stays on: ffmpeg 5.1's x11grab produces no frames without it (tested).
        // Game containers cannot use it (another IPC namespace) and fall back to plain
        // requests; see the README for what that leaves open.
        openGamepads: this.#options.openGamepads,
        xvfbPath: this.#options.xvfbPath,
        pulseaudioPath: this.#options.pulseaudioPath,
        logger: this.log,
      });
      this.#display.on('lost', (message) => this.fail(message));
      this.settle('prepared', 'preparing');
      return this.#display.capture;
    } catch (error) {
      await this.close();
      throw asRuntimeError(error, 'cannot prepare the display for the container');
    }
  }

  /** Creates and starts the game container; resolves at its first window (or after readyTimeoutMs). */
  async start(_sink: VideoSink): Promise<void> {
    this.advance('prepared', 'starting');
    const display = this.#display as SessionDisplay;
    const dir = this.#dir as string;
    // The container's user is the image's: give it a readable copy of the
    // cookie. The session directory is 0700, so on the host it stays private.
    const containerAuth = join(dir, 'Xauthority.container');
    copyFileSync(display.xvfb.authFile, containerAuth);
    chmodSync(containerAuth, 0o644);
    const spec = buildContainerSpec({
      sessionId: this.#options.sessionId,
      image: this.#options.image,
      display: {
        name: display.display,
        socketPath: `/tmp/.X11-unix/X${display.display.slice(1)}`,
        authFile: containerAuth,
      },
      pulseSocket: display.pulse ? join(display.pulse.dir, 'native') : undefined,
      gpus: this.#options.gpus ?? 'all',
      runtime: this.#options.runtime,
      limits: this.#options.limits,
    });
    let container: DockerContainer;
    try {
      container = await this.#options.docker.createContainer(spec);
      this.#container = container;
      await container.start();
    } catch (error) {
      throw asRuntimeError(error, `cannot start ${this.#options.image}`);
    }
    this.log.info({ container: container.id.slice(0, 12), image: this.#options.image }, 'game container started');
    const exited = container.wait().then(
      (result) =>
        new Error(
          `container exited with code ${result.StatusCode ?? '?'}${result.Error?.Message ? `: ${result.Error.Message}` : ''}`,
        ),
      (error: unknown) => new Error(`lost the container: ${error instanceof Error ? error.message : String(error)}`),
    );
    void exited.then((error) => this.fail(error.message));
    const timeoutMs = this.#options.readyTimeoutMs ?? 10_000;
    const outcome = await display.waitForWindow(timeoutMs, exited);
    if (outcome instanceof Error) throw new FramewayError('FW_ERR_RUNTIME_FAILED', outcome.message);
    this.settle('ready', 'starting');
    if (outcome === 'timeout') this.log.warn({ timeoutMs }, 'game opened no window yet; streaming the display anyway');
  }

  applyInput(events: readonly InputEvent[]): void {
    if (this.acceptsInput) this.#display?.applyInput(events);
  }

  protected async release(): Promise<void> {
    const container = this.#container;
    if (container) {
      // stop() answers 304 when it already stopped; remove(force) covers every state.
      await container.stop({ t: 2 }).catch(() => undefined);
      await container
        .remove({ force: true, v: true })
        .catch((error: unknown) => this.log.warn({ err: error, container: container.id }, 'container not removed'));
    }
    await this.#display?.close();
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
  }
}
