import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputEventType } from '@frameway/protocol';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../build.mjs';
import { FakeGateway, type FakeGatewayOptions, hasFfmpeg } from '../testing/FakeGateway.js';

// The web player in real headless Chromium against a fake gateway (werift answers the offer).
const CHROMIUM = '/usr/bin/chromium';
const canRun = existsSync(CHROMIUM);
if (!canRun) console.warn(`[client-sdk] skipping web player browser tests: ${CHROMIUM} is not installed`);
const withVideo = canRun && hasFfmpeg();
if (canRun && !withVideo)
  console.warn('[client-sdk] ffmpeg with libx264 not found: browser tests run without video frames');

const VIDEO = { width: 640, height: 360, fps: 30 };
// A 1000x700 window showing 16:9 video: 1000x562.5 content with 68.75 px bars above and below.
const VIEWPORT = { width: 1000, height: 700 };
const BAR = 68.75;
const CONTENT_HEIGHT = 562.5;

describe.skipIf(!canRun)('web player in Chromium', () => {
  let webRoot: string;
  let browser: Browser;
  let gateway: FakeGateway | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), 'frameway-web-'));
    await buildWeb({ outDir: webRoot, quiet: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-loopback-in-peer-connection',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
      ],
    });
  }, 60_000);

  afterEach(async () => {
    await page?.close();
    await gateway?.close();
    page = undefined;
    gateway = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  async function open(options: Omit<FakeGatewayOptions, 'webRoot'> = {}, path = '/'): Promise<Page> {
    gateway = await FakeGateway.start({ webRoot, ...options });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (error) => console.error('[page error]', error));
    await page.goto(`${gateway.url}${path}`);
    return page;
  }

  const status = (p: Page, selector: string) =>
    p.waitForSelector(`#status${selector}`, { state: 'attached', timeout: 20_000 });

  it('plays a demo session, forwards keys and mapped pointer input, and shows the end', async () => {
    const p = await open(withVideo ? { video: VIDEO } : {});
    await status(p, '[data-state="streaming"]');
    expect(await p.evaluate(() => typeof (window as { framewaySession?: unknown }).framewaySession)).toBe('object');

    if (withVideo) {
      await p.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, {
        timeout: 20_000,
      });
      const stats = await p.evaluate(() => (window as any).framewaySession.getStats());
      expect(stats).toMatchObject({ width: VIDEO.width, height: VIDEO.height, codec: 'H264' });
      expect(stats.framesDecoded).toBeGreaterThan(0);
      expect(stats.rttMs).toBeTypeOf('number');
      if (process.env.FW_RECORD_STATS) {
        // Refreshes the recorded report that deriveStats.test.ts replays.
        const report = await p.evaluate(async () => {
          const peer = (window as any).framewaySession.peerConnection as RTCPeerConnection;
          const first = [...(await peer.getStats()).values()];
          await new Promise((resolve) => setTimeout(resolve, 1000));
          return { first, second: [...(await peer.getStats()).values()] };
        });
        await writeFile(process.env.FW_RECORD_STATS, `${JSON.stringify(report, null, 2)}\n`);
      }
    }

    // Keys go to the game without clicking anything first; F2 stays with the page.
    await p.keyboard.press('KeyW');
    await p.keyboard.press('F2');
    await expect
      .poll(() => gateway!.input.reliable, { timeout: 10_000 })
      .toEqual([
        { type: InputEventType.KeyDown, usage: 0x1a, modifiers: 0 },
        { type: InputEventType.KeyUp, usage: 0x1a, modifiers: 0 },
      ]);
    expect(await p.isVisible('#stats')).toBe(true);

    // Pointer positions are normalised over the video picture, not the letterboxed element.
    const at = (fx: number, fy: number) => [VIEWPORT.width * fx, BAR + CONTENT_HEIGHT * fy] as const;
    await p.mouse.move(...(withVideo ? at(0.25, 0.25) : ([250, 175] as const)));
    await expect
      .poll(() => gateway!.input.motion.at(-1), { timeout: 10_000 })
      .toEqual({
        type: InputEventType.PointerMove,
        x: 16384,
        y: 16384,
      });
    if (withVideo) {
      // A press on the bar above the picture is not a press in the game.
      await p.mouse.click(500, 20);
      await p.mouse.click(...at(0.75, 0.75));
      await expect
        .poll(() => gateway!.input.reliable.slice(2), { timeout: 10_000 })
        .toEqual([
          { type: InputEventType.PointerDown, button: 0, x: 49151, y: 49151 },
          { type: InputEventType.PointerUp, button: 0, x: 49151, y: 49151 },
        ]);
    }

    gateway!.endSessions('runtime_exited', 'FW_ERR_RUNTIME_FAILED', 'the game exited with code 1');
    await status(p, '[data-state="ended"][data-reason="runtime_exited"][data-code="FW_ERR_RUNTIME_FAILED"]');
    expect(await p.isVisible('#restart')).toBe(true);
  }, 60_000);

  it('ends with connection_lost when the gateway drops the socket without a word', async () => {
    const p = await open();
    await status(p, '[data-state="streaming"]');
    gateway!.dropSockets();
    await status(p, '[data-state="ended"][data-reason="connection_lost"][data-code="FW_ERR_CONNECTION_CLOSED"]');
  }, 60_000);

  it('shows the gateway error code when no demo session can be had', async () => {
    const p = await open({ demo: { status: 503, code: 'FW_ERR_NO_CAPACITY', message: 'all nodes busy' } });
    await status(p, '[data-state="error"][data-reason="start_failed"][data-code="FW_ERR_NO_CAPACITY"]');
  }, 60_000);

  it('shows the join error when the token is refused, and a token in the fragment skips demo mode', async () => {
    const p = await open(
      { refuseJoin: 'FW_ERR_TOKEN_EXPIRED', demo: { status: 500, code: 'FW_ERR_INTERNAL', message: 'unused' } },
      '/#token=expired-token',
    );
    await status(p, '[data-state="error"][data-code="FW_ERR_TOKEN_EXPIRED"]');
    expect(gateway!.players[0]?.received[0]).toMatchObject({ p: { token: 'expired-token' } });
  }, 60_000);

  it('sends PlayerLeave when the page goes away', async () => {
    const p = await open();
    await status(p, '[data-state="streaming"]');
    await p.goto('about:blank');
    await expect.poll(() => gateway!.players[0]?.received.some((m) => m.t === 205), { timeout: 10_000 }).toBe(true);
  }, 60_000);
});
