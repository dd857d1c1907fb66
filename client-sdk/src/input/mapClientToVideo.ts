import { toNormalizedCoordinate } from '@frameway/protocol';

/** A rectangle in CSS pixels, as `getBoundingClientRect()` returns it. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The intrinsic size of the video frames (`videoWidth` x `videoHeight`). */
export interface Size {
  width: number;
  height: number;
}

/** The CSS `object-fit` values of a replaced element. */
export type ObjectFit = 'contain' | 'cover' | 'fill' | 'none' | 'scale-down';

/** CSS `object-position` as fractions: 0 = left/top, 0.5 = centre, 1 = right/bottom. */
export interface ObjectPosition {
  x: number;
  y: number;
}

/** A pointer position on the video frame, normalised to 0..65535 on both axes. */
export interface VideoPoint {
  x: number;
  y: number;
  /** False when the pointer is over letterbox bars or outside the element; x/y are then clamped. */
  inside: boolean;
}

export interface VideoGeometry {
  element: Rect;
  video: Size;
  fit?: ObjectFit;
  position?: ObjectPosition;
}

const CENTRE: ObjectPosition = { x: 0.5, y: 0.5 };

/**
 * The rectangle the video frames occupy inside the element, letterboxing and
 * cropping included. Before the first frame (unknown video size) the whole element.
 */
export function videoContentRect(
  element: Rect,
  video: Size,
  fit: ObjectFit = 'contain',
  position: ObjectPosition = CENTRE,
): Rect {
  if (!(video.width > 0 && video.height > 0) || fit === 'fill') return { ...element };
  const contain = Math.min(element.width / video.width, element.height / video.height);
  const scale =
    fit === 'contain'
      ? contain
      : fit === 'cover'
        ? Math.max(element.width / video.width, element.height / video.height)
        : fit === 'none'
          ? 1
          : Math.min(1, contain);
  const width = video.width * scale;
  const height = video.height * scale;
  return {
    left: element.left + (element.width - width) * position.x,
    top: element.top + (element.height - height) * position.y,
    width,
    height,
  };
}

/**
 * Maps a pointer's client coordinates onto the video frame shown by an element,
 * accounting for `object-fit` letterboxing. Undefined when the element has no area.
 *
 * @example mapClientToVideo(640, 360, { element: video.getBoundingClientRect(), video: { width: 1280, height: 720 } })
 */
export function mapClientToVideo(clientX: number, clientY: number, geometry: VideoGeometry): VideoPoint | undefined {
  const { element } = geometry;
  if (!(element.width > 0 && element.height > 0) || !Number.isFinite(clientX) || !Number.isFinite(clientY)) {
    return undefined;
  }
  const content = videoContentRect(element, geometry.video, geometry.fit, geometry.position);
  if (!(content.width > 0 && content.height > 0)) return undefined;
  const fx = (clientX - content.left) / content.width;
  const fy = (clientY - content.top) / content.height;
  const inside =
    fx >= 0 &&
    fx <= 1 &&
    fy >= 0 &&
    fy <= 1 &&
    clientX >= element.left &&
    clientX <= element.left + element.width &&
    clientY >= element.top &&
    clientY <= element.top + element.height;
  return { x: toNormalizedCoordinate(fx), y: toNormalizedCoordinate(fy), inside };
}

/** Parses a computed `object-position` ("50% 50%", "left top", "0px 0px") into fractions; unknown parts centre. */
export function parseObjectPosition(value: string | undefined): ObjectPosition {
  const parts = (value ?? '').trim().split(/\s+/);
  return { x: positionFraction(parts[0], 'left', 'right'), y: positionFraction(parts[1], 'top', 'bottom') };
}

/** Reads a computed `object-fit`, defaulting to the `<video>` default, `contain`. */
export function parseObjectFit(value: string | undefined): ObjectFit {
  switch (value) {
    case 'cover':
    case 'fill':
    case 'none':
    case 'scale-down':
      return value;
    default:
      return 'contain';
  }
}

function positionFraction(part: string | undefined, start: string, end: string): number {
  if (part === start || part === '0px' || part === '0') return 0;
  if (part === end) return 1;
  if (part?.endsWith('%')) {
    const percent = Number.parseFloat(part);
    if (Number.isFinite(percent)) return percent / 100;
  }
  // Other length offsets would need the free space per axis; the centre is the common case.
  return 0.5;
}
