import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../ffmpeg/resolveFfmpeg.js';
import { fitFilter, fitLayout, type Rotation, type Size } from './fitLayout.js';
import { mapDeviceToFrame, mapTouchToDevice } from './mapTouchToDevice.js';

const evenSize = (min: number, max: number) => fc.integer({ min: min / 2, max: max / 2 }).map((n) => n * 2);
const frame = fc.record({ width: evenSize(320, 3840), height: evenSize(240, 2160) });
// Phone screens and rotated ones: up to ~13:1 at the extremes.
const device = fc.record({ width: fc.integer({ min: 240, max: 3200 }), height: fc.integer({ min: 240, max: 3200 }) });
const rotation = fc.constantFrom<Rotation>(0, 90, 180, 270);
const normalized = fc.integer({ min: 0, max: 0xffff });

describe('fitLayout', () => {
  it('fits the rotated picture inside the frame, centred, aspect kept, with even sizes and offsets', () => {
    fc.assert(
      fc.property(frame, device, rotation, (f, d, r) => {
        const layout = fitLayout(f, d, r);
        const [pw, ph] = r === 90 || r === 270 ? [d.height, d.width] : [d.width, d.height];
        expect(layout.x + layout.width).toBeLessThanOrEqual(f.width);
        expect(layout.y + layout.height).toBeLessThanOrEqual(f.height);
        for (const value of [layout.x, layout.y, layout.width, layout.height]) expect(value % 2).toBe(0);
        // One side touches the frame (within the rounding to even pixels).
        expect(Math.min(f.width - layout.width, f.height - layout.height)).toBeLessThanOrEqual(2);
        // Centred: the bars differ by at most 2 px.
        expect(Math.abs(f.width - layout.width - 2 * layout.x)).toBeLessThanOrEqual(2);
        expect(Math.abs(f.height - layout.height - 2 * layout.y)).toBeLessThanOrEqual(2);
        // Aspect kept to within rounding each side to whole even pixels (≤ 2 px per side).
        const error = Math.abs(layout.width / layout.height - pw / ph) / (pw / ph);
        expect(error).toBeLessThanOrEqual((2 / layout.width + 2 / layout.height) * 1.01 + 1e-9);
      }),
    );
  });

  // H.264 4:2:0 frames have even sizes, so the phones here do too.
  it('is the rectangle ffmpeg draws with fitFilter, for phones of any size and rotation', () => {
    const cases: [Size, Size, Rotation][] = [
      [{ width: 1280, height: 720 }, { width: 1080, height: 2400 }, 0],
      [{ width: 1280, height: 720 }, { width: 1080, height: 2400 }, 90],
      [{ width: 1280, height: 720 }, { width: 2400, height: 1080 }, 0],
      [{ width: 720, height: 1280 }, { width: 1080, height: 1916 }, 270],
      [{ width: 1920, height: 1080 }, { width: 720, height: 1280 }, 180],
      [{ width: 640, height: 480 }, { width: 334, height: 778 }, 0],
    ];
    for (const [f, d, r] of cases) {
      const layout = fitLayout(f, d, r);
      const rgb = spawnSync(
        resolveFfmpeg().path,
        [
          '-loglevel',
          'error',
          '-f',
          'lavfi',
          '-i',
          `color=white:s=${d.width}x${d.height}`,
          '-frames:v',
          '1',
          '-vf',
          fitFilter(f, r),
          '-f',
          'rawvideo',
          '-pix_fmt',
          'gray',
          '-',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      ).stdout;
      expect(rgb.length).toBe(f.width * f.height);
      let [minX, minY, maxX, maxY] = [f.width, f.height, -1, -1];
      for (let y = 0; y < f.height; y++) {
        for (let x = 0; x < f.width; x++) {
          if ((rgb[y * f.width + x] as number) < 128) continue;
          [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
        }
      }
      expect({ x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 }).toEqual({
        x: layout.x,
        y: layout.y,
        width: layout.width,
        height: layout.height,
      });
    }
  });
});

describe('mapTouchToDevice', () => {
  it('always lands on a pixel of the phone, or on nothing for a letterbox bar', () => {
    fc.assert(
      fc.property(frame, device, rotation, normalized, normalized, (f, d, r, x, y) => {
        const point = mapTouchToDevice(fitLayout(f, d, r), x, y);
        if (point === undefined) return;
        expect(Number.isInteger(point.x) && Number.isInteger(point.y)).toBe(true);
        expect(point.x).toBeGreaterThanOrEqual(0);
        expect(point.y).toBeGreaterThanOrEqual(0);
        expect(point.x).toBeLessThan(d.width);
        expect(point.y).toBeLessThan(d.height);
      }),
    );
  });

  it('returns the phone pixel a frame position shows (inverse of drawing), within one frame pixel', () => {
    fc.assert(
      fc.property(
        frame,
        device,
        rotation,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (f, d, r, a, b) => {
          const layout = fitLayout(f, d, r);
          const pixel = {
            x: Math.min(d.width - 1, Math.floor(a * d.width)),
            y: Math.min(d.height - 1, Math.floor(b * d.height)),
          };
          const shown = mapDeviceToFrame(layout, pixel);
          const back = mapTouchToDevice(layout, shown.x, shown.y, true) as { x: number; y: number };
          // A frame pixel covers this many phone pixels along each phone axis.
          const turned = r === 90 || r === 270;
          const perFrameX = d.width / (turned ? layout.height : layout.width);
          const perFrameY = d.height / (turned ? layout.width : layout.height);
          expect(Math.abs(back.x - pixel.x)).toBeLessThanOrEqual(Math.ceil(perFrameX) + 1);
          expect(Math.abs(back.y - pixel.y)).toBeLessThanOrEqual(Math.ceil(perFrameY) + 1);
        },
      ),
    );
  });

  it('puts the picture corners on the phone corners the rotation says', () => {
    const f = { width: 1920, height: 1080 };
    const d = { width: 1080, height: 2400 }; // portrait phone
    const corner = (r: Rotation, fx: number, fy: number) => {
      const layout = fitLayout(f, d, r);
      // Normalised position of the picture's corner pixel centre.
      const px = fx === 0 ? layout.x : layout.x + layout.width - 1;
      const py = fy === 0 ? layout.y : layout.y + layout.height - 1;
      return mapTouchToDevice(layout, Math.round((px * 0xffff) / 1919), Math.round((py * 0xffff) / 1079));
    };
    const max = { x: d.width - 1, y: d.height - 1 };
    /** Within the ~2.2 phone pixels one frame pixel covers here. */
    const near = (p: { x: number; y: number } | undefined, x: number, y: number) =>
      p !== undefined && Math.abs(p.x - x) <= 3 && Math.abs(p.y - y) <= 3;
    // Unrotated: top-left is top-left.
    expect(near(corner(0, 0, 0), 0, 0)).toBe(true);
    expect(near(corner(0, 1, 1), max.x, max.y)).toBe(true);
    // Rotated clockwise: the picture's top-left shows the phone's bottom-left, its top-right the top-left.
    expect(near(corner(90, 0, 0), 0, max.y)).toBe(true);
    expect(near(corner(90, 1, 0), 0, 0)).toBe(true);
    expect(near(corner(180, 0, 0), max.x, max.y)).toBe(true);
    // Counter-clockwise: the picture's top-left shows the phone's top-right.
    expect(near(corner(270, 0, 0), max.x, 0)).toBe(true);
  });

  it('treats the bars as no touch, but keeps a held finger on the picture edge', () => {
    const layout = fitLayout({ width: 1920, height: 1080 }, { width: 1080, height: 1920 });
    expect(layout.x).toBeGreaterThan(0);
    expect(mapTouchToDevice(layout, 0, 0x8000)).toBeUndefined();
    expect(mapTouchToDevice(layout, 0xffff, 0x8000)).toBeUndefined();
    expect(mapTouchToDevice(layout, 0, 0x8000, true)).toMatchObject({ x: 0 });
    expect(mapTouchToDevice(layout, 0xffff, 0x8000, true)).toMatchObject({ x: 1079 });
  });

  it('moves monotonically: further right in the frame is never further left on an unrotated phone', () => {
    fc.assert(
      fc.property(frame, device, normalized, normalized, normalized, (f, d, x1, x2, y) => {
        const layout = fitLayout(f, d, 0);
        const a = mapTouchToDevice(layout, Math.min(x1, x2), y, true)!;
        const b = mapTouchToDevice(layout, Math.max(x1, x2), y, true)!;
        expect(b.x).toBeGreaterThanOrEqual(a.x);
      }),
    );
  });
});
