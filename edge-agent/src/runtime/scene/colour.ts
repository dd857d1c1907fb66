export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export interface Yuv {
  readonly y: number;
  readonly u: number;
  readonly v: number;
}

/**
 * 8-bit RGB to BT.601 limited-range Y'CbCr: what ffmpeg and browsers assume for
 * an untagged yuv420p stream, so a colour rendered here decodes to itself.
 */
export function rgbToYuv601Limited({ r, g, b }: Rgb): Yuv {
  return {
    y: clamp8(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255),
    u: clamp8(128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255),
    v: clamp8(128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255),
  };
}

function clamp8(value: number): number {
  return Math.max(0, Math.min(255, Math.round(value)));
}
