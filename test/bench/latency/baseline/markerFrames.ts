import type { Rgb } from '../../../support/markerColor.js';

export interface FrameGeometry {
  width: number;
  height: number;
  /** Edge of the marker square at the top-left corner. */
  markerSize: number;
}

/** Dark grey, far from every marker colour. */
export const BACKGROUND: Rgb = [40, 40, 48];

/**
 * RGB → limited-range BT.709 Y'CbCr. The encoder tags the stream as BT.709 so
 * the browser converts back with the same matrix and the sampled marker comes
 * out close to the palette colour.
 */
export function rgbToYuv709([r, g, b]: Rgb): [y: number, u: number, v: number] {
  const kr = 0.2126;
  const kb = 0.0722;
  const [rn, gn, bn] = [r / 255, g / 255, b / 255];
  const y = kr * rn + (1 - kr - kb) * gn + kb * bn;
  const cb = (bn - y) / (2 * (1 - kb));
  const cr = (rn - y) / (2 * (1 - kr));
  const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  return [clamp(16 + 219 * y), clamp(128 + 224 * cb), clamp(128 + 224 * cr)];
}

/**
 * One raw yuv420p frame: flat background with the marker square in `marker`.
 * A multiple of 16 for the marker keeps it on macroblock boundaries, so a
 * change touches whole blocks and no chroma bleeds across its edge.
 */
export function renderMarkerFrame({ width, height, markerSize }: FrameGeometry, marker: Rgb): Buffer {
  const lumaSize = width * height;
  const chromaWidth = width / 2;
  const chromaSize = chromaWidth * (height / 2);
  const frame = Buffer.alloc(lumaSize + 2 * chromaSize);
  const [by, bu, bv] = rgbToYuv709(BACKGROUND);
  const [my, mu, mv] = rgbToYuv709(marker);
  frame.fill(by, 0, lumaSize);
  frame.fill(bu, lumaSize, lumaSize + chromaSize);
  frame.fill(bv, lumaSize + chromaSize);
  for (let row = 0; row < markerSize; row++) {
    frame.fill(my, row * width, row * width + markerSize);
  }
  const chromaMarker = markerSize / 2;
  for (let row = 0; row < chromaMarker; row++) {
    const start = row * chromaWidth;
    frame.fill(mu, lumaSize + start, lumaSize + start + chromaMarker);
    frame.fill(mv, lumaSize + chromaSize + start, lumaSize + chromaSize + start + chromaMarker);
  }
  return frame;
}
