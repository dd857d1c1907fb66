/** An 8-bit sRGB colour as sampled from a decoded frame. */
export type Rgb = readonly [r: number, g: number, b: number];

/**
 * Strongly distinct saturated colours for the input marker, in the order a
 * renderer cycles through them on each key-down (the same order as the edge
 * agent's scene). Consecutive entries are at least 285 apart in RGB space, far
 * above what H.264 at streaming bitrates does to a flat 64×64 block (a few
 * units), so one threshold separates "changed" from "compression noise"
 * without the probe knowing the palette.
 */
export const MARKER_PALETTE: readonly Rgb[] = [
  [255, 0, 0], // red
  [0, 255, 0], // green
  [0, 0, 255], // blue
  [255, 255, 0], // yellow
  [255, 0, 255], // magenta
  [0, 255, 255], // cyan
  [255, 128, 0], // orange
  [255, 255, 255], // white
];

/**
 * Distance above which two marker samples count as different colours: well
 * clear of codec noise, and low enough that a first, not yet converged frame
 * of a change (a P-frame still short of the new colour) already counts.
 */
export const MARKER_CHANGE_THRESHOLD = 60;

/** Euclidean distance between two colours in RGB space (0 … ~441). */
export function colorDistance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** True when `next` is a different marker colour than `previous`, not just codec noise. */
export function isMarkerChange(previous: Rgb, next: Rgb, threshold = MARKER_CHANGE_THRESHOLD): boolean {
  return colorDistance(previous, next) > threshold;
}

/** Index of the palette entry nearest to `rgb` (for logs and sanity checks). */
export function nearestPaletteIndex(rgb: Rgb, palette: readonly Rgb[] = MARKER_PALETTE): number {
  let best = -1;
  let bestDistance = Number.POSITIVE_INFINITY;
  palette.forEach((entry, index) => {
    const distance = colorDistance(rgb, entry);
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}
