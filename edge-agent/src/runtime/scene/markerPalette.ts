import type { Rgb } from './colour.js';

/**
 * Marker colours, cycled on every press. Saturated and ordered so that
 * consecutive entries (wrapping around) differ strongly in every chroma
 * direction: a detector on the decoded video tells each change apart even
 * after lossy encoding and 4:2:0 subsampling.
 */
export const MARKER_PALETTE: readonly Rgb[] = Object.freeze([
  Object.freeze({ r: 255, g: 0, b: 0 }), // red
  Object.freeze({ r: 0, g: 255, b: 0 }), // green
  Object.freeze({ r: 0, g: 0, b: 255 }), // blue
  Object.freeze({ r: 255, g: 255, b: 0 }), // yellow
  Object.freeze({ r: 255, g: 0, b: 255 }), // magenta
  Object.freeze({ r: 0, g: 255, b: 255 }), // cyan
  Object.freeze({ r: 255, g: 128, b: 0 }), // orange
  Object.freeze({ r: 255, g: 255, b: 255 }), // white
]);

/** Side of the square marker in the top-left corner, in pixels (four 16×16 macroblocks wide). */
export const MARKER_SIZE = 64;
