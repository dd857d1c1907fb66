import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { colorDistance, type Rgb } from '../support/markerColor.js';
import { installMarkerProbe, waitForFrames } from '../support/markerProbe.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';
import { clientPoint, markerNow, sampleFrame, waitForMarkerChange } from './clientPageProbe.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] cloud-phone page tests: missing ${missing.join(', ')}`);

const artifacts = join(import.meta.dirname, '..', 'artifacts');
/** A phone in portrait: what Chrome on a 6" Android phone reports. */
const PHONE = { width: 390, height: 844 };
/** The colour the scene draws under each finger (edge-agent SceneRenderer TOUCH_RGB). */
const TOUCH_RGB: Rgb = [0, 200, 255];
/** H.264 at streaming bitrates keeps a flat 24×24 dot within a few tens of this. */
const DOT_TOLERANCE = 70;

type StreamPoint = { x: number; y: number };

describe.skipIf(missing.length > 0)(
  'cloud-phone page in mobile emulation (real gateway, agent, ffmpeg, Chromium)',
  () => {
    let frameway: StartedFrameway;
    let chrome: LaunchedChromium;
    let context: BrowserContext;
    let page: Page;
    let cdp: CDPSession;

    /**
     * Touches at stream points, each finger with its own id: `touchStart` and
     * `touchMove` name every finger down, `touchEnd` the fingers that lift
     * (none: all of them).
     */
    async function touch(type: 'touchStart' | 'touchMove' | 'touchEnd', fingers: (StreamPoint & { id: number })[]) {
      const touchPoints = [];
      for (const finger of fingers)
        touchPoints.push({ ...(await clientPoint(page, finger.x, finger.y)), id: finger.id });
      await cdp.send('Input.dispatchTouchEvent', { type, touchPoints });
    }

    /** True where the decoded picture shows a touch dot. */
    async function dotsAt(points: StreamPoint[]): Promise<boolean[]> {
      const sample = await sampleFrame(page, points, 4);
      return sample.rgb.map((rgb) => colorDistance(rgb, TOUCH_RGB) < DOT_TOLERANCE);
    }

    async function waitForDots(points: StreamPoint[], expected: boolean[], timeoutMs = 5_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let last: boolean[] = [];
      while (Date.now() < deadline) {
        last = await dotsAt(points);
        if (last.every((dot, i) => dot === expected[i])) return;
      }
      throw new Error(`touch dots at ${JSON.stringify(points)}: expected ${expected}, saw ${last}`);
    }

    beforeAll(async () => {
      frameway = await startFrameway({ port: 0, agentArgs: ['--runtime', 'scene'] });
      chrome = await launchChromium();
      context = await chrome.browser.newContext({
        viewport: PHONE,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      });
      page = await context.newPage();
      page.on('pageerror', (error) => console.error('[page error]', error));
      cdp = await context.newCDPSession(page);
      await installMarkerProbe(page);
      await page.goto(`${frameway.url}phone`);
      await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
      await waitForFrames(page, { count: 20, minWidth: 1280, minHeight: 720, timeoutMs: 20_000 });
    });

    afterAll(async () => {
      await context?.close().catch(() => undefined);
      await chrome?.[Symbol.asyncDispose]();
      await frameway?.[Symbol.asyncDispose]();
    });

    it('sends multitouch the agent receives at the touched points: a dot under each finger, following it', async () => {
      const fingers = [
        { id: 1, x: 320, y: 200 },
        { id: 2, x: 960, y: 200 },
        { id: 3, x: 640, y: 560 },
      ];
      const nowhere = { x: 320, y: 560 };
      const before = await markerNow(page);
      await touch('touchStart', fingers.slice(0, 1));
      await touch('touchStart', fingers.slice(0, 2));
      await touch('touchStart', fingers);
      await waitForDots([...fingers, nowhere], [true, true, true, false]);
      await waitForMarkerChange(page, before);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'client-phone.png') });

      const moved = fingers.map((f) => ({ ...f, x: f.x + 120 }));
      await touch('touchMove', moved);
      await waitForDots([...moved, ...fingers], [true, true, true, false, false, false]);

      await touch('touchEnd', moved.slice(0, 1)); // the first finger lifts; the others stay down
      await waitForDots(moved, [false, true, true]);
      await touch('touchEnd', []);
      await waitForDots(moved, [false, false, false]);
      const box = await page.evaluate(() => {
        const r = document.getElementById('video')!.getBoundingClientRect();
        return `${r.width.toFixed(0)}×${r.height.toFixed(0)} at (${r.left.toFixed(0)}, ${r.top.toFixed(0)})`;
      });
      console.log(
        `[phone] 3 fingers on a ${PHONE.width}×${PHONE.height} portrait page (video element ${box}): dots at every touched point`,
      );
    });

    it('the on-screen gamepad drives the player with its stick', async () => {
      await page.tap('#gamepad-toggle');
      const stick = (await page.locator('.fw-vpad__stick').boundingBox())!;
      const start = (await sampleFrame(page)).player!;
      const centre = { x: stick.x + stick.width / 2, y: stick.y + stick.height / 2, id: 7 };
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [centre] });
      // Push it up: the player walks up the screen (y up on the pad, down in the picture).
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ ...centre, y: centre.y - stick.height }],
      });
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(artifacts, 'client-phone-gamepad.png') });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      const end = (await sampleFrame(page, [], 6)).player!;
      console.log(
        `[phone] on-screen stick up for 0.5 s moved the player from y=${start.y.toFixed(0)} to y=${end.y.toFixed(0)}`,
      );
      expect(start.y - end.y).toBeGreaterThan(100);
      await page.tap('#gamepad-toggle');
      expect(await page.isVisible('.fw-vpad')).toBe(false);
    });

    it('turns to landscape: the controls move aside, the picture grows, and touches still land where they should', async () => {
      const picture = () =>
        page.evaluate(() => {
          const video = document.getElementById('video') as HTMLVideoElement;
          const r = video.getBoundingClientRect();
          const scale = Math.min(r.width / video.videoWidth, r.height / video.videoHeight);
          return { width: video.videoWidth * scale, right: r.right };
        });
      const portrait = await picture();
      await page.setViewportSize({ width: PHONE.height, height: PHONE.width });
      await expect.poll(() => page.getAttribute('#phone', 'data-orientation')).toBe('landscape');
      const landscape = await picture();
      const nav = await page.locator('.phone__nav').boundingBox();
      console.log(
        `[phone] the picture is ${portrait.width.toFixed(0)} px wide in portrait, ${landscape.width.toFixed(0)} px in landscape`,
      );
      expect(landscape.width).toBeGreaterThan(portrait.width * 1.2);
      expect(nav!.x).toBeGreaterThanOrEqual(landscape.right - 1); // the nav bar sits to the right of the picture
      const finger = { id: 4, x: 1000, y: 500 };
      await touch('touchStart', [finger]);
      await waitForDots([finger], [true]);
      await page.screenshot({ path: join(artifacts, 'client-phone-landscape.png') });
      await touch('touchEnd', []);
      await waitForDots([finger], [false]);
      await page.setViewportSize(PHONE);
    });

    it('is an installable web app: the manifest parses and Chrome reports no installability errors', async () => {
      const manifest = (await cdp.send('Page.getAppManifest')) as {
        url: string;
        errors: { message: string }[];
        data?: string;
      };
      expect(manifest.url).toMatch(/manifest\.webmanifest$/);
      expect(manifest.errors).toEqual([]);
      expect(JSON.parse(manifest.data ?? '{}')).toMatchObject({ name: 'Frameway Phone', start_url: '/phone' });
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      // Test browser contexts are incognito, where Chrome never offers to install anything; that is not the page's doing.
      const errors = installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito');
      console.log(`[phone] installability errors: ${JSON.stringify(errors)} (in-incognito ignored)`);
      expect(errors).toEqual([]);
      for (const icon of ['icon-192.png', 'icon-512.png', 'icon-maskable-512.png']) {
        const response = await page.request.get(`${frameway.url}${icon}`);
        expect(response.headers()['content-type']).toBe('image/png');
      }
    });
  },
);
