import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { StudioClient } from '@frameway/client-sdk/studio';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, waitForFrames } from '../support/markerProbe.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] studio API end-to-end test: missing ${missing.join(', ')}`);

const EXAMPLE = join(import.meta.dirname, '..', '..', 'client-sdk', 'examples', 'create-session.mjs');

/** Runs the client example as a user would; resolves with its stdout lines. */
function runExample(url: string, apiKey: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [EXAMPLE, url], {
      env: { ...process.env, FRAMEWAY_API_KEY: apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim().split('\n'));
      else reject(new Error(`create-session.mjs exited with ${code}: ${err}`));
    });
  });
}

describe.skipIf(missing.length > 0)('studio API end to end (npm start demo key, client example, Chromium)', () => {
  let frameway: StartedFrameway;
  let chrome: LaunchedChromium;
  let page: Page;
  let apiKey: string;

  beforeAll(async () => {
    frameway = await startFrameway({ port: 0 });
    const line = frameway.logs.find((l) => l.startsWith('[gateway] FRAMEWAY_STUDIO_DEMO_KEY '));
    apiKey = line?.split(' ')[2] ?? '';
    chrome = await launchChromium();
    page = await chrome.browser.newPage({ viewport: { width: 1280, height: 800 } });
    await installMarkerProbe(page);
  });

  afterAll(async () => {
    await chrome?.[Symbol.asyncDispose]();
    await frameway?.[Symbol.asyncDispose]();
  });

  it('prints a demo studio API key on a machine-readable stdout line', async () => {
    expect(apiKey).toMatch(/^fwk\.key_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const studio = new StudioClient({ baseUrl: frameway.url, apiKey });
    expect((await studio.whoAmI()).studio.name).toBe('Demo studio');
  });

  it('streams the session the client example creates, and terminates it through the API', async () => {
    const lines = await runExample(frameway.url, apiKey);
    const playUrl = new URL(lines.at(-1)!);
    expect(`${playUrl.origin}/`).toBe(frameway.url);
    const sessionId = JSON.parse(
      Buffer.from(new URLSearchParams(playUrl.hash.slice(1)).get('token')!.split('.')[1]!, 'base64url').toString(),
    ).sid as string;

    await page.goto(playUrl.href);
    await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
    await waitForFrames(page, { count: 10, minWidth: 1280, minHeight: 720, timeoutMs: 15_000 });

    const studio = new StudioClient({ baseUrl: frameway.url, apiKey });
    const live = await studio.getSession(sessionId);
    expect(live).toMatchObject({ state: 'streaming', nodeId: expect.any(String) });
    expect(live.billing.pricePerBlock).toBeGreaterThan(0);
    expect(live.history.map((h) => h.type)).toEqual(['created', 'placed', 'streaming']);

    const ended = await studio.terminateSession(sessionId);
    expect(ended).toMatchObject({ state: 'ended', endReason: 'terminated' });
    await page.waitForSelector('#status[data-state="ended"]', { timeout: 10_000 });
  });
});
