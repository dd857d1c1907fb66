import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GamepadButton, InputEventType, NavKey, Orientation } from '@frameway/protocol';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
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
// A phone in portrait, as a mobile browser reports it.
const PHONE = { width: 390, height: 844 };

/** Replaces navigator.getGamepads with one pad the test drives through `window.__pad`. */
const FAKE_GAMEPAD_SCRIPT = `(() => {
  const pad = { connected: false, buttons: new Array(17).fill(0), axes: [0, 0, 0, 0] };
  window.__pad = pad;
  navigator.getGamepads = () => [
    pad.connected
      ? {
          index: 0,
          id: 'Frameway Test Pad (STANDARD GAMEPAD Vendor: 0000 Product: 0000)',
          connected: true,
          mapping: 'standard',
          timestamp: performance.now(),
          buttons: pad.buttons.map((value) => ({ pressed: value > 0.25, touched: value > 0, value })),
          axes: [...pad.axes],
        }
      : null,
    null,
    null,
    null,
  ];
})();`;
// A 1000x700 window showing 16:9 video: 1000x562.5 content with 68.75 px bars above and below.
const VIEWPORT = { width: 1000, height: 700 };
const BAR = 68.75;
const CONTENT_HEIGHT = 562.5;

describe.skipIf(!canRun)('web player in Chromium', () => {
  let webRoot: string;
  let browser: Browser;
  let gateway: FakeGateway | undefined;
  let page: Page | undefined;
  let context: BrowserContext | undefined;

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
    await context?.close();
    await gateway?.close();
    page = undefined;
    context = undefined;
    gateway = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  async function open(
    options: Omit<FakeGatewayOptions, 'webRoot'> = {},
    path = '/',
    setup?: { mobile?: boolean; initScript?: string; clipboard?: boolean },
  ): Promise<Page> {
    gateway = await FakeGateway.start({ webRoot, ...options });
    context = await browser.newContext(
      setup?.mobile
        ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
        : { viewport: VIEWPORT },
    );
    if (setup?.clipboard)
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gateway.url });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('[page error]', error));
    if (setup?.initScript) await page.addInitScript({ content: setup.initScript });
    await page.goto(`${gateway.url}${path}`);
    return page;
  }

  /** Input events of one type the fake gateway received, over every socket of the session. */
  const received = (type: number) =>
    [...gateway!.input.reliable, ...gateway!.input.motion].filter((e) => e.type === type);

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

  it('resumes on a new socket and peer connection when the gateway drops the socket, and input flows again', async () => {
    const p = await open();
    await status(p, '[data-state="streaming"]');
    const token = gateway!.players[0]?.received[0];
    gateway!.dropSockets();
    await status(p, '[data-state="streaming"]');
    await expect.poll(() => gateway!.players.length).toBe(2);
    expect(gateway!.players[1]?.received[0]).toMatchObject({
      t: 200,
      p: { token: (token as { p: { token: string } }).p.token },
    });
    // The rejoined session reports `starting` until the gateway says it streams again.
    await expect
      .poll(() => p.evaluate(() => (window as any).framewaySession.state), { timeout: 10_000 })
      .toBe('streaming');
    await p.keyboard.press('KeyQ');
    await expect.poll(() => gateway!.players[1]?.input.reliable.length, { timeout: 10_000 }).toBe(2);
  }, 60_000);

  it('renegotiates on the same socket when only the media path dies', async () => {
    // With video, the frozen picture plus silence on the wire gives it away in ~2 s; without, ICE does in ~10 s.
    const p = await open(withVideo ? { video: VIDEO } : {});
    await status(p, '[data-state="streaming"]');
    if (withVideo) {
      // Steady video first: freeze detection needs the frame rate it is judged against.
      await p.waitForFunction(
        () => (document.getElementById('video') as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 30,
        null,
        { timeout: 20_000 },
      );
    }
    const droppedAt = Date.now();
    const resumed = p.evaluate(
      () =>
        new Promise<number>((resolve) =>
          (window as any).framewaySession.once('resumed', (info: { attempts: number }) => resolve(info.attempts)),
        ),
    );
    await gateway!.dropMedia();
    expect(await resumed).toBe(1);
    console.log(`[client-sdk] media path dropped: resumed after ${Date.now() - droppedAt} ms`);
    expect(gateway!.players).toHaveLength(1);
    expect(gateway!.players[0]?.received.filter((m) => m.t === 202)).toHaveLength(2);
    await status(p, '[data-state="streaming"]');
  }, 60_000);

  it('ends with connection_lost and the gateway code when the rejoin after a drop is refused', async () => {
    const p = await open({ refuseRejoin: 'FW_ERR_SESSION_ENDED' });
    await status(p, '[data-state="streaming"]');
    gateway!.dropSockets();
    await status(p, '[data-state="ended"][data-reason="connection_lost"][data-code="FW_ERR_SESSION_ENDED"]');
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

  it('sends gamepads read through the Gamepad API, only when they change, and says when one connects', async () => {
    const p = await open({}, '/', { initScript: FAKE_GAMEPAD_SCRIPT });
    await status(p, '[data-state="streaming"]');
    await p.evaluate(() => {
      const pad = (window as any).__pad;
      pad.connected = true;
      pad.buttons[0] = 1; // A
      pad.buttons[7] = 0.5; // right trigger, half way
      pad.axes = [1, -1, 0, 0.5]; // left stick right and up, right stick half down
      window.dispatchEvent(new Event('gamepadconnected'));
    });
    await expect.poll(() => received(InputEventType.GamepadState).length, { timeout: 10_000 }).toBe(1);
    expect(received(InputEventType.GamepadConnect)).toEqual([{ type: InputEventType.GamepadConnect, pad: 0 }]);
    expect(received(InputEventType.GamepadState)[0]).toEqual({
      type: InputEventType.GamepadState,
      pad: 0,
      buttons: GamepadButton.A,
      leftTrigger: 0,
      rightTrigger: 128,
      lx: 32767,
      ly: 32767,
      rx: 0,
      ry: -16383, // -0.5 × 32767, rounded
    });
    expect(await p.textContent('#toast')).toContain('Gamepad connected: Frameway Test Pad (player 1)');
    expect(await p.getAttribute('#gamepads', 'data-pads')).toBe('1');
    await p.waitForTimeout(300); // many frames polled, nothing changed: nothing more sent
    expect(received(InputEventType.GamepadState)).toHaveLength(1);
    await p.evaluate(() => {
      (window as any).__pad.buttons[0] = 0;
    });
    await expect.poll(() => received(InputEventType.GamepadState).length).toBe(2);
    expect(received(InputEventType.GamepadState)[1]).toMatchObject({ buttons: 0 });
    await p.evaluate(() => {
      (window as any).__pad.connected = false;
    });
    await expect
      .poll(() => received(InputEventType.GamepadDisconnect))
      .toEqual([{ type: InputEventType.GamepadDisconnect, pad: 0 }]);
  }, 60_000);

  it('sends the clipboard ahead of Ctrl+V on the game page', async () => {
    const p = await open({}, '/', { clipboard: true });
    await status(p, '[data-state="streaming"]');
    await p.evaluate(() => navigator.clipboard.writeText('copied in the browser'));
    await p.keyboard.press('Control+V');
    await expect
      .poll(() => gateway!.input.reliable.filter((e) => e.type !== InputEventType.KeyUp).slice(-2), { timeout: 10_000 })
      .toEqual([
        { type: InputEventType.Clipboard, text: 'copied in the browser' },
        { type: InputEventType.KeyDown, usage: 0x19, modifiers: 2 },
      ]);
  }, 60_000);

  it('phone page: soft keyboard text, an IME commit and editing keys reach the phone', async () => {
    const p = await open({}, '/phone', { mobile: true });
    await status(p, '[data-state="streaming"]');
    await p.tap('#keyboard-toggle');
    expect(await p.evaluate(() => document.activeElement?.id)).toBe('text-input');
    await p.keyboard.insertText('héllo');
    const cdp = await context!.newCDPSession(p);
    await cdp.send('Input.imeSetComposition', { text: 'にほ', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.imeSetComposition', { text: '日本', selectionStart: 2, selectionEnd: 2 });
    await cdp.send('Input.insertText', { text: '日本' });
    await p.keyboard.press('Backspace');
    await p.keyboard.press('Enter');
    await expect
      .poll(() => gateway!.input.reliable.filter((e) => e.type !== InputEventType.Orientation), { timeout: 10_000 })
      .toEqual([
        { type: InputEventType.Text, text: 'héllo' },
        { type: InputEventType.Text, text: '日本' },
        { type: InputEventType.KeyDown, usage: 0x2a, modifiers: 0 },
        { type: InputEventType.KeyUp, usage: 0x2a, modifiers: 0 },
        { type: InputEventType.KeyDown, usage: 0x28, modifiers: 0 },
        { type: InputEventType.KeyUp, usage: 0x28, modifiers: 0 },
      ]);
    expect(await p.inputValue('#text-input')).toBe('');
  }, 60_000);

  it('phone page: navigation buttons press and release NavKeys; paste sends the clipboard', async () => {
    const p = await open({}, '/phone', { mobile: true, clipboard: true });
    await status(p, '[data-state="streaming"]');
    await p.tap('#nav-back');
    const home = await p.locator('#nav-home').boundingBox();
    const cdp = await context!.newCDPSession(p);
    const point = { x: home!.x + home!.width / 2, y: home!.y + home!.height / 2, id: 5 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    await expect.poll(() => received(InputEventType.NavKey).length, { timeout: 10_000 }).toBe(3);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect
      .poll(() => received(InputEventType.NavKey), { timeout: 10_000 })
      .toEqual([
        { type: InputEventType.NavKey, key: NavKey.Back, down: true },
        { type: InputEventType.NavKey, key: NavKey.Back, down: false },
        { type: InputEventType.NavKey, key: NavKey.Home, down: true },
        { type: InputEventType.NavKey, key: NavKey.Home, down: false },
      ]);
    await p.evaluate(() => navigator.clipboard.writeText('to the phone'));
    await p.tap('#paste');
    await expect
      .poll(() => received(InputEventType.Clipboard), { timeout: 10_000 })
      .toEqual([{ type: InputEventType.Clipboard, text: 'to the phone' }]);
  }, 60_000);

  it('phone page: tells the phone its orientation, and again when it turns', async () => {
    const p = await open({}, '/phone', { mobile: true });
    await status(p, '[data-state="streaming"]');
    await expect
      .poll(() => received(InputEventType.Orientation), { timeout: 10_000 })
      .toEqual([{ type: InputEventType.Orientation, orientation: Orientation.Portrait }]);
    await p.setViewportSize({ width: PHONE.height, height: PHONE.width });
    await expect
      .poll(() => received(InputEventType.Orientation).at(-1), { timeout: 10_000 })
      .toEqual({
        type: InputEventType.Orientation,
        orientation: Orientation.Landscape,
      });
    expect(await p.getAttribute('#phone', 'data-orientation')).toBe('landscape');
  }, 60_000);

  it.skipIf(!withVideo)(
    'phone page: fingers on the video are touches with ids and letterbox-mapped coordinates',
    async () => {
      const p = await open({ video: VIDEO }, '/phone', { mobile: true });
      await status(p, '[data-state="streaming"]');
      await p.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, {
        timeout: 20_000,
      });
      const box = await p.evaluate(() => {
        const r = document.getElementById('video')!.getBoundingClientRect();
        return { left: r.left, top: r.top, width: r.width, height: r.height };
      });
      // object-fit: contain of 16:9 in the stage: full width, centred vertically.
      const contentHeight = (box.width * VIDEO.height) / VIDEO.width;
      const at = (fx: number, fy: number, id: number) => ({
        x: box.left + box.width * fx,
        y: box.top + (box.height - contentHeight) / 2 + contentHeight * fy,
        id,
      });
      const cdp = await context!.newCDPSession(p);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.25, 0.25, 1)] });
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchStart',
        touchPoints: [at(0.25, 0.25, 1), at(0.75, 0.5, 2)],
      });
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [at(0.3, 0.25, 1), at(0.75, 0.75, 2)],
      });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [at(0.3, 0.25, 1)] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await expect.poll(() => received(InputEventType.TouchUp).length, { timeout: 10_000 }).toBe(2);
      const near = (value: number, fraction: number) => Math.abs(value - fraction * 0xffff) < 0xffff * 0.01;
      const touches = [...gateway!.input.reliable, ...gateway!.input.motion].filter(
        (e) => e.type >= InputEventType.TouchDown && e.type <= InputEventType.TouchCancel,
      ) as { type: number; id: number; x: number; y: number }[];
      const downs = touches.filter((e) => e.type === InputEventType.TouchDown);
      expect(downs.map((e) => e.id)).toEqual([0, 1]);
      expect(near(downs[0]!.x, 0.25) && near(downs[0]!.y, 0.25)).toBe(true);
      expect(near(downs[1]!.x, 0.75) && near(downs[1]!.y, 0.5)).toBe(true);
      const moves = touches.filter((e) => e.type === InputEventType.TouchMove);
      expect(moves.some((e) => e.id === 1 && near(e.y, 0.75))).toBe(true);
      const ups = touches.filter((e) => e.type === InputEventType.TouchUp);
      expect(ups.map((e) => e.id).sort()).toEqual([0, 1]);
    },
    60_000,
  );

  it('phone page: the on-screen gamepad plays pad 0 with its stick and buttons', async () => {
    const p = await open({}, '/phone', { mobile: true });
    await status(p, '[data-state="streaming"]');
    await p.tap('#gamepad-toggle');
    await expect
      .poll(() => received(InputEventType.GamepadConnect), { timeout: 10_000 })
      .toEqual([{ type: InputEventType.GamepadConnect, pad: 0 }]);
    const stick = await p.locator('.fw-vpad__stick').boundingBox();
    const a = await p.locator('[data-button="A"]').boundingBox();
    const cdp = await context!.newCDPSession(p);
    const centre = { x: stick!.x + stick!.width / 2, y: stick!.y + stick!.height / 2, id: 1 };
    const right = { ...centre, x: centre.x + stick!.width }; // past the rim: full right
    const button = { x: a!.x + a!.width / 2, y: a!.y + a!.height / 2, id: 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [centre] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [right] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [right, button] });
    await expect
      .poll(() => received(InputEventType.GamepadState).at(-1), { timeout: 10_000 })
      .toMatchObject({ pad: 0, buttons: GamepadButton.A, lx: 32767, ly: 0 });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expect
      .poll(() => received(InputEventType.GamepadState).at(-1), { timeout: 10_000 })
      .toMatchObject({ pad: 0, buttons: 0, lx: 0, ly: 0 });
    // Nothing of the pad reached the video as a touch.
    expect(received(InputEventType.TouchDown)).toEqual([]);
  }, 60_000);

  it('sends PlayerLeave when the page goes away', async () => {
    const p = await open();
    await status(p, '[data-state="streaming"]');
    await p.goto('about:blank');
    await expect.poll(() => gateway!.players[0]?.received.some((m) => m.t === 205), { timeout: 10_000 }).toBe(true);
  }, 60_000);
});
