import { type EncoderControls, type EncoderInfo, FramewayError, TypedEmitter } from '@frameway/protocol';
import { createLogger, type Logger } from '../logging/logger.js';
import type { VideoCapture } from '../runtime/SessionRuntime.js';
import { type EncoderVideo, yuv420pFrameBytes } from './buildEncoderArgs.js';
import { type EncoderName, encoderInfo } from './encoderCatalog.js';
import { inProcessRetarget, paceFrame } from './inProcessRetarget.js';
import { loadNodeAv, type NodeAvLoad } from './loadNodeAv.js';
import { NodeAvVideoCodec } from './NodeAvVideoCodec.js';
import { nodeAvEncoderSettings, nodeAvRateControl } from './nodeAvEncoderSettings.js';
import type {
  EncoderTargetSettings,
  SessionVideoEncoder,
  SessionVideoEncoderEvents,
  VideoEncoderStats,
} from './SessionVideoEncoder.js';

export interface InProcessVideoEncoderOptions {
  encoder: EncoderName;
  /** The session's picture: the size and rate frames arrive at, and the first target. */
  video: EncoderVideo;
  logger?: Logger;
  /** Monotonic clock in ms (the AU's captureMs); performance.now by default. */
  now?: () => number;
  /** Where node-av comes from; tests replace it to play a machine without it. */
  loadNodeAv?: () => Promise<NodeAvLoad>;
}

type State = 'idle' | 'starting' | 'running' | 'failed' | 'closed';

/** What this encoder can do mid-stream; retransmits are the RTP publisher's business (the session fills them in). */
const CONTROLS: EncoderControls = Object.freeze({
  keyframeOnDemand: true,
  liveBitrate: true,
  liveResize: true,
  retransmits: false,
});

/**
 * H.264/HEVC encoding in the agent's own process, through FFmpeg's libraries
 * (node-av): each raw frame goes in, one Annex-B access unit comes out as an
 * `accessUnit` event for the session's RTP publisher, with no pipe and no
 * child process, and the encoder obeys mid-stream: an IDR on request, the
 * bitrate live, a smaller picture (reopened, first AU an IDR with the new
 * SPS) or a lower frame rate (frames dropped) on setTarget().
 *
 * How to use: check `await inProcessEncoderAvailable(name) === true` (from
 * loadNodeAv.ts), construct with the session's `video`, subscribe to
 * `accessUnit` and `exit`, `await start()` (raw-frame capture only), then
 * push frames of `frameBytes` whenever `ready` is true; a frame pushed while
 * one is being encoded is dropped and counted, never queued, so latency stays
 * at one frame. The frame is copied before pushFrame returns. `close()` frees
 * the native encoder once the frame in flight is done, and emits `exit(0)`.
 *
 * @example
 * const encoder = new InProcessVideoEncoder({ encoder: 'libx264', video });
 * encoder.on('accessUnit', (au) => publisher.send(au));
 * await encoder.start();
 * if (encoder.ready) encoder.pushFrame(frame);
 */
export class InProcessVideoEncoder extends TypedEmitter<SessionVideoEncoderEvents> implements SessionVideoEncoder {
  readonly frameBytes: number;
  readonly info: EncoderInfo;
  readonly controls: EncoderControls = CONTROLS;
  readonly pid: undefined = undefined;
  readonly #options: Required<Omit<InProcessVideoEncoderOptions, 'logger'>>;
  readonly #log: Logger;
  #state: State = 'idle';
  #capture: VideoCapture = { kind: 'frames' };
  #target: EncoderTargetSettings;
  #codec: NodeAvVideoCodec | undefined;
  #av: Exclude<NodeAvLoad, { unavailable: string }> | undefined;
  #opening: Promise<void> | undefined;
  /** The encode or reopen in flight; it never rejects (failures end the stream). */
  #job: Promise<void> | undefined;
  /**
   * The one frame waiting while another is encoded, as the CLI's pipe holds
   * one: without it every frame arriving during an encode was dropped, and a
   * busy node fell to ~55 fps (latency bench). At most one waits: latency
   * stays within one encode.
   */
  #pending: { frame: Buffer; captureMs: number } | undefined;
  #pendingBuffer: Buffer | undefined;
  #closing: Promise<void> | undefined;
  #keyframeWanted = false;
  #reopenWanted = false;
  /** Frame-rate pacing credit (see paceFrame). */
  #paceCredit = 0;
  readonly #stats: Required<VideoEncoderStats> = {
    framesIn: 0,
    framesWritten: 0,
    framesDropped: 0,
    startedAt: undefined,
    keyframesForced: 0,
    retargets: 0,
  };

  constructor(options: InProcessVideoEncoderOptions) {
    const log = options.logger ?? createLogger('encoder', { encoder: options.encoder, inProcess: true });
    super((error, event) => log.error({ err: error, event }, 'encoder event listener threw'));
    this.#log = log;
    this.#options = {
      now: () => performance.now(),
      loadNodeAv,
      ...options,
    };
    this.info = encoderInfo(options.encoder);
    this.frameBytes = yuv420pFrameBytes(options.video.width, options.video.height);
    const { bitrateKbps, width, height, fps } = options.video;
    this.#target = { bitrateKbps, width, height, fps };
  }

  /** How the picture reaches the encoder: raw frames, the only capture this encoder takes. */
  get capture(): VideoCapture {
    return this.#capture;
  }

  /** True from a successful start() until close() or a failure. */
  get running(): boolean {
    return this.#state === 'running';
  }

  /**
   * True while a frame can be taken: the encoder is idle, or encodes one with
   * none waiting (the pushed frame is copied and goes next). False: a frame
   * pushed now is dropped.
   */
  get ready(): boolean {
    return this.#state === 'running' && (this.#job === undefined || this.#pending === undefined);
  }

  /** Nothing being encoded and nothing waiting: every frame taken so far is out as access units. */
  get idle(): boolean {
    return this.#job === undefined && this.#pending === undefined;
  }

  get stats(): VideoEncoderStats {
    return { ...this.#stats };
  }

  get target(): EncoderTargetSettings {
    return { ...this.#target };
  }

  /** Opens the encoder; rejects with FW_ERR_ENCODER_UNAVAILABLE for a capture other than raw frames, or when node-av or the encoder cannot be opened. */
  async start(capture: VideoCapture = { kind: 'frames' }): Promise<void> {
    if (this.#state !== 'idle') throw new FramewayError('FW_ERR_INVALID_STATE', 'encoder already started');
    if (capture.kind !== 'frames') {
      throw new FramewayError(
        'FW_ERR_ENCODER_UNAVAILABLE',
        `the in-process encoder takes raw frames only; ${capture.kind} capture needs the ffmpeg CLI encoder`,
      );
    }
    this.#capture = capture;
    this.#state = 'starting';
    this.#opening = this.#open();
    try {
      await this.#opening;
    } catch (error) {
      if (this.#state === 'starting') this.#state = 'failed';
      throw error;
    }
  }

  /**
   * Takes one raw yuv420p frame of the session size, copied before this
   * returns. Returns false, and counts a drop, while the previous frame is
   * still being encoded, or when the frame is skipped to meet a lower target
   * frame rate: frames are never queued.
   */
  pushFrame(frame: Uint8Array): boolean {
    const captureMs = this.#options.now();
    this.#stats.framesIn += 1;
    if (frame.byteLength !== this.frameBytes) {
      // A frame of the wrong size is a bug in the runtime, not a stream condition.
      throw new FramewayError('FW_ERR_INTERNAL', `frame of ${frame.byteLength} bytes, expected ${this.frameBytes}`);
    }
    const pace = paceFrame(this.#paceCredit, this.#options.video.fps, this.#target.fps, this.ready);
    this.#paceCredit = pace.credit;
    const codec = this.#codec;
    if (!pace.send || !codec) {
      this.#stats.framesDropped += 1;
      return false;
    }
    this.#stats.framesWritten += 1;
    if (this.#job !== undefined) {
      // Busy: the frame waits, copied (the runtime reuses its buffer), and is encoded next.
      this.#pendingBuffer ??= Buffer.alloc(this.frameBytes);
      this.#pendingBuffer.set(frame);
      this.#pending = { frame: this.#pendingBuffer, captureMs };
      return true;
    }
    codec.load(frame);
    this.#runJob(() => this.#encode(codec, captureMs));
    return true;
  }

  /** Raw frames only: encoded input (capture `h264`) is the CLI encoder's job. */
  writeEncoded(_chunk: Uint8Array): boolean {
    return false;
  }

  /** The next encoded frame is an IDR with SPS/PPS in band; false once the encoder is gone. */
  requestKeyframe(): boolean {
    if (this.#state === 'closed' || this.#state === 'failed') return false;
    this.#keyframeWanted = true;
    return true;
  }

  /**
   * Bitrate applies from the next frame on the open encoder; a new size
   * reopens it (the next AU is an IDR with the new SPS; frames keep arriving
   * at the session size and are scaled down); a lower frame rate drops
   * frames. Size and rate never exceed the session's. Returns what it now produces.
   */
  setTarget(requested: EncoderTargetSettings): EncoderTargetSettings {
    const plan = inProcessRetarget(this.#options.video, this.#target, requested);
    if (!plan.changed || this.#state === 'closed' || this.#state === 'failed') return this.target;
    if (plan.target.fps !== this.#target.fps) this.#paceCredit = this.#options.video.fps - plan.target.fps;
    this.#target = plan.target;
    this.#stats.retargets += 1;
    this.#log.debug({ target: plan.target }, 'encoder retarget');
    if (plan.resize) {
      this.#reopenWanted = true;
      // Rate and size are set together at the reopen.
      // Only while no job runs: jobs never overlap (a running one reopens when it ends).
      if (this.#state === 'running' && this.#job === undefined) this.#runJob(() => this.#reopenWhileWanted());
    } else if (plan.rateChanged) {
      this.#codec?.setRate(this.#rate());
    }
    return this.target;
  }

  /** Stops encoding and frees the native encoder once the frame in flight is done; emits exit(0) if it was running. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#stop();
    return this.#closing;
  }

  async #open(): Promise<void> {
    const av = await this.#options.loadNodeAv();
    if ('unavailable' in av) {
      throw new FramewayError('FW_ERR_ENCODER_UNAVAILABLE', `node-av cannot be loaded: ${av.unavailable}`);
    }
    this.#av = av;
    this.#reopenWanted = false;
    const codec = await this.#openCodec(av);
    if (this.#state !== 'starting') {
      await codec.close();
      throw new FramewayError('FW_ERR_INVALID_STATE', 'encoder closed while starting');
    }
    this.#codec = codec;
    this.#state = 'running';
    this.#stats.startedAt = Date.now();
    this.#log.info({ width: codec.width, height: codec.height, fps: this.#target.fps }, 'in-process encoder started');
    // The target changed size while the encoder opened.
    if (this.#reopenWanted) this.#runJob(() => this.#reopenWhileWanted());
  }

  #openCodec(av: Exclude<NodeAvLoad, { unavailable: string }>): Promise<NodeAvVideoCodec> {
    const { video, encoder } = this.#options;
    const settings = nodeAvEncoderSettings(encoder, {
      width: this.#target.width,
      height: this.#target.height,
      fps: video.fps,
      gop: video.gop,
    });
    return NodeAvVideoCodec.open(av, settings, this.#rate(), video);
  }

  /** The target's rate control for an encoder stamping frames at the session rate. */
  #rate() {
    return nodeAvRateControl(this.#target.bitrateKbps, this.#target.fps, this.#options.video.fps);
  }

  /** Runs one encode or reopen; `ready` is false until it settles, and a failure ends the stream. */
  #runJob(work: () => Promise<void>): void {
    // Jobs never overlap (one starts only while none runs); the body starts a microtask later, so #job is set first.
    this.#job = Promise.resolve()
      .then(async () => {
        await work();
        if (this.#reopenWanted) await this.#reopenWhileWanted();
      })
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#job = undefined;
        this.#encodePending();
      });
  }

  /** The frame that waited during the last job, if any, is encoded now. */
  #encodePending(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    const codec = this.#codec;
    if (!pending || !codec || this.#state !== 'running') return;
    codec.load(pending.frame);
    this.#runJob(() => this.#encode(codec, pending.captureMs));
  }

  async #encode(codec: NodeAvVideoCodec, captureMs: number): Promise<void> {
    const forced = this.#keyframeWanted;
    this.#keyframeWanted = false;
    const packets = await codec.encode(forced);
    // Frames finishing after close() are not delivered: the session is gone.
    if (this.#state !== 'running') return;
    if (forced && packets.some((packet) => packet.keyframe)) this.#stats.keyframesForced += 1;
    for (const packet of packets) {
      this.emit('accessUnit', { data: packet.data, captureMs, keyframe: packet.keyframe });
    }
  }

  /** Reopens at the target size until it stops changing; the old encoder is freed once the new one is open. */
  async #reopenWhileWanted(): Promise<void> {
    while (this.#reopenWanted && this.#state === 'running' && this.#av) {
      this.#reopenWanted = false;
      const next = await this.#openCodec(this.#av);
      if (this.#state !== 'running') {
        await next.close();
        return;
      }
      const previous = this.#codec;
      this.#codec = next;
      await previous?.close();
      this.#log.info({ width: next.width, height: next.height }, 'in-process encoder reopened at a new size');
    }
  }

  async #fail(error: unknown): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    this.#log.warn({ err: error }, 'in-process encoder failed');
    const codec = this.#codec;
    this.#codec = undefined;
    await codec?.close();
    this.emit('exit', null, null, message);
  }

  async #stop(): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'closed';
    await this.#opening?.catch(() => undefined);
    await this.#job;
    const codec = this.#codec;
    this.#codec = undefined;
    await codec?.close();
    if (wasRunning) {
      this.#log.info(this.#stats, 'in-process encoder closed');
      this.emit('exit', 0, null, '');
    }
  }
}
