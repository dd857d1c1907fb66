import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { colorDistance, MARKER_CHANGE_THRESHOLD } from '../support/markerColor.js';
import { installMarkerProbe, measureInputToPhoton, waitForFrames } from '../support/markerProbe.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';
import { clientPoint, markerNow, sampleFrame, waitForMarkerChange, waitForPlayerNear } from './clientPageProbe.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] game client page tests: missing ${missing.join(', ')}`);

const artifacts = join(import.meta.dirname, '..', 'artifacts');
const VIEWPORT = { width: 1280, height: 800 };
const STREAM = { width: 1280, height: 720 };
/** A dropped connection must be playing again within this long (the functional deadline). */
const RESUME_DEADLINE_MS = 3_000;

/**
 * Runs before the page's scripts: a gamepad the test drives through
 * `window.__pad` in place of navigator.getGamepads, and a record of every
 * WebSocket the page opens (`window.__fwSockets`) so the test can drop one.
 */
const INIT_SCRIPT = `(() => {
  const pad = { connected: false, buttons: new Array(17).fill(0), axes: [0, 0, 0, 0] };
  window.__pad = pad;
  navigator.getGamepads = () => [
    pad.connected
      ? { index: 0, id: 'Frameway E2E Pad (STANDARD GAMEPAD)', connected: true, mapping: 'standard',
          timestamp: performance.now(),
          buttons: pad.buttons.map((value) => ({ pressed: value > 0.25, touched: value > 0, value })),
          axes: [...pad.axes] }
      : null,
    null, null, null,
  ];
  const Native = window.WebSocket;
  const sockets = [];
  window.__fwSockets = sockets;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); sockets.push(this); }
  };
})();`;

describe.skipIf(missing.length > 0)('game client page (real gateway, agent, ffmpeg, Chromium)', () => {
  let frameway: StartedFrameway;
  let chrome: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    // The scene runtime draws what these tests look for (marker, player, touch dots).
    frameway = await startFrameway({ port: 0, agentArgs: ['--runtime', 'scene'] });
    chrome = await launchChromium();
    context = await chrome.browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('[page error]', error));
    await page.addInitScript({ content: INIT_SCRIPT });
    await installMarkerProbe(page);
    await page.goto(frameway.url);
    await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
    await waitForFrames(page, { count: 20, minWidth: STREAM.width, minHeight: STREAM.height, timeoutMs: 20_000 });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await chrome?.[Symbol.asyncDispose]();
    await frameway?.[Symbol.asyncDispose]();
  });

  it('plays the stream, the keyboard reaches the agent, and it shows quality and stats', async () => {
    const result = await measureInputToPhoton(page, {
      samples: 4,
      warmup: 1,
      keys: ['KeyA', 'Space'],
      timeoutMs: 2_000,
    });
    expect(result.missed).toBe(0);
    for (const sample of result.samples) {
      expect(colorDistance(sample.before!, sample.after!)).toBeGreaterThan(MARKER_CHANGE_THRESHOLD);
    }
    await page.keyboard.press('F2');
    await expect.poll(() => page.getAttribute('#quality', 'data-level'), { timeout: 10_000 }).not.toBe('unknown');
    await expect.poll(() => page.textContent('#stats'), { timeout: 10_000 }).toContain('1280×720 H264');
    const stats = await page.evaluate(() => (window as any).framewaySession.getStats());
    const warnings = await page.evaluate(() =>
      ((window as any).framewaySession.qualityWarnings as { message: string }[]).map((w) => w.message),
    );
    expect(stats.codec).toBe('H264');
    expect(stats.presentedFps).toBeGreaterThan(0);
    console.log(
      `[client] ${stats.width}x${stats.height} ${stats.codec}: ${stats.presentedFps} fps shown, frame latency ` +
        `${stats.frameLatencyMs ?? '–'} ms (p95 ${stats.frameLatencyP95Ms ?? '–'}), jitter buffer ${stats.jitterBufferMs ?? '–'} ms, quality ${await page.getAttribute('#quality', 'data-level')} ${JSON.stringify(warnings)}`,
    );
    mkdirSync(artifacts, { recursive: true });
    await page.mouse.move(640, 400); // wake the controls for the screenshot
    await page.screenshot({ path: join(artifacts, 'client-desktop.png') });
    await page.keyboard.press('F2');
  });

  it('offers H.264 constrained baseline first and plays video in a sync group of its own, with zero playout targets', async () => {
    const media = await page.evaluate(() => {
      const pc = (window as any).framewaySession.peerConnection as RTCPeerConnection;
      const section = (sdp: string, kind: string) =>
        sdp.split(/\r\n(?=m=)/).find((s) => s.startsWith(`m=${kind}`)) ?? '';
      const offer = section(pc.localDescription!.sdp, 'video');
      const firstPt = /^m=video \d+ \S+ (\d+)/.exec(offer)![1];
      const fmtp = new RegExp(`a=fmtp:${firstPt} (.*)`).exec(offer)?.[1] ?? '';
      const rtpmap = new RegExp(`a=rtpmap:${firstPt} ([^/]+)`).exec(offer)?.[1] ?? '';
      const msid = (kind: string) => /a=msid:(\S+)/.exec(section(pc.remoteDescription!.sdp, kind))?.[1] ?? null;
      const receivers = pc.getReceivers().map((r) => ({
        kind: r.track.kind,
        jitterBufferTarget: (r as any).jitterBufferTarget,
        playoutDelayHint: (r as any).playoutDelayHint,
      }));
      const video = document.getElementById('video') as HTMLVideoElement;
      const tracks = (video.srcObject as MediaStream).getTracks().map((t) => t.kind);
      return { firstCodec: `${rtpmap} ${fmtp}`, videoMsid: msid('video'), audioMsid: msid('audio'), receivers, tracks };
    });
    console.log(
      `[client] offer's first video codec: ${media.firstCodec}; answer msid video ${media.videoMsid}, audio ${media.audioMsid}`,
    );
    expect(media.firstCodec).toMatch(/^H264 .*packetization-mode=1/);
    expect(media.firstCodec).toMatch(/profile-level-id=42e0/);
    expect(media.tracks).toEqual(['video']);
    if (media.audioMsid !== null) expect(media.audioMsid).not.toBe(media.videoMsid);
    for (const receiver of media.receivers) expect(receiver.jitterBufferTarget).toBe(0);
  });

  it('a mouse click reaches the agent at the clicked point: the player walks there', async () => {
    const before = await markerNow(page);
    const target = { x: 960, y: 540 };
    const at = await clientPoint(page, target.x, target.y);
    await page.mouse.click(at.x, at.y);
    await waitForMarkerChange(page, before);
    const player = await waitForPlayerNear(page, target.x, target.y, 12, 8_000);
    console.log(
      `[client] click at stream (${target.x}, ${target.y}); player came to (${player.x.toFixed(1)}, ${player.y.toFixed(1)})`,
    );
  });

  it('an emulated gamepad reaches the agent: a button press changes the marker, the left stick moves the player', async () => {
    const before = await markerNow(page);
    await page.evaluate(() => {
      const pad = (window as any).__pad;
      pad.connected = true;
      pad.buttons[0] = 1;
      window.dispatchEvent(new Event('gamepadconnected'));
    });
    await waitForMarkerChange(page, before);
    await expect.poll(() => page.getAttribute('#gamepads', 'data-pads')).toBe('1');
    const start = (await sampleFrame(page)).player!;
    await page.evaluate(() => {
      const pad = (window as any).__pad;
      pad.buttons[0] = 0;
      pad.axes = [-1, 0, 0, 0]; // full left
    });
    await page.waitForTimeout(600);
    await page.evaluate(() => {
      (window as any).__pad.axes = [0, 0, 0, 0];
    });
    const moved = (await sampleFrame(page, [], 6)).player!;
    console.log(
      `[client] left stick for 0.6 s moved the player from x=${start.x.toFixed(0)} to x=${moved.x.toFixed(0)}`,
    );
    expect(start.x - moved.x).toBeGreaterThan(150);
    expect(Math.abs(moved.y - start.y)).toBeLessThan(20);
  });

  it(`resumes within ${RESUME_DEADLINE_MS / 1000} s after its signaling socket drops, and input works again`, async () => {
    const outcome = await page.evaluate(async () => {
      const session = (window as any).framewaySession;
      // Only the player socket: latency probes open WebSockets of their own.
      const players = () => ((window as any).__fwSockets as WebSocket[]).filter((s) => s.url.endsWith('/ws/player'));
      const video = document.getElementById('video') as HTMLVideoElement;
      const states: string[] = [];
      const status = document.getElementById('status')!;
      const observer = new MutationObserver(() => states.push(status.dataset.state ?? ''));
      observer.observe(status, { attributes: true, attributeFilter: ['data-state'] });
      const resumed = new Promise<{ attempts: number; downtimeMs: number }>((resolve, reject) => {
        session.once('resumed', resolve);
        session.once('ended', (info: { reason: string }) => reject(new Error(`ended: ${info.reason}`)));
        setTimeout(() => reject(new Error('not resumed within 10 s')), 10_000);
      });
      const droppedAt = performance.now();
      players().at(-1)!.close(); // the page's signaling socket goes away, as on a network blip
      const info = await resumed;
      const resumedAt = performance.now();
      // Frames flow again: the first frame the new peer connection presents.
      const framesAt = await new Promise<number>((resolve) =>
        video.requestVideoFrameCallback((_now, meta) => resolve(meta.presentationTime)),
      );
      observer.disconnect();
      return {
        info,
        resumeMs: resumedAt - droppedAt,
        framesMs: framesAt - droppedAt,
        states,
        sockets: players().length,
      };
    });
    console.log(
      `[client] signaling socket dropped: resumed in ${outcome.resumeMs.toFixed(0)} ms ` +
        `(${outcome.info.attempts} attempt), frames flowing again after ${outcome.framesMs.toFixed(0)} ms; page states ${outcome.states.join(' → ')}`,
    );
    expect(outcome.framesMs).toBeLessThan(RESUME_DEADLINE_MS);
    expect(outcome.states).toContain('reconnecting');
    expect(outcome.states.at(-1)).toBe('streaming');
    expect(outcome.sockets).toBe(2);
    // The new data channels carry input to the agent.
    const result = await measureInputToPhoton(page, { samples: 2, keys: ['KeyD'], timeoutMs: 2_000 });
    expect(result.missed).toBe(0);
    const stats = await page.evaluate(() => (window as any).framewaySession.getStats());
    expect(stats.reconnects).toBe(1);
  });
});
