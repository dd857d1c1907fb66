import { StudioClient } from '@frameway/client-sdk/studio';
import { MessageType } from '@frameway/protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedChromium, launchChromium } from '../support/launchChromium.js';
import { installMarkerProbe, measureInputToPhoton, waitForFrames } from '../support/markerProbe.js';
import { pageSource } from '../support/pageSource.js';
import { missingPrerequisites } from '../support/prerequisites.js';
import { type StartedFrameway, startFrameway } from '../support/startFrameway.js';

const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
if (missing.length > 0) console.warn(`[skip] latency-aware placement end-to-end test: missing ${missing.join(', ')}`);

/** The title's round-trip budget (the gateway's default too). */
const BUDGET_MS = 30;
/**
 * Three nodes on loopback, each made to look further away by its probe echo's
 * delay (`--probe-delay-ms`): every RTT anyone measures to it (the player, peer
 * agents, the gateway) grows by that much. The margins are wide on purpose: a
 * busy 2-core machine adds a few ms of its own to every sample, never takes
 * any away, and the engine counts RTTs in one 5 ms band as equal. The nearest
 * node sits above the first band on purpose: a node measured in that band ends
 * probing at once, and while the fleet's coordinates have learned nothing the
 * landmark round can hold one node only (PlacementEngine picks the same
 * landmark again and again), so the failover would rest on predictions from
 * unlearned coordinates instead of the player's measurements.
 */
const NODES = [
  { id: 'node-far', delayMs: 45 }, // over the budget: never chosen
  { id: 'node-mid', delayMs: 20 }, // within it: the second best
  { id: 'node-near', delayMs: 8 }, // the best
] as const;
/** How long the page waits for a failover or an end before the test fails (not hangs). */
const EVENT_TIMEOUT_MS = 20_000;

/**
 * Runs before the page's scripts: records, on the player's signaling socket,
 * every probe request, the player's probe results, failovers and error
 * replies, and the time of every video frame the page presents.
 */
function recordWire(types: { probeRequest: number; probeResults: number; failover: number; error: number }): void {
  type Entry = { at: number; t: number; p: any };
  const wire: Entry[] = [];
  const frames: number[] = [];
  const scope = window as unknown as Record<string, unknown>;
  scope.__fwWire = wire;
  scope.__fwFrames = frames;
  const watched = new Set([types.probeRequest, types.probeResults, types.failover, types.error]);
  const note = (data: unknown): void => {
    if (typeof data !== 'string') return;
    try {
      const message = JSON.parse(data) as { t: number; p: unknown };
      if (watched.has(message.t)) wire.push({ at: performance.now(), t: message.t, p: message.p });
    } catch {
      // not an envelope
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      if (!String(url).endsWith('/ws/player')) return; // probe sockets echo digits only
      this.addEventListener('message', (event) => note(event.data));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (this.url.endsWith('/ws/player')) note(data);
      super.send(data);
    }
  };
  let video: HTMLVideoElement | null = null;
  const onFrame = (element: HTMLVideoElement, now: number): void => {
    if (element !== video) return;
    frames.push(now);
    if (frames.length > 20_000) frames.shift();
    element.requestVideoFrameCallback((t) => onFrame(element, t));
  };
  setInterval(() => {
    const element = document.querySelector<HTMLVideoElement>('#video');
    if (element && element !== video) {
      video = element;
      element.requestVideoFrameCallback((t) => onFrame(element, t));
    }
  }, 50);
}

const WIRE_TYPES = {
  probeRequest: MessageType.ProbeRequest,
  probeResults: MessageType.ProbeResults,
  failover: MessageType.SessionFailover,
  error: MessageType.Error,
};

interface WireEntry {
  at: number;
  t: number;
  p: any;
}

function wire(page: Page): Promise<WireEntry[]> {
  return page.evaluate(() => (window as any).__fwWire as WireEntry[]);
}

/** Player page for a studio session (token in the fragment), with the wire recorder and the marker probe. */
async function openPlayer(context: BrowserContext, playUrl: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('[page error]', error));
  await page.addInitScript({ content: pageSource(recordWire, WIRE_TYPES) });
  await installMarkerProbe(page);
  await page.goto(playUrl);
  return page;
}

describe.skipIf(missing.length > 0)(
  'latency-aware placement and failover (real gateway, 3 agents at simulated distances, Chromium)',
  () => {
    let frameway: StartedFrameway;
    let chrome: LaunchedChromium;
    let context: BrowserContext;
    let studio: StudioClient;
    let titleId: string;
    let page: Page;
    let sessionId: string;

    const createSession = async (player: string): Promise<{ id: string; playUrl: string }> => {
      const created = await studio.createSession({ titleId, playerId: `${player}-${Date.now()}` });
      return { id: created.session.id, playUrl: created.playUrl };
    };

    beforeAll(async () => {
      frameway = await startFrameway({
        port: 0,
        // The placement and failover decisions are info lines: kept for a failed test's diagnosis.
        env: { LOG_LEVEL: 'info' },
        agents: NODES.map((node) => ({
          id: node.id,
          args: ['--runtime', 'scene', '--node-key', 'ephemeral', '--probe-delay-ms', String(node.delayMs)],
        })),
        readyTimeoutMs: 60_000,
      });
      const keyLine = frameway.logs.find((l) => l.startsWith('[gateway] FRAMEWAY_STUDIO_DEMO_KEY '));
      studio = new StudioClient({ baseUrl: frameway.url, apiKey: keyLine?.split(' ')[2] ?? '' });
      const title = await studio.createTitle({
        kind: 'game',
        name: 'Placement e2e: built-in scene',
        runtime: { type: 'scene' },
        requirements: { resolution: { width: 1280, height: 720 }, fps: 30, latencyBudgetMs: BUDGET_MS },
      });
      titleId = title.id;
      chrome = await launchChromium();
      context = await chrome.browser.newContext({ viewport: { width: 1280, height: 800 } });
    });

    afterEach(({ task }) => {
      if (task.result?.state !== 'fail') return;
      // The placement, failover and node lines of every process, to see what the gateway decided.
      const lines = frameway?.logs.filter((l) => l.startsWith('[gateway]')) ?? [];
      console.error(lines.slice(-60).join('\n'));
    });

    afterAll(async () => {
      await context?.close().catch(() => undefined);
      await chrome?.[Symbol.asyncDispose]();
      await frameway?.[Symbol.asyncDispose]();
    });

    it('probes the nodes from the browser and places the player on the nearest one within budget', async () => {
      const session = await createSession('near-player');
      sessionId = session.id;
      page = await openPlayer(context, session.playUrl);
      await page.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
      await waitForFrames(page, { count: 20, minWidth: 1280, minHeight: 720, timeoutMs: 20_000 });

      // What the gateway asked the player to probe, and what the browser measured.
      const entries = await wire(page);
      const requests = entries.filter((e) => e.t === MessageType.ProbeRequest);
      const results = entries.filter((e) => e.t === MessageType.ProbeResults);
      expect(requests.length).toBeGreaterThanOrEqual(1);
      expect(results.length).toBe(requests.length);
      const probed = new Set(requests.flatMap((r) => (r.p.targets as { id: string }[]).map((t) => t.id)));
      const rtt = new Map<string, number>();
      for (const result of results.flatMap((r) => r.p.results as { id: string; minRttMs?: number }[])) {
        if (result.minRttMs !== undefined)
          rtt.set(result.id, Math.min(rtt.get(result.id) ?? Infinity, result.minRttMs));
      }
      console.log(
        `[placement] ${requests.length} probe round(s) of ${[...probed].join(', ')}; browser-measured min RTT: ${[
          ...rtt,
        ]
          .map(([id, ms]) => `${id} ${ms.toFixed(1)} ms`)
          .join(', ')}`,
      );
      // The simulated distance is what the player measures: each node's RTT is at least its delay.
      for (const node of NODES) {
        if (rtt.has(node.id)) expect(rtt.get(node.id)).toBeGreaterThanOrEqual(node.delayMs);
      }
      expect(rtt.get('node-near')).toBeLessThan(BUDGET_MS);
      for (const [id, ms] of rtt) if (id !== 'node-near') expect(ms).toBeGreaterThan(rtt.get('node-near')!);

      // The gateway's view (studio REST): on the nearest node.
      const live = await studio.getSession(sessionId);
      expect(live).toMatchObject({ state: 'streaming', nodeId: 'node-near', failovers: 0 });
      expect(live.history.map((h) => h.type)).toEqual(['created', 'placed', 'streaming']);
    });

    it('moves the session to the next-best node when its node is killed, and the picture and input come back', async () => {
      expect(sessionId).toBeDefined();
      const killAt = await page.evaluate((timeoutMs) => {
        const scope = window as any;
        scope.__fwFailover = new Promise((resolve, reject) => {
          scope.framewaySession.once('failover', (info: unknown) => resolve({ info, at: performance.now() }));
          setTimeout(() => reject(new Error(`no failover within ${timeoutMs} ms`)), timeoutMs);
        });
        scope.__fwEnded = null;
        scope.framewaySession.once('ended', (info: unknown) => {
          scope.__fwEnded = info;
        });
        return performance.now();
      }, EVENT_TIMEOUT_MS);
      const killedAt = Date.now();
      await frameway.killAgent('node-near');

      const failover = (await page.evaluate(() => (window as any).__fwFailover)) as {
        info: { fromNodeId: string; toNodeId: string; reason: string };
        at: number;
      };
      expect(failover.info).toMatchObject({ fromNodeId: 'node-near', toNodeId: 'node-mid', reason: 'node_lost' });

      // Frames flow again on the same peer connection: the new node's stream, at full size.
      await page.waitForSelector('#status[data-state="streaming"]', { timeout: 20_000 });
      await waitForFrames(page, { count: 30, minWidth: 1280, minHeight: 720, timeoutMs: 20_000 });
      // The freeze: the longest gap between presented frames from the last one before the kill on.
      // A few frames of the dead node may still arrive after the failover was announced.
      const all = (await page.evaluate(() => (window as any).__fwFrames as number[])) ?? [];
      const lastBeforeKill = all.findLastIndex((t) => t <= killAt);
      const frames = all.slice(Math.max(0, lastBeforeKill));
      let freeze = { ms: 0, until: Number.NaN };
      for (let i = 1; i < frames.length; i++) {
        const gap = frames[i]! - frames[i - 1]!;
        if (gap > freeze.ms) freeze = { ms: gap, until: frames[i]! };
      }
      expect(frames.filter((t) => t > failover.at).length).toBeGreaterThanOrEqual(30);

      // Input reaches the new node: key presses change the marker in its picture.
      const input = await measureInputToPhoton(page, {
        samples: 3,
        warmup: 1,
        keys: ['KeyA', 'Space'],
        timeoutMs: 3_000,
      });
      expect(input.missed).toBe(0);

      const live = await studio.getSession(sessionId);
      expect(live).toMatchObject({ state: 'streaming', nodeId: 'node-mid', failovers: 1 });
      expect(live.history.map((h) => h.type)).toContain('failed_over');
      expect(await page.evaluate(() => (window as any).__fwEnded)).toBeNull();
      expect(await page.getAttribute('#status', 'data-state')).toBe('streaming');
      console.log(
        `[placement] killed node-near: failover to ${failover.info.toNodeId} announced after ${(failover.at - killAt).toFixed(0)} ms, ` +
          `frames resumed ${(freeze.until - killAt).toFixed(0)} ms after the kill (longest freeze ${freeze.ms.toFixed(0)} ms), ` +
          `input-to-photon on the new node ${input.samples.map((s) => s.latencyMs?.toFixed(0)).join('/')} ms; ` +
          `${Date.now() - killedAt} ms in all`,
      );
    });

    it('with no node left within budget: FW_ERR_NO_NODE_IN_BUDGET naming the nearest node, and "play anyway" there', async () => {
      expect(sessionId).toBeDefined();
      // The running session: its node dies and the only node left is over budget.
      const ended = page.evaluate(
        (timeoutMs) =>
          new Promise<{ reason: string; code?: string; message?: string }>((resolve, reject) => {
            const scope = window as any;
            if (scope.__fwEnded) resolve(scope.__fwEnded);
            else scope.framewaySession.once('ended', resolve);
            setTimeout(() => reject(new Error(`the session did not end within ${timeoutMs} ms`)), timeoutMs);
          }),
        EVENT_TIMEOUT_MS,
      );
      await frameway.killAgent('node-mid');
      const info = await ended;
      expect(info).toMatchObject({ reason: 'agent_lost', code: 'FW_ERR_NO_NODE_IN_BUDGET' });
      expect(info.message).toMatch(/nearest free node node-far at \d+(\.\d+)? ms/);
      await expect.poll(() => page.getAttribute('#status', 'data-state')).toBe('ended');
      expect(await page.getAttribute('#status', 'data-code')).toBe('FW_ERR_NO_NODE_IN_BUDGET');

      // A new player: it probes what is left and is refused with the best alternative in the details.
      const next = await createSession('far-player');
      const late = await openPlayer(context, next.playUrl);
      await late.waitForSelector('#status[data-state="error"]', { timeout: 30_000 });
      expect(await late.getAttribute('#status', 'data-code')).toBe('FW_ERR_NO_NODE_IN_BUDGET');
      const entries = await wire(late);
      const probedIds = entries
        .filter((e) => e.t === MessageType.ProbeResults)
        .flatMap((e) => (e.p.results as { id: string }[]).map((r) => r.id));
      expect(probedIds).toContain('node-far');
      const error = entries.find((e) => e.t === MessageType.Error)?.p as
        | { code: string; message: string; details?: { budgetMs: number; best: { nodeId: string; rttMs: number } } }
        | undefined;
      expect(error).toMatchObject({
        code: 'FW_ERR_NO_NODE_IN_BUDGET',
        details: { budgetMs: BUDGET_MS, best: { nodeId: 'node-far', source: 'measured' } },
      });
      expect(error!.details!.best.rttMs).toBeGreaterThanOrEqual(45);
      // Refused, not ended: the session stays unplaced, so the same token can join once a node fits.
      expect(await studio.getSession(next.id)).toMatchObject({ state: 'placing', nodeId: null });
      console.log(`[placement] no fit for a new player: ${error!.message}`);

      // The page offers to play there anyway; accepting places the same session on node-far and it streams.
      const offer = await late.textContent('#restart');
      expect(offer).toMatch(/^Play anyway \(\d+ ms\)$/);
      await late.click('#restart');
      await late.waitForURL(/acceptOverBudget=1/);
      await late.waitForSelector('#status[data-state="streaming"]', { timeout: 30_000 });
      expect(await studio.getSession(next.id)).toMatchObject({ nodeId: 'node-far' });
      console.log(`[placement] accepted "${offer}": streaming from node-far`);
      await late.close();
    });
  },
);
