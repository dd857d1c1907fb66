import { performance } from 'node:perf_hooks';
import { FramewayError, type InputEvent, RuntimeKind, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../../logging/logger.js';
import { FrameClock, type FrameClockOptions } from '../FrameClock.js';
import type {
  FrameSink,
  RuntimeCapture,
  RuntimeState,
  RuntimeVideo,
  SessionRuntime,
  SessionRuntimeEvents,
} from '../SessionRuntime.js';
import { type SceneDetail, SceneRenderer } from './SceneRenderer.js';
import { SceneState } from './SceneState.js';

export interface SceneRuntimeOptions {
  video: RuntimeVideo;
  /** Picture detail (SceneRenderer); defaults to 'low'. */
  detail?: SceneDetail | undefined;
  logger?: Logger;
  /** Clock overrides (time source, timers) for tests. */
  clock?: Pick<FrameClockOptions, 'now' | 'setTimer' | 'clearTimer'>;
}

export interface SceneRuntimeStats {
  framesRendered: number;
  /** Ticks at which the sink was still busy, so no frame was rendered. */
  framesSkippedBusy: number;
  /** Frame slots lost because the process fell behind the clock. */
  ticksSkippedLate: number;
  renderMsTotal: number;
  renderMsMax: number;
}

/**
 * The built-in test game: renders SceneState at the session's size and rate
 * into one reused yuv420p buffer and pushes every tick to the sink. Input is
 * applied the moment it arrives and shows in the next frame.
 */
export class SceneRuntime extends TypedEmitter<SessionRuntimeEvents> implements SessionRuntime {
  readonly kind = RuntimeKind.Scene;
  readonly state: SceneState;
  readonly #renderer: SceneRenderer;
  readonly #clock: FrameClock;
  readonly #frame: Buffer;
  readonly #log: Logger;
  #sink: FrameSink | undefined;
  #closed = false;
  #state: RuntimeState = 'new';
  readonly #stats: SceneRuntimeStats = {
    framesRendered: 0,
    framesSkippedBusy: 0,
    ticksSkippedLate: 0,
    renderMsTotal: 0,
    renderMsMax: 0,
  };

  constructor(options: SceneRuntimeOptions) {
    const log = options.logger ?? createLogger('scene');
    super((error, event) => log.error({ err: error, event }, 'scene event listener threw'));
    this.#log = log;
    this.state = new SceneState({ width: options.video.width, height: options.video.height });
    this.#renderer = new SceneRenderer({
      width: options.video.width,
      height: options.video.height,
      detail: options.detail,
    });
    this.#frame = this.#renderer.createFrame();
    this.#clock = new FrameClock({
      ...options.clock,
      fps: options.video.fps,
      onTick: (elapsedMs) => this.#tick(elapsedMs),
      onError: (error) => this.#fail(error),
    });
  }

  get stats(): SceneRuntimeStats {
    return { ...this.#stats, ticksSkippedLate: this.#clock.skippedTicks };
  }

  get detail(): SceneDetail {
    return this.#renderer.detail;
  }

  get lifecycle(): RuntimeState {
    return this.#state;
  }

  /** Nothing to allocate: the scene renders in process and pushes raw frames. */
  async prepare(): Promise<RuntimeCapture> {
    if (this.#closed) throw new FramewayError('FW_ERR_INVALID_STATE', 'scene runtime is closed');
    if (this.#state === 'new') this.#state = 'prepared';
    return { video: { kind: 'frames' } };
  }

  async start(sink: FrameSink): Promise<void> {
    if (this.#closed) throw new FramewayError('FW_ERR_INVALID_STATE', 'scene runtime is closed');
    if (this.#sink) throw new FramewayError('FW_ERR_INVALID_STATE', 'scene runtime already started');
    this.#sink = sink;
    this.#state = 'ready';
    // First frame right away: the encoder starts (and its first IDR goes out) without waiting a tick.
    this.#renderAndPush();
    this.#clock.start();
  }

  applyInput(events: readonly InputEvent[]): void {
    if (this.#closed) return;
    this.state.applyInput(events);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#state = 'stopped';
    this.#clock.stop();
  }

  #tick(elapsedMs: number): void {
    if (this.#closed) return;
    this.state.step(elapsedMs / 1000);
    this.#renderAndPush();
  }

  #renderAndPush(): void {
    const sink = this.#sink as FrameSink;
    if (sink.ready) {
      const started = performance.now();
      this.#renderer.render(this.state, this.#frame);
      const ms = performance.now() - started;
      this.#stats.framesRendered += 1;
      this.#stats.renderMsTotal += ms;
      if (ms > this.#stats.renderMsMax) this.#stats.renderMsMax = ms;
    } else {
      // The previous frame is still being written from this buffer: leave it
      // untouched; the sink drops (and counts) this push.
      this.#stats.framesSkippedBusy += 1;
    }
    sink.pushFrame(this.#frame);
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#state = 'stopped';
    this.#log.error({ err: error }, 'scene runtime crashed');
    this.emit('exit', `scene runtime crashed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
