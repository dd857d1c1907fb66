import type { InputEvent, RuntimeKind } from '@frameway/protocol';

/** Where a runtime delivers raw frames (the session's encoder, for `frames` capture). */
export interface FrameSink {
  /**
   * False while the previous frame is still being written. A runtime must not
   * modify a frame buffer it pushed until `ready` is true again.
   */
  readonly ready: boolean;
  /** Takes one raw yuv420p frame; returns false when the frame was dropped. */
  pushFrame(frame: Uint8Array): boolean;
}

/** Where a runtime delivers an already encoded H.264 Annex-B stream (for `h264` capture). */
export interface EncodedVideoSink {
  /** Appends stream bytes (whole NAL units or parts of them); returns false when ffmpeg is gone. */
  writeEncoded(chunk: Uint8Array): boolean;
}

/** What the session's encoder is: it takes raw frames and encoded bytes alike. */
export type VideoSink = FrameSink & EncodedVideoSink;

/**
 * How the session's encoder gets the runtime's picture.
 *
 * - `frames`: the runtime renders raw yuv420p frames itself and pushes them
 *   into the sink (the scene).
 * - `x11grab`: ffmpeg reads an X display directly (MIT-SHM on the same host),
 *   so no pixel passes through Node. On GPU hosts the same place takes
 *   `kmsgrab` (DRM/KMS scan-out buffers, zero copy into NVENC via hwmap) or
 *   NVIDIA's NvFBC (frame-buffer capture straight into CUDA memory); both
 *   need a real GPU display, which a headless Xvfb does not have.
 * - `h264`: the runtime already produces H.264 (a phone's hardware encoder);
 *   ffmpeg only packetises it into RTP, without re-encoding, unless a
 *   `filter` is given: then it decodes, draws the picture through the filter
 *   into the session frame (letterboxing, rotation) and encodes again.
 */
export type VideoCapture =
  | { kind: 'frames' }
  | {
      kind: 'x11grab';
      /** X display name, e.g. `:3`. */
      display: string;
      width: number;
      height: number;
      /** Environment ffmpeg needs to open the display (XAUTHORITY). */
      env: Readonly<Record<string, string>>;
    }
  | {
      kind: 'h264';
      /** ffmpeg video filter that fits the picture into the session frame; absent: passthrough. */
      filter?: string | undefined;
    };

/** Where the session's audio comes from, if the runtime has any. */
export interface AudioCapture {
  kind: 'pulse';
  /** PulseAudio server address, e.g. `unix:/tmp/fw-…/pulse/native`. */
  server: string;
  /** Source to record: the monitor of the session's null sink. */
  source: string;
}

/** What `prepare()` hands the session: how to capture the runtime's picture and sound. */
export interface RuntimeCapture {
  video: VideoCapture;
  audio?: AudioCapture | undefined;
}

/**
 * Resource limits one session's runtime runs under. Runtimes apply what their
 * mechanism supports (cgroups for containers, rlimits for local processes)
 * and document the rest.
 */
export interface RuntimeLimits {
  /** Memory ceiling in MiB. */
  memoryMiB?: number | undefined;
  /** CPU share in cores (1.5 = one and a half cores). */
  cpus?: number | undefined;
  /** Most processes/threads the runtime may run. */
  pids?: number | undefined;
  /** Most open file descriptors per process. */
  openFiles?: number | undefined;
}

export type SessionRuntimeEvents = {
  /** The runtime stopped on its own (crash, game exit); never emitted after close(). */
  exit: [message: string];
};

/** Video shape a runtime renders at. */
export interface RuntimeVideo {
  width: number;
  height: number;
  fps: number;
}

/**
 * Lifecycle of a runtime: new → preparing → prepared → starting → ready →
 * stopped. `exit` may fire from preparing onwards when the runtime dies on
 * its own; `close()` moves any state to stopped.
 */
export type RuntimeState = 'new' | 'preparing' | 'prepared' | 'starting' | 'ready' | 'stopped';

/**
 * A game or app instance that produces a picture (and maybe sound) and
 * consumes input; one per session.
 *
 * The session drives it in this order: `prepare()` allocates what capture
 * needs (a display, an audio sink, a container, a device connection) and says
 * how to capture; the session starts the encoder on that; `start()` launches
 * the game and resolves once it is ready (its first window or frame).
 * `close()` stops it and frees everything; a crash is the `exit` event, which
 * ends the session cleanly.
 */
export interface SessionRuntime {
  readonly kind: RuntimeKind;
  readonly lifecycle: RuntimeState;
  /** Allocates the runtime's resources; rejects (and frees them) when it cannot. */
  prepare(): Promise<RuntimeCapture>;
  /** Starts the game feeding `sink`; resolves once it is ready, rejects when it cannot start. */
  start(sink: VideoSink): Promise<void>;
  /** Applies input right away; the effect shows in the next frame. */
  applyInput(events: readonly InputEvent[]): void;
  /** Asks the runtime's own encoder for a keyframe (runtimes with `h264` capture); false when it cannot. */
  requestKeyframe?(): boolean;
  /** Stops the runtime and releases its resources; idempotent. */
  close(): Promise<void>;
  on<E extends keyof SessionRuntimeEvents>(event: E, listener: (...args: SessionRuntimeEvents[E]) => void): unknown;
  off<E extends keyof SessionRuntimeEvents>(event: E, listener: (...args: SessionRuntimeEvents[E]) => void): unknown;
}
