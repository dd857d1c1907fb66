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
 * RGB → limited-range BT.601 Y'CbCr, the matrix the edge agent renders with.
 * The stream carries no colour tags (neither does the agent's), so both legs
 * reach the browser's colour conversion the same way.
 */
export function rgbToYuv601([r, g, b]: Rgb): [y: number, u: number, v: number] {
  const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  return [
    clamp(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    clamp(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255),
    clamp(128 + (112 * r - 93.786 * g - 18.214 * b) / 255),
  ];
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
  const [by, bu, bv] = rgbToYuv601(BACKGROUND);
  const [my, mu, mv] = rgbToYuv601(marker);
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
