import type { FitLayout } from './fitLayout.js';

/** The protocol's normalised coordinate range (0..65535 over the frame). */
const NORMALIZED_MAX = 0xffff;

/** A point on the phone's screen, in pixels of its current video frame. */
export interface DevicePoint {
  x: number;
  y: number;
}

/**
 * Maps a player position (normalised 0..65535 over the session frame) onto
 * the phone: through the letterbox (positions on the bars are no touch:
 * undefined, unless `clampToPicture`, for a finger already down that slides
 * onto a bar) and back through the picture's rotation. The result is a pixel
 * of the phone's current frame, which is what scrcpy expects together with
 * that frame's size.
 */
export function mapTouchToDevice(
  layout: FitLayout,
  normalizedX: number,
  normalizedY: number,
  clampToPicture = false,
): DevicePoint | undefined {
  const { frame, device } = layout;
  // Pixel centres of the frame: 0 → 0, 65535 → width - 1.
  let px = (clamp(normalizedX, 0, NORMALIZED_MAX) * (frame.width - 1)) / NORMALIZED_MAX + 0.5;
  let py = (clamp(normalizedY, 0, NORMALIZED_MAX) * (frame.height - 1)) / NORMALIZED_MAX + 0.5;
  if (clampToPicture) {
    px = clamp(px, layout.x, layout.x + layout.width);
    py = clamp(py, layout.y, layout.y + layout.height);
  }
  if (px < layout.x || py < layout.y || px > layout.x + layout.width || py > layout.y + layout.height) return undefined;
  // Position inside the picture, 0..1.
  const u = (px - layout.x) / layout.width;
  const v = (py - layout.y) / layout.height;
  // Undo the clockwise rotation the picture was drawn with.
  let a: number;
  let b: number;
  switch (layout.rotation) {
    case 0:
      [a, b] = [u, v];
      break;
    case 90:
      [a, b] = [v, 1 - u];
      break;
    case 180:
      [a, b] = [1 - u, 1 - v];
      break;
    case 270:
      [a, b] = [1 - v, u];
      break;
  }
  return {
    x: clamp(Math.floor(a * device.width), 0, device.width - 1),
    y: clamp(Math.floor(b * device.height), 0, device.height - 1),
  };
}

/**
 * Where a phone pixel's centre lands in the session frame, normalised
 * 0..65535: the inverse of mapTouchToDevice (used to test it, and for a
 * cursor overlay).
 */
export function mapDeviceToFrame(layout: FitLayout, point: DevicePoint): { x: number; y: number } {
  const a = (point.x + 0.5) / layout.device.width;
  const b = (point.y + 0.5) / layout.device.height;
  let u: number;
  let v: number;
  switch (layout.rotation) {
    case 0:
      [u, v] = [a, b];
      break;
    case 90:
      [u, v] = [1 - b, a];
      break;
    case 180:
      [u, v] = [1 - a, 1 - b];
      break;
    case 270:
      [u, v] = [b, 1 - a];
      break;
  }
  const px = layout.x + u * layout.width - 0.5;
  const py = layout.y + v * layout.height - 0.5;
  return {
    x: clamp(Math.round((px * NORMALIZED_MAX) / (layout.frame.width - 1)), 0, NORMALIZED_MAX),
    y: clamp(Math.round((py * NORMALIZED_MAX) / (layout.frame.height - 1)), 0, NORMALIZED_MAX),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
