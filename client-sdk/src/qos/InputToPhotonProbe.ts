/** A colour sampled from the stream. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** What the probe needs from a `<video>`: frame callbacks with presentation times. */
export interface ProbedVideo {
  requestVideoFrameCallback?(callback: (now: number, metadata: { presentationTime: number }) => void): number;
  cancelVideoFrameCallback?(handle: number): void;
}

/** Reads the mean colour of the latency marker in the video's current frame; undefined when it is not a flat square. */
export type MarkerSampler = (video: ProbedVideo) => Rgb | undefined;

export interface InputToPhotonProbeOptions {
  video: () => ProbedVideo | undefined;
  sample: MarkerSampler;
  /** Called with each measured latency (ms, page clock). */
  onSample: (ms: number) => void;
  /** RGB distance that counts as the marker changing. */
  threshold?: number;
  /** An input whose effect is not seen within this long is dropped (not every input changes the picture). */
  timeoutMs?: number;
  /** After the last input, frames are sampled this long at full rate, then only every `idleEvery`th. */
  activeMs?: number;
  idleEvery?: number;
}

/** Frameway's latency marker: the flat square at the top-left of the stream, recoloured on every key press. */
export const LATENCY_MARKER = { x: 0, y: 0, size: 64, referenceWidth: 1280 } as const;

/**
 * Input-to-photon latency, measured in the page: from the moment a key or
 * button edge is sent to the presentation time of the first frame whose
 * latency marker changed colour. Works for titles that draw Frameway's
 * latency marker (the scene does); elsewhere the marker region is not a flat
 * square, the sampler says so, and nothing is measured (the QoS report then
 * carries RTT only).
 */
export class InputToPhotonProbe {
  readonly #options: Required<Omit<InputToPhotonProbeOptions, 'video' | 'sample' | 'onSample'>> &
    Pick<InputToPhotonProbeOptions, 'video' | 'sample' | 'onSample'>;
  /** Last colour seen and the presentation time of its frame. */
  #last: { rgb: Rgb; at: number } | undefined;
  #pending: { at: number; baseline: Rgb } | undefined;
  #lastInputAt = Number.NEGATIVE_INFINITY;
  #frameCount = 0;
  #handle: number | undefined;
  #video: ProbedVideo | undefined;
  #closed = false;

  constructor(options: InputToPhotonProbeOptions) {
    this.#options = { threshold: 80, timeoutMs: 1_000, activeMs: 2_000, idleEvery: 15, ...options };
  }

  /** Starts watching frames (call once the video plays); safe to call again. */
  start(): void {
    if (this.#closed || this.#handle !== undefined) return;
    const video = this.#options.video();
    if (!video?.requestVideoFrameCallback) return;
    this.#video = video;
    this.#handle = video.requestVideoFrameCallback((_now, metadata) => this.#onFrame(metadata.presentationTime));
  }

  /** A key or button edge left for the agent at `at` (page clock). */
  inputSent(at: number): void {
    this.#lastInputAt = at;
    this.start();
    if (this.#pending && at - this.#pending.at < this.#options.timeoutMs) return; // one measurement at a time
    // Without a colour seen before the input, a change cannot be told from the baseline: skip this one.
    this.#pending = this.#last && this.#last.at <= at ? { at, baseline: this.#last.rgb } : undefined;
  }

  close(): void {
    this.#closed = true;
    if (this.#handle !== undefined) this.#video?.cancelVideoFrameCallback?.(this.#handle);
    this.#handle = undefined;
  }

  #onFrame(presentedAt: number): void {
    this.#handle = undefined;
    if (this.#closed) return;
    this.#frameCount++;
    const active = presentedAt - this.#lastInputAt < this.#options.activeMs || this.#pending !== undefined;
    if (active || this.#frameCount % this.#options.idleEvery === 0) this.#observe(presentedAt);
    this.start();
  }

  #observe(presentedAt: number): void {
    const video = this.#video;
    const rgb = video ? this.#options.sample(video) : undefined;
    const pending = this.#pending;
    if (pending && presentedAt - pending.at > this.#options.timeoutMs) this.#pending = undefined;
    if (!rgb) return;
    if (pending && this.#pending === pending) {
      if (presentedAt < pending.at) pending.baseline = rgb;
      else if (distance(rgb, pending.baseline) > this.#options.threshold) {
        this.#pending = undefined;
        this.#options.onSample(presentedAt - pending.at);
      }
    }
    this.#last = { rgb, at: presentedAt };
  }
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a.r - b.r, a.g - b.g, a.b - b.b);
}

/**
 * Samples the marker with a canvas: the centre half of the square, scaled
 * down to 4×4 pixels. Undefined when the pixels are not one flat colour (no
 * marker there) or the frame cannot be read.
 */
export function canvasMarkerSampler(
  createCanvas: () => HTMLCanvasElement = () => document.createElement('canvas'),
): MarkerSampler {
  let context: CanvasRenderingContext2D | null | undefined;
  return (video) => {
    const element = video as HTMLVideoElement;
    const width = element.videoWidth;
    if (!width) return undefined;
    if (context === undefined) {
      const canvas = createCanvas();
      canvas.width = 4;
      canvas.height = 4;
      context = canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!context) return undefined;
    const scale = width / LATENCY_MARKER.referenceWidth;
    const size = LATENCY_MARKER.size * scale;
    try {
      context.drawImage(
        element,
        LATENCY_MARKER.x + size / 4,
        LATENCY_MARKER.y + size / 4,
        size / 2,
        size / 2,
        0,
        0,
        4,
        4,
      );
      const { data } = context.getImageData(0, 0, 4, 4);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let i = 0; i < data.length; i += 4) {
        r += data[i] as number;
        g += data[i + 1] as number;
        b += data[i + 2] as number;
      }
      const n = data.length / 4;
      const mean = { r: r / n, g: g / n, b: b / n };
      for (let i = 0; i < data.length; i += 4) {
        const pixel = { r: data[i] as number, g: data[i + 1] as number, b: data[i + 2] as number };
        if (distance(pixel, mean) > 40) return undefined; // not a flat marker
      }
      return mean;
    } catch {
      return undefined; // e.g. a frame the browser cannot read back
    }
  };
}
