import { type NoiseOctave, valueNoisePlane } from './valueNoisePlane.js';

export interface DetailLayerOptions {
  /** Frame size in pixels (even). */
  width: number;
  height: number;
  /** Side of the top-left square the layer never draws on, in pixels (even). */
  quietSize: number;
  /** Texture seed; the default gives every session the same picture. */
  seed?: number;
}

// The texture is this much larger than the frame in each direction: the room
// the per-frame offset moves in. Even, so chroma offsets stay whole.
const MARGIN = 256;
// Rows are shifted by up to twice this (a ripple), so no block of a frame is a
// plain translation of the previous one that motion search could find.
const RIPPLE_PX = 6;
const RIPPLE_RADIANS_PER_ROW = 0.05;
const RIPPLE_RADIANS_PER_SECOND = 22;
// Luma stays clear of the player's white and the dots' colours, so they stand out after encoding.
const LUMA_OCTAVES: readonly NoiseOctave[] = [
  { spacing: 256, amplitude: 36 },
  { spacing: 64, amplitude: 34 },
  { spacing: 16, amplitude: 26 },
  { spacing: 4, amplitude: 18 },
];
const CHROMA_OCTAVES: readonly NoiseOctave[] = [
  { spacing: 128, amplitude: 30 },
  { spacing: 32, amplitude: 20 },
  { spacing: 8, amplitude: 14 },
  { spacing: 2, amplitude: 8 },
];

interface Texture {
  readonly width: number;
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
}

// Textures are immutable and the same for every session of a size: built once
// per process (tens of ms of CPU at 720p), not once per session. A few sizes at most.
const textures = new Map<string, Texture>();
const MAX_CACHED_TEXTURES = 4;

/**
 * The 'high' detail background: a seeded value-noise texture, generated once,
 * shown at a different offset every frame with a moving ripple, over all of
 * the frame but its quiet corner. Nothing predicts the next frame from this
 * one, so an encoder needs a game's bitrate for it, while a frame costs only
 * one row copy per row and plane.
 */
export class DetailLayer {
  readonly #width: number;
  readonly #height: number;
  readonly #quietSize: number;
  readonly #texture: Texture;

  constructor(options: DetailLayerOptions) {
    const { width, height, quietSize } = options;
    const seed = options.seed ?? 0x5ce9e;
    this.#width = width;
    this.#height = height;
    this.#quietSize = Math.ceil(quietSize / 2) * 2;
    const key = `${width}x${height}/${seed}`;
    let texture = textures.get(key);
    if (!texture) {
      texture = buildTexture(width + MARGIN, height + MARGIN, seed);
      if (textures.size >= MAX_CACHED_TEXTURES) textures.delete(textures.keys().next().value as string);
      textures.set(key, texture);
    }
    this.#texture = texture;
  }

  /** Copies the texture into the yuv420p `frame` at the offsets of `timeSec`, leaving the quiet corner as it was. */
  draw(frame: Uint8Array, timeSec: number): void {
    const width = this.#width;
    const height = this.#height;
    // Milliseconds: distinct for consecutive frames at any rate up to 1 kHz, and the same state gives the same frame.
    const jump = hash32(Math.round(timeSec * 1000));
    const x0 = (jump % (MARGIN - 4 * RIPPLE_PX)) & ~1;
    const y0 = ((jump >>> 12) % MARGIN) & ~1;
    const phase = (timeSec * RIPPLE_RADIANS_PER_SECOND) % (2 * Math.PI);
    const { width: textureWidth, y: textureY, u: textureU, v: textureV } = this.#texture;
    const quiet = this.#quietSize;
    const quietWidth = Math.min(quiet, width);
    for (let row = 0; row < height; row++) {
      const skip = row < quiet ? quietWidth : 0;
      const x = x0 + ripple(row, phase) + skip;
      const from = (row + y0) * textureWidth + x;
      frame.set(textureY.subarray(from, from + width - skip), row * width + skip);
    }
    const chromaWidth = width / 2;
    const chromaTextureWidth = textureWidth / 2;
    const uOffset = width * height;
    const vOffset = uOffset + chromaWidth * (height / 2);
    for (let row = 0; row < height / 2; row++) {
      const skip = row < quiet / 2 ? quietWidth / 2 : 0;
      // The luma row's shift, halved: colour stays on its detail.
      const x = (x0 + ripple(row * 2, phase)) / 2 + skip;
      const from = (row + y0 / 2) * chromaTextureWidth + x;
      const to = row * chromaWidth + skip;
      const length = chromaWidth - skip;
      frame.set(textureU.subarray(from, from + length), uOffset + to);
      frame.set(textureV.subarray(from, from + length), vOffset + to);
    }
  }
}

function buildTexture(width: number, height: number, seed: number): Texture {
  const luma = { centre: 104, octaves: LUMA_OCTAVES, grain: 8, min: 24, max: 200 };
  const chroma = { centre: 128, octaves: CHROMA_OCTAVES, grain: 4, min: 80, max: 176 };
  const half = { width: width / 2, height: height / 2 };
  return {
    width,
    y: valueNoisePlane({ width, height, seed, ...luma }),
    u: valueNoisePlane({ ...half, seed: seed + 1, ...chroma }),
    v: valueNoisePlane({ ...half, seed: seed + 2, ...chroma }),
  };
}

/** Even horizontal shift of a luma row, 0..4·RIPPLE_PX. */
function ripple(row: number, phase: number): number {
  return 2 * Math.round(RIPPLE_PX * (1 + Math.sin(row * RIPPLE_RADIANS_PER_ROW + phase)));
}

/** Integer hash (lowbias32): neighbouring inputs give unrelated outputs. */
function hash32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
