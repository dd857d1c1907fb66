import { yuv420pFrameBytes } from '../../encoder/buildEncoderArgs.js';
import { type Rgb, rgbToYuv601Limited, type Yuv } from './colour.js';
import { DetailLayer } from './DetailLayer.js';
import { MARKER_SIZE } from './markerPalette.js';
import type { SceneState } from './SceneState.js';

/** How much picture the scene draws: 'low' flat graphics, 'high' a moving texture that needs a game's bitrate. */
export const SCENE_DETAILS = ['low', 'high'] as const;
export type SceneDetail = (typeof SCENE_DETAILS)[number];

export interface SceneRendererOptions {
  width: number;
  height: number;
  /** Defaults to 'low'. */
  detail?: SceneDetail | undefined;
}

const BACKGROUND_TOP = rgbToYuv601Limited({ r: 24, g: 28, b: 48 });
const BACKGROUND_BOTTOM = rgbToYuv601Limited({ r: 8, g: 10, b: 18 });
const GRID = rgbToYuv601Limited({ r: 48, g: 54, b: 80 });
const SWEEP = rgbToYuv601Limited({ r: 90, g: 100, b: 140 });
const SPINNER = rgbToYuv601Limited({ r: 230, g: 200, b: 60 });
const PLAYER = rgbToYuv601Limited({ r: 235, g: 235, b: 235 });
const PLAYER_CORE = rgbToYuv601Limited({ r: 20, g: 20, b: 20 });
const TARGET = rgbToYuv601Limited({ r: 200, g: 80, b: 200 });
/** Colour of the dot under each finger (test-visible touch feedback). */
export const TOUCH_RGB = Object.freeze({ r: 0, g: 200, b: 255 });
const TOUCH = rgbToYuv601Limited(TOUCH_RGB);
/** Side of a touch dot in pixels: big enough to survive encoding at any bitrate. */
export const TOUCH_DOT_SIZE = 24;
const GRID_STEP = 80;
const SPINNER_DOTS = 8;
// The sweep crosses the frame in 2 s: constant motion makes dropped frames visible.
const SWEEP_SECONDS = 2;
// 'high' detail leaves the marker and this much around it flat: a detector
// reads the marker's colour from the decoded video, and noise beside it would
// bleed into its edge blocks at low bitrates. Whole 16×16 macroblocks.
const MARKER_QUIET_MARGIN = 64;

/**
 * Draws a SceneState straight into a yuv420p frame (BT.601 limited range), so
 * nothing is converted on the way to the encoder. The static background is
 * drawn once; each frame is one copy plus a few flat rectangles, every one
 * aligned to even pixels so luma and chroma cover the same area. With
 * `detail: 'high'` a DetailLayer covers the background (not the marker)
 * before anything else is drawn.
 */
export class SceneRenderer {
  readonly width: number;
  readonly height: number;
  readonly detail: SceneDetail;
  readonly frameBytes: number;
  readonly #chromaWidth: number;
  readonly #uOffset: number;
  readonly #vOffset: number;
  readonly #background: Buffer;
  readonly #detailLayer: DetailLayer | undefined;

  constructor(options: SceneRendererOptions) {
    const { width, height } = options;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 2 || height < 2 || width % 2 || height % 2) {
      throw new RangeError(`yuv420p needs even positive dimensions, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.frameBytes = yuv420pFrameBytes(width, height);
    this.#chromaWidth = width / 2;
    this.#uOffset = width * height;
    this.#vOffset = this.#uOffset + (width / 2) * (height / 2);
    this.#background = this.#drawBackground();
    this.detail = options.detail ?? 'low';
    this.#detailLayer =
      this.detail === 'high'
        ? new DetailLayer({ width, height, quietSize: MARKER_SIZE + MARKER_QUIET_MARGIN })
        : undefined;
  }

  /** A buffer of the right size for render(). */
  createFrame(): Buffer {
    return Buffer.alloc(this.frameBytes);
  }

  /** Renders the whole frame for `state` into `out`. */
  render(state: SceneState, out: Uint8Array): void {
    if (out.byteLength !== this.frameBytes) {
      throw new RangeError(`frame buffer of ${out.byteLength} bytes, expected ${this.frameBytes}`);
    }
    out.set(this.#background);
    this.#detailLayer?.draw(out, state.timeSec);
    const { width, height } = this;

    const sweepWidth = Math.max(2, Math.round(width / 80));
    const sweepX = Math.floor(((state.timeSec / SWEEP_SECONDS) % 1) * (width + sweepWidth)) - sweepWidth;
    this.fillRect(out, sweepX, 0, sweepWidth, height, SWEEP);

    const radius = Math.min(width, height) / 4;
    const dot = Math.max(2, Math.round(height / 60));
    const angle = state.spinAngle;
    for (let i = 1; i <= SPINNER_DOTS; i++) {
      const r = (radius * i) / SPINNER_DOTS;
      const x = width / 2 + Math.cos(angle) * r - dot / 2;
      const y = height / 2 + Math.sin(angle) * r - dot / 2;
      this.fillRect(out, x, y, dot, dot, SPINNER);
    }

    const target = state.target;
    if (target) this.fillRect(out, target.x - dot / 2, target.y - dot / 2, dot, dot, TARGET);

    const { x, y } = state.player;
    const size = state.playerSize;
    this.fillRect(out, x, y, size, size, PLAYER);
    this.fillRect(out, x + size / 2 - dot / 2, y + size / 2 - dot / 2, dot, dot, PLAYER_CORE);

    // Above the player, so every finger down shows where the scene thinks it is.
    const half = TOUCH_DOT_SIZE / 2;
    for (const touch of state.touches) {
      this.fillRect(out, touch.x - half, touch.y - half, TOUCH_DOT_SIZE, TOUCH_DOT_SIZE, TOUCH);
    }

    // Last, so nothing ever covers the marker.
    this.fillRect(out, 0, 0, MARKER_SIZE, MARKER_SIZE, rgbToYuvCached(state.markerRgb));
  }

  /** Fills a rectangle, snapped outward to even pixels and clipped to the frame. */
  fillRect(out: Uint8Array, x: number, y: number, w: number, h: number, colour: Yuv): void {
    const x0 = Math.max(0, Math.floor(x / 2) * 2);
    const y0 = Math.max(0, Math.floor(y / 2) * 2);
    const x1 = Math.min(this.width, Math.ceil((x + w) / 2) * 2);
    const y1 = Math.min(this.height, Math.ceil((y + h) / 2) * 2);
    if (x1 <= x0 || y1 <= y0) return;
    for (let row = y0; row < y1; row++) {
      const start = row * this.width;
      out.fill(colour.y, start + x0, start + x1);
    }
    const cx0 = x0 / 2;
    const cx1 = x1 / 2;
    for (let row = y0 / 2; row < y1 / 2; row++) {
      const start = row * this.#chromaWidth;
      out.fill(colour.u, this.#uOffset + start + cx0, this.#uOffset + start + cx1);
      out.fill(colour.v, this.#vOffset + start + cx0, this.#vOffset + start + cx1);
    }
  }

  #drawBackground(): Buffer {
    const frame = Buffer.alloc(this.frameBytes);
    // Vertical gradient, two rows at a time so chroma rows match their luma rows.
    for (let row = 0; row < this.height; row += 2) {
      const t = row / (this.height - 1);
      this.fillRect(frame, 0, row, this.width, 2, mixYuv(BACKGROUND_TOP, BACKGROUND_BOTTOM, t));
    }
    for (let x = GRID_STEP; x < this.width; x += GRID_STEP) this.fillRect(frame, x, 0, 2, this.height, GRID);
    for (let y = GRID_STEP; y < this.height; y += GRID_STEP) this.fillRect(frame, 0, y, this.width, 2, GRID);
    return frame;
  }
}

const yuvCache = new WeakMap<Rgb, Yuv>();

function rgbToYuvCached(rgb: Rgb): Yuv {
  let yuv = yuvCache.get(rgb);
  if (!yuv) {
    yuv = rgbToYuv601Limited(rgb);
    yuvCache.set(rgb, yuv);
  }
  return yuv;
}

function mixYuv(a: Yuv, b: Yuv, t: number): Yuv {
  return {
    y: Math.round(a.y + (b.y - a.y) * t),
    u: Math.round(a.u + (b.u - a.u) * t),
    v: Math.round(a.v + (b.v - a.v) * t),
  };
}
