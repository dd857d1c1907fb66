import { FreezeDetector, type FreezeDetectorOptions, type FreezeEvent } from './FreezeDetector.js';

/** The `requestVideoFrameCallback` metadata fields the monitor reads (times on the `performance.now()` clock). */
export interface VideoFrameMetadataLike {
  presentationTime: number;
  expectedDisplayTime: number;
  width: number;
  height: number;
  presentedFrames: number;
  /** When the last packet of the frame arrived (WebRTC sources). */
  receiveTime?: number;
  rtpTimestamp?: number;
}

/** A `<video>` as the monitor uses it. */
export interface FrameSource {
  requestVideoFrameCallback?(callback: (now: number, metadata: VideoFrameMetadataLike) => void): number;
  cancelVideoFrameCallback?(handle: number): void;
}

/** One presented frame. */
export interface FrameTiming {
  /** When the frame was handed to the compositor (`presentationTime`, page clock). */
  presentedAt: number;
  /** Last packet received → presented; undefined when the browser does not report `receiveTime`. */
  receiveToPresentMs: number | undefined;
  /** receive → present plus half the RTT: network-to-screen for this frame, as far as the browser can see. */
  latencyEstimateMs: number | undefined;
  width: number;
  height: number;
  rtpTimestamp: number | undefined;
}

/** Frames over the last `windowMs`, and freezes since the monitor started. */
export interface FrameSummary {
  frames: number;
  fps: number;
  /** Mean of the per-frame latency estimates in the window. */
  latencyMs: number | undefined;
  latencyP95Ms: number | undefined;
  freezeCount: number;
  freezeTotalMs: number;
  frozen: boolean;
}

export interface FrameMonitorOptions {
  element: FrameSource;
  /** The current round trip (from the last stats sample), for the per-frame estimate. */
  rttMs: () => number | undefined;
  onFrame?: (frame: FrameTiming) => void;
  onFreeze?: (event: FreezeEvent) => void;
  /** Summary window. Default 1000 ms. */
  windowMs?: number;
  /** How often the clock looks for a freeze. Default 100 ms. */
  checkIntervalMs?: number;
  freeze?: FreezeDetectorOptions;
  /** Page clock; `performance.now()` in browsers. */
  now?: () => number;
  /** A hidden page gets no frame callbacks; that is not a freeze. */
  isHidden?: () => boolean;
  setInterval?: (callback: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

const MAX_FRAMES = 512;

/**
 * Watches the frames a `<video>` presents (`requestVideoFrameCallback`): a
 * per-frame latency estimate (receive → presentation + RTT/2) and freeze
 * detection. Inert where the browser lacks the callback (`supported` false).
 */
export class FrameMonitor {
  readonly supported: boolean;
  readonly #options: FrameMonitorOptions;
  readonly #detector: FreezeDetector;
  readonly #frames: { at: number; latency: number | undefined }[] = [];
  readonly #now: () => number;
  #handle: number | undefined;
  #timer: unknown;
  #wasHidden = false;
  #closed = false;

  constructor(options: FrameMonitorOptions) {
    this.#options = options;
    this.#detector = new FreezeDetector(options.freeze);
    this.#now = options.now ?? (() => performance.now());
    this.supported = typeof options.element.requestVideoFrameCallback === 'function';
    if (!this.supported) return;
    this.#request();
    const every = options.setInterval ?? ((callback, ms) => setInterval(callback, ms));
    this.#timer = every(() => this.#check(), options.checkIntervalMs ?? 100);
  }

  get freezeCount(): number {
    return this.#detector.count;
  }

  summary(): FrameSummary {
    const windowMs = this.#options.windowMs ?? 1000;
    const since = this.#now() - windowMs;
    const recent = this.#frames.filter((frame) => frame.at >= since);
    const latencies = recent
      .map((frame) => frame.latency)
      .filter((latency): latency is number => latency !== undefined)
      .sort((a, b) => a - b);
    const mean = latencies.length > 0 ? latencies.reduce((a, b) => a + b, 0) / latencies.length : undefined;
    const p95 =
      latencies.length > 0
        ? latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)]
        : undefined;
    return {
      frames: recent.length,
      fps: (recent.length * 1000) / windowMs,
      latencyMs: mean === undefined ? undefined : round1(mean),
      latencyP95Ms: p95 === undefined ? undefined : round1(p95),
      freezeCount: this.#detector.count,
      freezeTotalMs: Math.round(this.#detector.totalMs),
      frozen: this.#detector.frozen,
    };
  }

  /** A new stream (the peer connection was replaced): the gap before its first frame is not a freeze. */
  resetStream(): void {
    this.#detector.reset();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#handle !== undefined) this.#options.element.cancelVideoFrameCallback?.(this.#handle);
    // The handle is opaque (an injected clock returns anything); the default clear only ever gets the default set's.
    const clear = this.#options.clearInterval ?? ((handle) => clearInterval(handle as ReturnType<typeof setInterval>));
    if (this.#timer !== undefined) clear(this.#timer);
  }

  #request(): void {
    this.#handle = this.#options.element.requestVideoFrameCallback?.(this.#onFrame);
  }

  readonly #onFrame = (_now: number, metadata: VideoFrameMetadataLike): void => {
    if (this.#closed) return;
    this.#request();
    const presentedAt = metadata.presentationTime;
    const receiveToPresent =
      typeof metadata.receiveTime === 'number' && metadata.receiveTime > 0
        ? Math.max(0, presentedAt - metadata.receiveTime)
        : undefined;
    const rtt = this.#options.rttMs();
    const latency = receiveToPresent === undefined ? undefined : receiveToPresent + (rtt ?? 0) / 2;
    this.#frames.push({ at: presentedAt, latency });
    if (this.#frames.length > MAX_FRAMES) this.#frames.splice(0, this.#frames.length - MAX_FRAMES);
    const event = this.#detector.frame(presentedAt);
    if (event) this.#options.onFreeze?.(event);
    this.#options.onFrame?.({
      presentedAt,
      receiveToPresentMs: receiveToPresent === undefined ? undefined : round1(receiveToPresent),
      latencyEstimateMs: latency === undefined ? undefined : round1(latency),
      width: metadata.width,
      height: metadata.height,
      rtpTimestamp: metadata.rtpTimestamp,
    });
  };

  #check(): void {
    if (this.#closed) return;
    const hidden = this.#options.isHidden?.() ?? false;
    if (hidden || this.#wasHidden) {
      // No callbacks while hidden: start over once visible instead of reporting the gap.
      if (hidden) this.#detector.reset();
      this.#wasHidden = hidden;
      if (hidden) return;
    }
    const event = this.#detector.check(this.#now());
    if (event) this.#options.onFreeze?.(event);
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
