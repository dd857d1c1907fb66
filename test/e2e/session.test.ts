import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { colorDistance, MARKER_CHANGE_THRESHOLD } from '../support/markerColor.js';
import {
  installMarkerProbe,
  lastProbeFrame,
  measureFps,
  measureInputToPhoton,
  waitForFrames,
} from '../support/markerProbe.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] end-to-end session tests: missing ${missing.join(', ')}`);

const artifacts = join(import.meta.dirname, '..', 'artifacts');

describe.skipIf(missing.length > 0)(
  'one cloud-gaming session end to end (real gateway, agent, ffmpeg, Chromium)',
  () => {
    let frameway: StartedFrameway;
    let chrome: LaunchedChromium;
    let page: Page;

    beforeAll(async () => {
      frameway = await startFrameway({ port: 0 });
      chrome = await launchChromium();
      page = await chrome.browser.newPage({ viewport: { width: 1280, height: 800 } });
      await installMarkerProbe(page);
      await page.goto(frameway.url);
      await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
    });

    afterAll(async () => {
      await chrome?.[Symbol.asyncDispose]();
      await frameway?.[Symbol.asyncDispose]();
    });

    it('keeps decoding 1280×720 frames at 30 fps or more', async () => {
      await waitForFrames(page, { count: 30, minWidth: 1280, minHeight: 720, timeoutMs: 15_000 });
      const fps = await measureFps(page, 3_000);
      expect({ width: fps.width, height: fps.height }).toEqual({ width: 1280, height: 720 });
      expect(fps.decodedFps).toBeGreaterThanOrEqual(30);
      expect(fps.presentedFps).toBeGreaterThanOrEqual(30);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'game-client.png') });
    });

    it('changes the marker colour in the decoded picture on every key press', async () => {
      const before = await lastProbeFrame(page);
      const result = await measureInputToPhoton(page, {
        samples: 6,
        warmup: 1,
        keys: ['KeyA', 'Space'],
        timeoutMs: 2_000,
      });
      expect(result.missed).toBe(0);
      for (const sample of result.samples) {
        expect(sample.before).not.toBeNull();
        expect(sample.after).not.toBeNull();
        expect(colorDistance(sample.before!, sample.after!)).toBeGreaterThan(MARKER_CHANGE_THRESHOLD);
        expect(sample.latencyMs).toBeLessThan(2_000);
      }
      const after = await lastProbeFrame(page);
      expect(colorDistance(before!.rgb!, after!.rgb!)).toBeGreaterThan(0);
    });

    it('tells the player the session ended when the agent is killed, instead of hanging', async () => {
      const ended = page.evaluate(
        () =>
          new Promise<{ reason: string; code?: string }>((resolve) => {
            const session = (
              window as unknown as {
                framewaySession: { on(e: 'ended', l: (i: { reason: string; code?: string }) => void): void };
              }
            ).framewaySession;
            session.on('ended', (info) => resolve({ reason: info.reason, ...(info.code ? { code: info.code } : {}) }));
          }),
      );
      const killedAt = Date.now();
      await frameway.killAgent();
      const info = await ended;
      expect(info).toEqual({ reason: 'agent_lost', code: 'FW_ERR_AGENT_UNAVAILABLE' });
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      const status = page.locator('#status');
      await expect.poll(() => status.getAttribute('data-state')).toBe('ended');
      expect(await status.getAttribute('data-reason')).toBe('agent_lost');
      await page.screenshot({ path: join(artifacts, 'game-client-ended.png') });
    });
  },
);
