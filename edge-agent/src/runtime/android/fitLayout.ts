/** Clockwise rotation of the phone's picture inside the session frame. */
export type Rotation = 0 | 90 | 180 | 270;

export interface Size {
  width: number;
  height: number;
}

/** Where the (rotated) phone picture sits in the session frame: an integer rectangle. */
export interface FitLayout {
  frame: Size;
  device: Size;
  rotation: Rotation;
  /** The picture's rectangle in frame pixels; the rest is letterbox bars. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Fits the phone picture (its current size, after `rotation`) into the
 * session frame, aspect preserved, centred, with even sizes and offsets for
 * 4:2:0 video. The arithmetic is ffmpeg's own (scale's
 * force_original_aspect_ratio=decrease with force_divisible_by=2: nearest
 * integer rescale, then down to even; pad's centring rounded down to the
 * chroma grid), so the rectangle the encoder draws (see fitFilter) and the
 * one touches are mapped through are the same, whatever size the phone
 * switches to when it rotates.
 */
export function fitLayout(frame: Size, device: Size, rotation: Rotation = 0): FitLayout {
  const turned = rotation === 90 || rotation === 270;
  const pictureWidth = turned ? device.height : device.width;
  const pictureHeight = turned ? device.width : device.height;
  // av_rescale rounds half away from zero: Math.round on these positive exact quotients.
  const widthAtFullHeight = Math.round((frame.height * pictureWidth) / pictureHeight);
  const heightAtFullWidth = Math.round((frame.width * pictureHeight) / pictureWidth);
  const toEven = (n: number) => Math.max(2, n - (n % 2));
  const width = toEven(Math.min(widthAtFullHeight, frame.width));
  const height = toEven(Math.min(heightAtFullWidth, frame.height));
  return {
    frame,
    device,
    rotation,
    width,
    height,
    x: 2 * Math.floor((frame.width - width) / 4),
    y: 2 * Math.floor((frame.height - height) / 4),
  };
}

/**
 * The ffmpeg filter that draws fitLayout: rotate the phone picture, scale it
 * into the frame keeping its aspect, pad with black bars. Expressions, not
 * numbers: when the phone rotates its stream changes size, ffmpeg rebuilds
 * the filter for the new input, and fitLayout with the new size says where
 * the picture now is.
 */
export function fitFilter(frame: Size, rotation: Rotation = 0): string {
  const transpose = { 0: [], 90: ['transpose=clock'], 180: ['hflip', 'vflip'], 270: ['transpose=cclock'] }[rotation];
  return [
    ...transpose,
    `scale=w=${frame.width}:h=${frame.height}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=fast_bilinear`,
    `pad=${frame.width}:${frame.height}:(ow-iw)/2:(oh-ih)/2:black`,
    'format=yuv420p',
  ].join(',');
}
