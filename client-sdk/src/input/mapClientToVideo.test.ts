import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mapClientToVideo,
  type ObjectFit,
  parseObjectFit,
  parseObjectPosition,
  type Rect,
  videoContentRect,
} from './mapClientToVideo.js';

const MAX = 0xffff;
const element = (left: number, top: number, width: number, height: number): Rect => ({ left, top, width, height });

// Sizes in whole and fractional CSS pixels, as layout produces them.
const dimension = fc.double({ min: 1, max: 8000, noNaN: true });
const offset = fc.double({ min: -5000, max: 5000, noNaN: true });
const rect = fc.record({ left: offset, top: offset, width: dimension, height: dimension });
const videoSize = fc.record({ width: fc.integer({ min: 16, max: 7680 }), height: fc.integer({ min: 16, max: 4320 }) });
const fit = fc.constantFrom<ObjectFit>('contain', 'cover', 'fill', 'none', 'scale-down');
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const position = fc.record({ x: fraction, y: fraction });

describe('mapClientToVideo', () => {
  it('maps the centre of a 16:9 video in a 16:9 element to the centre', () => {
    const point = mapClientToVideo(640, 360, {
      element: element(0, 0, 1280, 720),
      video: { width: 1280, height: 720 },
    });
    expect(point).toEqual({ x: 32768, y: 32768, inside: true });
  });

  it('accounts for pillarbox bars when a 16:9 video sits in a 4:3 element', () => {
    // 1200x900 element, video scaled to 1200x675 and centred: bars of 112.5 px above and below.
    const geometry = { element: element(0, 0, 1200, 900), video: { width: 1920, height: 1080 } };
    expect(mapClientToVideo(0, 112.5, geometry)).toEqual({ x: 0, y: 0, inside: true });
    expect(mapClientToVideo(1200, 787.5, geometry)).toEqual({ x: MAX, y: MAX, inside: true });
    expect(mapClientToVideo(600, 50, geometry)).toEqual({ x: 32768, y: 0, inside: false });
    expect(mapClientToVideo(600, 850, geometry)).toEqual({ x: 32768, y: MAX, inside: false });
  });

  it('accounts for side bars when a 4:3 video sits in a wide element', () => {
    // 1600x600 element, 800x600 video: 400 px bars left and right, element offset by (10, 20).
    const geometry = { element: element(10, 20, 1600, 600), video: { width: 800, height: 600 } };
    expect(mapClientToVideo(410, 20, geometry)).toEqual({ x: 0, y: 0, inside: true });
    expect(mapClientToVideo(810, 320, geometry)).toEqual({ x: 32768, y: 32768, inside: true });
    expect(mapClientToVideo(200, 320, geometry)).toEqual({ x: 0, y: 32768, inside: false });
    expect(mapClientToVideo(1500, 320, geometry)?.inside).toBe(false);
  });

  it('honours object-position when the video is letterboxed to one side', () => {
    const geometry = {
      element: element(0, 0, 1600, 600),
      video: { width: 800, height: 600 },
      position: { x: 0, y: 0.5 },
    };
    expect(mapClientToVideo(0, 0, geometry)).toEqual({ x: 0, y: 0, inside: true });
    expect(mapClientToVideo(800, 600, geometry)).toEqual({ x: MAX, y: MAX, inside: true });
    expect(mapClientToVideo(900, 300, geometry)?.inside).toBe(false);
  });

  it('stretches with object-fit fill and crops with object-fit cover', () => {
    const fill = { element: element(0, 0, 1000, 1000), video: { width: 1920, height: 1080 }, fit: 'fill' as const };
    expect(mapClientToVideo(500, 250, fill)).toEqual({ x: 32768, y: 16384, inside: true });
    // Cover: 1000x1000 element, 16:9 video scaled to 1777.8x1000, 388.9 px cropped each side.
    const cover = { element: element(0, 0, 1000, 1000), video: { width: 1920, height: 1080 }, fit: 'cover' as const };
    const left = mapClientToVideo(0, 500, cover);
    expect(left?.inside).toBe(true);
    expect(left?.x).toBe(Math.round((388.888_888_9 / 1777.777_777_8) * MAX));
  });

  it('uses the whole element before the first frame tells the video size', () => {
    expect(mapClientToVideo(50, 25, { element: element(0, 0, 100, 100), video: { width: 0, height: 0 } })).toEqual({
      x: 32768,
      y: 16384,
      inside: true,
    });
  });

  it('returns undefined for an element without area or a non-finite position', () => {
    const video = { width: 1280, height: 720 };
    expect(mapClientToVideo(0, 0, { element: element(0, 0, 0, 100), video })).toBeUndefined();
    expect(mapClientToVideo(Number.NaN, 0, { element: element(0, 0, 100, 100), video })).toBeUndefined();
    expect(mapClientToVideo(0, Number.POSITIVE_INFINITY, { element: element(0, 0, 100, 100), video })).toBeUndefined();
  });

  it('always yields integer coordinates in 0..65535, for any point, layout and fit', () => {
    fc.assert(
      fc.property(offset, offset, rect, videoSize, fit, position, (cx, cy, el, video, f, pos) => {
        const point = mapClientToVideo(cx, cy, { element: el, video, fit: f, position: pos });
        expect(point).toEqual({ x: expect.any(Number), y: expect.any(Number), inside: expect.any(Boolean) });
        for (const value of [point!.x, point!.y]) {
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(MAX);
        }
      }),
    );
  });

  it('keeps the aspect ratio of the video for contain, cover, none and scale-down', () => {
    fc.assert(
      fc.property(
        rect,
        videoSize,
        fc.constantFrom<ObjectFit>('contain', 'cover', 'none', 'scale-down'),
        (el, video, f) => {
          const content = videoContentRect(el, video, f);
          expect(content.width / content.height).toBeCloseTo(video.width / video.height, 6);
        },
      ),
    );
  });

  it('fits the content inside the element for contain and scale-down, and covers it for cover', () => {
    fc.assert(
      fc.property(rect, videoSize, position, (el, video, pos) => {
        const eps = 1e-6 * Math.max(el.width, el.height);
        for (const f of ['contain', 'scale-down'] as const) {
          const c = videoContentRect(el, video, f, pos);
          expect(c.left).toBeGreaterThanOrEqual(el.left - eps);
          expect(c.top).toBeGreaterThanOrEqual(el.top - eps);
          expect(c.left + c.width).toBeLessThanOrEqual(el.left + el.width + eps);
          expect(c.top + c.height).toBeLessThanOrEqual(el.top + el.height + eps);
        }
        const contain = videoContentRect(el, video, 'contain', pos);
        // Contain touches the element on at least one axis.
        expect(Math.min(Math.abs(contain.width - el.width), Math.abs(contain.height - el.height))).toBeLessThanOrEqual(
          eps,
        );
        const cover = videoContentRect(el, video, 'cover', pos);
        expect(cover.width).toBeGreaterThanOrEqual(el.width - eps);
        expect(cover.height).toBeGreaterThanOrEqual(el.height - eps);
      }),
    );
  });

  it('round-trips a video pixel through client coordinates to within one unit', () => {
    fc.assert(
      fc.property(rect, videoSize, fit, position, fraction, fraction, (el, video, f, pos, fx, fy) => {
        const content = videoContentRect(el, video, f, pos);
        const clientX = content.left + fx * content.width;
        const clientY = content.top + fy * content.height;
        const point = mapClientToVideo(clientX, clientY, { element: el, video, fit: f, position: pos })!;
        expect(Math.abs(point.x - fx * MAX)).toBeLessThanOrEqual(1);
        expect(Math.abs(point.y - fy * MAX)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('reports inside exactly for points on the visible video, clamping the rest to its edges', () => {
    fc.assert(
      fc.property(offset, offset, rect, videoSize, fit, position, (cx, cy, el, video, f, pos) => {
        const content = videoContentRect(el, video, f, pos);
        const onVideo =
          cx >= content.left &&
          cx <= content.left + content.width &&
          cy >= content.top &&
          cy <= content.top + content.height;
        const onElement = cx >= el.left && cx <= el.left + el.width && cy >= el.top && cy <= el.top + el.height;
        const point = mapClientToVideo(cx, cy, { element: el, video, fit: f, position: pos })!;
        expect(point.inside).toBe(onVideo && onElement);
        if (cx < content.left) expect(point.x).toBe(0);
        if (cx > content.left + content.width) expect(point.x).toBe(MAX);
        if (cy < content.top) expect(point.y).toBe(0);
        if (cy > content.top + content.height) expect(point.y).toBe(MAX);
      }),
    );
  });

  it('is monotonic: a pointer further right or down never maps further left or up', () => {
    fc.assert(
      fc.property(
        offset,
        offset,
        fc.double({ min: 0, max: 500, noNaN: true }),
        rect,
        videoSize,
        fit,
        (cx, cy, d, el, video, f) => {
          const geometry = { element: el, video, fit: f };
          const a = mapClientToVideo(cx, cy, geometry)!;
          const b = mapClientToVideo(cx + d, cy + d, geometry)!;
          expect(b.x).toBeGreaterThanOrEqual(a.x);
          expect(b.y).toBeGreaterThanOrEqual(a.y);
        },
      ),
    );
  });
});

describe('computed style parsing', () => {
  it('reads object-fit values and falls back to the video default, contain', () => {
    expect(parseObjectFit('cover')).toBe('cover');
    expect(parseObjectFit('scale-down')).toBe('scale-down');
    expect(parseObjectFit('')).toBe('contain');
    expect(parseObjectFit(undefined)).toBe('contain');
  });

  it('reads object-position percentages and keywords, centring what it cannot resolve', () => {
    expect(parseObjectPosition('50% 50%')).toEqual({ x: 0.5, y: 0.5 });
    expect(parseObjectPosition('0% 100%')).toEqual({ x: 0, y: 1 });
    expect(parseObjectPosition('left bottom')).toEqual({ x: 0, y: 1 });
    expect(parseObjectPosition('0px 0px')).toEqual({ x: 0, y: 0 });
    expect(parseObjectPosition('12px 3em')).toEqual({ x: 0.5, y: 0.5 });
    expect(parseObjectPosition(undefined)).toEqual({ x: 0.5, y: 0.5 });
  });
});
