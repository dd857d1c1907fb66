import type { Page } from 'playwright-core';
import { colorDistance, MARKER_CHANGE_THRESHOLD, type Rgb } from '../support/markerColor.js';
import { lastProbeFrame } from '../support/markerProbe.js';
import { pageSource } from '../support/pageSource.js';

// What the client end-to-end tests read off the streamed picture of the agent's scene runtime.

export interface FrameSample {
  rgb: Rgb[];
  /** Centre of the scene's white player square, in stream pixels. */
  player: { x: number; y: number } | null;
  width: number;
  height: number;
}

/**
 * Runs in the page: waits `frames` presented frames (so the picture shows
 * input sent before the call), then reads the current frame at full stream
 * resolution: the mean colour around each point and the player's centre.
 */
async function sampleFrameInPage(arg: { points: { x: number; y: number }[]; frames: number }): Promise<FrameSample> {
  const video = document.getElementById('video') as HTMLVideoElement;
  await new Promise<void>((resolve) => {
    let seen = 0;
    const next = (): void => {
      seen += 1;
      if (seen >= arg.frames) resolve();
      else video.requestVideoFrameCallback(next);
    };
    video.requestVideoFrameCallback(next);
  });
  const width = video.videoWidth;
  const height = video.videoHeight;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as OffscreenCanvasRenderingContext2D;
  ctx.drawImage(video, 0, 0, width, height);
  const data = ctx.getImageData(0, 0, width, height).data;
  const rgb = arg.points.map((p): Rgb => {
    let r = 0;
    let g = 0;
    let b = 0;
    let n = 0;
    for (let y = Math.round(p.y) - 3; y <= Math.round(p.y) + 3; y++) {
      for (let x = Math.round(p.x) - 3; x <= Math.round(p.x) + 3; x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const o = (y * width + x) * 4;
        r += data[o]!;
        g += data[o + 1]!;
        b += data[o + 2]!;
        n += 1;
      }
    }
    return [Math.round(r / n), Math.round(g / n), Math.round(b / n)];
  });
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let y = 0; y < height; y += 2) {
    for (let x = 0; x < width; x += 2) {
      if (x < 80 && y < 80) continue; // the marker may be white too
      const o = (y * width + x) * 4;
      if (data[o]! > 215 && data[o + 1]! > 215 && data[o + 2]! > 215) {
        sx += x;
        sy += y;
        count += 1;
      }
    }
  }
  return { rgb, player: count > 20 ? { x: sx / count, y: sy / count } : null, width, height };
}

export function sampleFrame(page: Page, points: { x: number; y: number }[] = [], frames = 3): Promise<FrameSample> {
  return page.evaluate(pageSource(sampleFrameInPage, { points, frames })) as Promise<FrameSample>;
}

/** Where a point of the stream is on the page: object-fit contain inside the video element. */
export async function clientPoint(page: Page, streamX: number, streamY: number): Promise<{ x: number; y: number }> {
  const box = await page.evaluate(() => {
    const video = document.getElementById('video') as HTMLVideoElement;
    const r = video.getBoundingClientRect();
    return { left: r.left, top: r.top, width: r.width, height: r.height, vw: video.videoWidth, vh: video.videoHeight };
  });
  const scale = Math.min(box.width / box.vw, box.height / box.vh);
  const left = box.left + (box.width - box.vw * scale) / 2;
  const top = box.top + (box.height - box.vh * scale) / 2;
  return { x: left + streamX * scale, y: top + streamY * scale };
}

export async function waitForPlayerNear(page: Page, x: number, y: number, tolerance: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let last: FrameSample['player'] = null;
  while (Date.now() < deadline) {
    last = (await sampleFrame(page)).player;
    if (last && Math.hypot(last.x - x, last.y - y) <= tolerance) return last;
  }
  throw new Error(`the player did not reach (${x}, ${y}) within ${timeoutMs} ms; last seen at ${JSON.stringify(last)}`);
}

export async function markerNow(page: Page): Promise<Rgb> {
  const frame = await lastProbeFrame(page);
  if (!frame?.rgb) throw new Error('no readable frame yet');
  return frame.rgb;
}

export async function waitForMarkerChange(page: Page, from: Rgb, timeoutMs = 3_000): Promise<Rgb> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = await markerNow(page);
    if (colorDistance(from, now) > MARKER_CHANGE_THRESHOLD) return now;
    await page.waitForTimeout(30);
  }
  throw new Error(`the marker did not change within ${timeoutMs} ms`);
}
