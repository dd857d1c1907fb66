import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../ffmpeg/resolveFfmpeg.js';
import { rgbToYuv601Limited } from './colour.js';
import { MARKER_PALETTE, MARKER_SIZE } from './markerPalette.js';
import { type SceneDetail, SceneRenderer, TOUCH_DOT_SIZE, TOUCH_RGB } from './SceneRenderer.js';
import { SceneState } from './SceneState.js';

const width = 320;
const height = 180;

function planes(frame: Uint8Array) {
  const chroma = (width / 2) * (height / 2);
  return {
    y: (x: number, row: number) => frame[row * width + x],
    u: (x: number, row: number) => frame[width * height + row * (width / 2) + x],
    v: (x: number, row: number) => frame[width * height + chroma + row * (width / 2) + x],
  };
}

describe('SceneRenderer', () => {
  it('fills the top-left 64×64 of the Y plane and 32×32 of U and V with the marker colour', () => {
    const state = new SceneState({ width, height });
    const renderer = new SceneRenderer({ width, height });
    const frame = renderer.createFrame();
    state.applyInput([{ type: InputEventType.KeyDown, usage: 0x2c, modifiers: 0 }]);
    renderer.render(state, frame);
    const expected = rgbToYuv601Limited(MARKER_PALETTE[1] ?? { r: 0, g: 0, b: 0 });
    const { y, u, v } = planes(frame);
    for (let row = 0; row < MARKER_SIZE; row++) {
      for (let x = 0; x < MARKER_SIZE; x++) expect(y(x, row)).toBe(expected.y);
    }
    for (let row = 0; row < MARKER_SIZE / 2; row++) {
      for (let x = 0; x < MARKER_SIZE / 2; x++) {
        expect(u(x, row)).toBe(expected.u);
        expect(v(x, row)).toBe(expected.v);
      }
    }
    // just outside the marker is background, not marker
    expect(u(MARKER_SIZE / 2, 0)).not.toBe(expected.u);
    expect(y(0, MARKER_SIZE)).not.toBe(expected.y);
  });

  it('draws marker colours that decode back to the palette RGB (BT.601 limited range)', () => {
    const renderer = new SceneRenderer({ width, height });
    const state = new SceneState({ width, height });
    const frames: Buffer[] = [];
    for (let i = 0; i < MARKER_PALETTE.length; i++) {
      const frame = renderer.createFrame();
      renderer.render(state, frame);
      frames.push(frame);
      state.applyInput([{ type: InputEventType.PointerDown, button: 0, x: 0, y: 0 }]);
    }
    // let ffmpeg convert each frame's marker centre to RGB, as a decoder's output stage would
    const result = spawnSync(
      resolveFfmpeg().path,
      [
        ...['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`],
        ...['-i', 'pipe:0', '-vf', 'crop=2:2:30:30', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'],
      ],
      { input: Buffer.concat(frames), maxBuffer: 1 << 20 },
    );
    expect(result.status).toBe(0);
    MARKER_PALETTE.forEach((rgb, i) => {
      const offset = i * 12; // 2×2 pixels × 3 bytes per frame
      const decoded = [...result.stdout.subarray(offset, offset + 3)];
      expect(Math.max(...decoded.map((value, c) => Math.abs(value - [rgb.r, rgb.g, rgb.b][c]!)))).toBeLessThanOrEqual(
        4,
      );
    });
  });

  it('renders moving elements, so consecutive frames differ outside the marker', () => {
    const renderer = new SceneRenderer({ width, height });
    const state = new SceneState({ width, height });
    const a = renderer.createFrame();
    const b = renderer.createFrame();
    renderer.render(state, a);
    state.step(1 / 60);
    renderer.render(state, b);
    expect(a.equals(b)).toBe(false);
    // and the same state renders the same frame
    renderer.render(state, a);
    expect(a.equals(b)).toBe(true);
  });

  it('draws the player where the state puts it', () => {
    const renderer = new SceneRenderer({ width, height });
    const state = new SceneState({ width, height, playerSize: 20 });
    state.applyInput([{ type: InputEventType.PointerDelta, dx: 1000, dy: 1000 }]); // bottom-right corner
    const frame = renderer.createFrame();
    renderer.render(state, frame);
    const player = rgbToYuv601Limited({ r: 235, g: 235, b: 235 });
    expect(planes(frame).y(width - 2, height - 2)).toBe(player.y);
    expect(planes(frame).y(width - 30, height - 2)).not.toBe(player.y);
  });

  it('rejects odd frame sizes, which yuv420p cannot represent', () => {
    expect(() => new SceneRenderer({ width: 321, height: 180 })).toThrow(RangeError);
  });

  it('draws a dot under every finger down, above the player', () => {
    const renderer = new SceneRenderer({ width, height });
    const state = new SceneState({ width, height });
    state.applyInput([
      { type: InputEventType.TouchDown, id: 0, x: 0x8000, y: 0x8000, pressure: 128 }, // centre, under the player
      { type: InputEventType.TouchDown, id: 1, x: 0xc000, y: 0x4000, pressure: 128 },
    ]);
    const frame = renderer.createFrame();
    renderer.render(state, frame);
    const touch = rgbToYuv601Limited(TOUCH_RGB);
    expect(planes(frame).y(160, 90)).toBe(touch.y);
    expect(planes(frame).y(240, 45)).toBe(touch.y);
    expect(planes(frame).y(240 + TOUCH_DOT_SIZE, 45)).not.toBe(touch.y);
  });
});

/** SHA-256 of 30 frames of a scripted session (a finger down, a key press) at the given size and detail. */
function renderDigest(w: number, h: number, detail?: SceneDetail): string {
  const state = new SceneState({ width: w, height: h });
  const renderer = new SceneRenderer({ width: w, height: h, ...(detail ? { detail } : {}) });
  const frame = renderer.createFrame();
  const hash = createHash('sha256');
  for (let i = 0; i < 30; i++) {
    if (i === 5) state.applyInput([{ type: InputEventType.TouchDown, id: 0, x: 0x4000, y: 0x6000, pressure: 128 }]);
    if (i === 9) state.applyInput([{ type: InputEventType.KeyDown, usage: 0x4f, modifiers: 0 }]);
    state.step(1 / 60);
    renderer.render(state, frame);
    hash.update(frame);
  }
  return hash.digest('hex');
}

/** The top-left `side`×`side` of the Y plane and the matching corners of U and V, concatenated. */
function corner(frame: Buffer, side: number): Buffer {
  const rows: Buffer[] = [];
  for (let row = 0; row < side; row++) rows.push(frame.subarray(row * width, row * width + side));
  const chroma = (width / 2) * (height / 2);
  for (const plane of [width * height, width * height + chroma]) {
    for (let row = 0; row < side / 2; row++) {
      const start = plane + row * (width / 2);
      rows.push(frame.subarray(start, start + side / 2));
    }
  }
  return Buffer.concat(rows);
}

/** Fraction of the first `length` bytes in which two frames differ. */
function changedShare(a: Uint8Array, b: Uint8Array, length: number): number {
  let changed = 0;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) changed += 1;
  return changed / length;
}

describe("SceneRenderer detail 'high'", () => {
  it("leaves 'low' (the default) byte for byte the picture it always was", () => {
    // Digests of the renderer before detail existed.
    expect(renderDigest(320, 180)).toBe('6f62734909f15a2a05277492b4ef25f7a3870edaf41651a27da975b846c228a0');
    expect(renderDigest(320, 180, 'low')).toBe('6f62734909f15a2a05277492b4ef25f7a3870edaf41651a27da975b846c228a0');
    expect(renderDigest(1280, 720, 'low')).toBe('4b0e07a329958eece950fc9e1589ac5317b111767f2018333dab73e129814178');
  });

  it('changes most of the picture every frame, deterministically for a state', () => {
    const renderer = new SceneRenderer({ width, height, detail: 'high' });
    const state = new SceneState({ width, height });
    const a = renderer.createFrame();
    const b = renderer.createFrame();
    renderer.render(state, a);
    state.step(1 / 60);
    renderer.render(state, b);
    expect(changedShare(a, b, width * height)).toBeGreaterThan(0.6); // luma
    const chroma = (width / 2) * (height / 2);
    expect(changedShare(a.subarray(width * height), b.subarray(width * height), 2 * chroma)).toBeGreaterThan(0.5);
    // a second renderer (same seed) draws the same frame for the same state
    new SceneRenderer({ width, height, detail: 'high' }).render(state, a);
    expect(a.equals(b)).toBe(true);
  });

  it('never draws on the marker or the 64 px around it', () => {
    const low = new SceneRenderer({ width, height });
    const high = new SceneRenderer({ width, height, detail: 'high' });
    const state = new SceneState({ width, height });
    state.applyInput([{ type: InputEventType.KeyDown, usage: 0x2c, modifiers: 0 }]);
    const a = low.createFrame();
    const b = high.createFrame();
    const quiet = MARKER_SIZE + 64;
    for (let i = 0; i < 10; i++) {
      state.step(1 / 60);
      low.render(state, a);
      high.render(state, b);
      expect(corner(b, quiet).equals(corner(a, quiet))).toBe(true);
      // and right beside the quiet corner the texture starts
      expect(changedShare(a.subarray(quiet), b.subarray(quiet), width - quiet)).toBeGreaterThan(0.5);
    }
  });

  it('draws the player and touch dots above the texture', () => {
    const renderer = new SceneRenderer({ width, height, detail: 'high' });
    const state = new SceneState({ width, height, playerSize: 20 });
    state.applyInput([
      { type: InputEventType.TouchDown, id: 1, x: 0xc000, y: 0x4000, pressure: 128 },
      { type: InputEventType.PointerDelta, dx: 1000, dy: 1000 }, // after the touch, so the player stays put
    ]);
    const frame = renderer.createFrame();
    for (let i = 0; i < 5; i++) {
      state.step(1 / 60);
      renderer.render(state, frame);
      const { y, u, v } = planes(frame);
      const player = rgbToYuv601Limited({ r: 235, g: 235, b: 235 });
      const touch = rgbToYuv601Limited(TOUCH_RGB);
      expect(y(width - 2, height - 2)).toBe(player.y);
      expect([y(240, 45), u(120, 22), v(120, 22)]).toEqual([touch.y, touch.u, touch.v]);
    }
  });

  it('needs several times the bitrate of low at 1280x720@60 under an 8 Mb/s cap', async () => {
    const ffmpeg = resolveFfmpeg().path;
    const low = await measure(ffmpeg, 'low');
    const high = await measure(ffmpeg, 'high');
    console.info(
      'scene 1280x720@60, libx264 ultrafast zerolatency, 8M cap, 3 s: ' +
        `low ${low.kbps} kb/s (render ${low.renderMs.toFixed(3)} ms/frame); ` +
        `high ${high.kbps} kb/s (render ${high.renderMs.toFixed(3)} ms/frame, texture built in ${high.setupMs.toFixed(0)} ms)`,
    );
    expect(high.kbps).toBeGreaterThanOrEqual(3 * low.kbps);
  }, 120_000);
});

/**
 * Times rendering of 720p60 scene at `detail` (warm, without the encoder
 * beside it), then encodes 3 s of it the way the agent's libx264 does and
 * returns the bitrate.
 */
async function measure(ffmpeg: string, detail: SceneDetail) {
  const fps = 60;
  const frames = 3 * fps;
  const size = { width: 1280, height: 720 };
  const setupStarted = performance.now();
  const renderer = new SceneRenderer({ ...size, detail });
  const setupMs = performance.now() - setupStarted;

  const timing = new SceneState(size);
  const scratch = renderer.createFrame();
  for (let i = 0; i < 120; i++) renderer.render(timing, scratch); // warm up the JIT
  const timed = 300;
  const started = performance.now();
  for (let i = 0; i < timed; i++) {
    timing.step(1 / fps);
    renderer.render(timing, scratch);
  }
  const renderMs = (performance.now() - started) / timed;

  const encoder = spawn(
    ffmpeg,
    [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', '1280x720'],
      ...['-r', String(fps), '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
      ...['-b:v', '8M', '-maxrate', '8M', '-bufsize', '200k', '-g', '60', '-bf', '0', '-f', 'h264', 'pipe:1'],
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let bytes = 0;
  encoder.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const exited = once(encoder, 'close');
  const state = new SceneState(size);
  for (let i = 0; i < frames; i++) {
    // A fresh buffer per frame: the pipe may still hold the previous one.
    const frame = renderer.createFrame();
    state.step(1 / fps);
    if (i % 20 === 0) state.applyInput([{ type: InputEventType.KeyDown, usage: 0x4f, modifiers: 0 }]);
    renderer.render(state, frame);
    if (!encoder.stdin.write(frame)) await once(encoder.stdin, 'drain');
  }
  encoder.stdin.end();
  const [code] = await exited;
  expect(code).toBe(0);
  return { kbps: Math.round((bytes * 8) / (frames / fps) / 1000), renderMs, setupMs };
}
