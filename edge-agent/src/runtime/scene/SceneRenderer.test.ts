import { spawnSync } from 'node:child_process';
import { InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../ffmpeg/resolveFfmpeg.js';
import { rgbToYuv601Limited } from './colour.js';
import { MARKER_PALETTE, MARKER_SIZE } from './markerPalette.js';
import { SceneRenderer, TOUCH_DOT_SIZE, TOUCH_RGB } from './SceneRenderer.js';
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
