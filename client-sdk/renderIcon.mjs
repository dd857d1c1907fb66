// Renders the app icon (the same drawing as web/icon.svg) as PNG, so the
// installable phone app has raster icons without binary files in the repo.
import { deflateSync } from 'node:zlib';

const BG_TOP = [0x1a, 0x24, 0x40];
const BG_BOTTOM = [0x0b, 0x0d, 0x12];
const FRAME = [0xe7, 0xea, 0xf0];
const ACCENT = [0x4f, 0x8c, 0xff];
const SAMPLES = 4; // per axis: 16 samples a pixel

/**
 * The icon as a PNG file.
 * @param {number} size edge in pixels
 * @param {{ maskable?: boolean }} [options] maskable: full-bleed background, drawing inside the 80 % safe zone
 * @returns {Buffer}
 */
export function renderIconPng(size, { maskable = false } = {}) {
  const rgba = new Uint8Array(size * size * 4);
  const unit = size / 512; // the drawing is laid out on a 512 grid, like icon.svg
  const inset = maskable ? 0.8 : 1; // content scale
  const toGrid = (v) => (v / unit - 256) / inset + 256;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const x = px + (sx + 0.5) / SAMPLES;
          const y = py + (sy + 0.5) / SAMPLES;
          const [cr, cg, cb, ca] = shade(x / unit, y / unit, toGrid(x), toGrid(y), maskable);
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
        }
      }
      const o = (py * size + px) * 4;
      const n = SAMPLES * SAMPLES;
      rgba[o] = a > 0 ? Math.round(r / a) : 0;
      rgba[o + 1] = a > 0 ? Math.round(g / a) : 0;
      rgba[o + 2] = a > 0 ? Math.round(b / a) : 0;
      rgba[o + 3] = Math.round((a / n) * 255);
    }
  }
  return encodePng(size, size, rgba);
}

/** Colour and coverage (0/1) at one sample: background at (bx, by), content at (x, y), both on the 512 grid. */
function shade(bx, by, x, y, maskable) {
  const inBackground = maskable || roundedRect(bx, by, 0, 0, 512, 512, 112) <= 0;
  if (!inBackground) return [0, 0, 0, 0];
  const t = Math.max(0, Math.min(1, by / 512));
  let colour = BG_TOP.map((top, i) => top + (BG_BOTTOM[i] - top) * t);
  if (Math.abs(roundedRect(x, y, 156, 88, 200, 336, 36)) <= 12) colour = FRAME;
  if (inTriangle(x, y, [226, 196], [226, 316], [326, 256])) colour = ACCENT;
  return [...colour, 1];
}

/** Signed distance from (x, y) to a rounded rectangle (negative inside). */
function roundedRect(x, y, left, top, width, height, radius) {
  const qx = Math.abs(x - (left + width / 2)) - (width / 2 - radius);
  const qy = Math.abs(y - (top + height / 2)) - (height / 2 - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function inTriangle(x, y, a, b, c) {
  const side = (p, q) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  const d1 = side(a, b);
  const d2 = side(b, c);
  const d3 = side(c, a);
  return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
}

/** A truecolour-with-alpha PNG: IHDR, one zlib IDAT of unfiltered scanlines, IEND. */
export function encodePng(width, height, rgba) {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter method extras, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([length, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
