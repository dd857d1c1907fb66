/** The largest normalised pointer coordinate (protocol: 0..65535 over the frame). */
export const NORMALIZED_MAX = 0xffff;

/**
 * Maps a normalised coordinate (0..65535 over the frame) to a pixel of a
 * `size`-pixel axis: 0 → 0, 65535 → size - 1, rounding to the nearest pixel.
 */
export function toScreenCoordinate(normalized: number, size: number): number {
  const clamped = Math.min(NORMALIZED_MAX, Math.max(0, normalized));
  return Math.round((clamped * (size - 1)) / NORMALIZED_MAX);
}
