import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { colorDistance, MARKER_CHANGE_THRESHOLD } from '../support/markerColor.js';
import { installMarkerProbe, measureInputToPhoton, waitForFrames } from '../support/markerProbe.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';

/** The xev-style probe program: marker square top-left, a white dot where each click lands. */
export const X11_PROBE_APP = join(
  import.meta.dirname,
  '..',
  '..',
  'edge-agent',
  'src',
  'runtime',
  'x11',
  'fixtures',
  'x11ProbeApp.mjs',
);
const LTRIS = ['/usr/games/ltris', '/usr/bin/ltris'].find((path) => existsSync(path));

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (!existsSync('/usr/bin/Xvfb')) missing.push('Xvfb (apt: xvfb)');
if (missing.length > 0) console.warn(`[skip] x11 end-to-end tests: missing ${missing.join(', ')}`);
if (!LTRIS) console.warn('[skip] x11 ltris end-to-end test: ltris is not installed (apt: ltris)');

/** What `npm start -- --runtime x11 --cmd <line>` passes to the gateway and the agent. */
function x11Flags(cmd: string): { agentArgs: string[]; gatewayArgs: string[] } {
  const flags = ['--runtime', 'x11', '--cmd', cmd];
  return { agentArgs: flags, gatewayArgs: flags };
}

/** Pixels of the decoded video, read in the page: RGB of a region of the current frame. */
async function videoPixels(page: Page, region: { x: number; y: number; width: number; height: number }) {
  return page.evaluate((r) => {
    const video = document.querySelector('video') as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D;
    context.drawImage(video, 0, 0);
    const data = context.getImageData(r.x, r.y, r.width, r.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < data.length; i += 4) rgb.push(data[i] as number, data[i + 1] as number, data[i + 2] as number);
    return rgb;
  }, region);
}

/** Pixels (of a same-sized pair) whose colour moved by more than 60 in some channel. */
function changedPixels(a: number[], b: number[]): number {
  let count = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.max(...[0, 1, 2].map((c) => Math.abs((a[i + c] as number) - (b[i + c] as number)))) > 60) count++;
  }
  return count;
}

async function poll(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(missing.length > 0)('x11 runtime end to end (gateway, agent, Xvfb, ffmpeg x11grab, Chromium)', () => {
  let chrome: LaunchedChromium;

  beforeAll(async () => {
    chrome = await launchChromium();
  });

  afterAll(async () => {
    await chrome?.[Symbol.asyncDispose]();
  });

  async function play(frameway: StartedFrameway): Promise<Page> {
    const page = await chrome.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await installMarkerProbe(page);
    await page.goto(frameway.url);
    await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
    await waitForFrames(page, { count: 10, minWidth: 1280, minHeight: 720, timeoutMs: 15_000 });
    return page;
  }

  it('streams an X11 program and its picture answers every key press and click from the browser', async () => {
    await using frameway = await startFrameway({ port: 0, ...x11Flags(`node ${X11_PROBE_APP}`) });
    const page = await play(frameway);
    const result = await measureInputToPhoton(page, {
      samples: 6,
      warmup: 1,
      keys: ['KeyA', 'ArrowUp'],
      timeoutMs: 3_000,
    });
    expect(result.missed).toBe(0);
    for (const sample of result.samples) {
      expect(colorDistance(sample.before!, sample.after!)).toBeGreaterThan(MARKER_CHANGE_THRESHOLD);
    }
    // A click at (640, 540) of the 1280×720 stream: the program marks where it landed.
    const spot = { x: 632, y: 532, width: 16, height: 16 };
    const before = await videoPixels(page, spot);
    // The 16:9 picture is letterboxed inside the element: map stream pixels through the fit.
    const box = (await page.locator('video').boundingBox())!;
    const scale = Math.min(box.width / 1280, box.height / 720);
    const left = box.x + (box.width - 1280 * scale) / 2;
    const top = box.y + (box.height - 720 * scale) / 2;
    await page.mouse.click(left + 640 * scale, top + 540 * scale);
    await poll(async () => changedPixels(before, await videoPixels(page, spot)) > 100, 5_000, 'the click mark');
    await page.close();
  });

  it.skipIf(!LTRIS)('plays ltris, a Debian game, with the arrow keys and Enter in the browser', async () => {
    await using frameway = await startFrameway({ port: 0, ...x11Flags('ltris') });
    const page = await play(frameway);
    // ltris' 640×480 window is centred in the 1280×720 display; its menu sits left of centre.
    const menu = { x: 340, y: 330, width: 280, height: 300 };
    let still = await videoPixels(page, menu);
    await poll(
      async () => {
        const previous = still;
        still = await videoPixels(page, menu);
        return still.some((v) => v > 100) && changedPixels(previous, still) === 0;
      },
      15_000,
      'a still ltris menu',
    );
    /** Presses `key` (again, as a player would, should the game still be busy) until the menu changes. */
    const pressUntilChanged = async (key: string, from: number[], minChanged: number) => {
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.keyboard.press(key);
        const deadline = Date.now() + 2_000;
        while (Date.now() < deadline) {
          const now = await videoPixels(page, menu);
          if (changedPixels(from, now) > minChanged) return now;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error(`the ltris menu did not react to ${key}`);
    };
    const highlighted = await pressUntilChanged('ArrowDown', still, 50); // highlights "New Game"
    await pressUntilChanged('Enter', highlighted, 2_000); // opens the New Game menu
    await page.close();
  });
});
