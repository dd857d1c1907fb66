import type { Browser, Page } from 'playwright-core';
import {
  type InputSample,
  installMarkerProbe,
  measureInputToPhoton,
  waitForFrames,
} from '../../support/markerProbe.js';
import { type AppliedStep, analyzeSession, type SessionFigures } from './analyzeSession.js';
import type { ImpairmentCounters, LinkImpairer, UdpFlow } from './LinkImpairer.js';
import { dumpMonitor, installNetworkMonitor, latestStats, pageClock } from './pageMonitor.js';
import { treeCpuSeconds } from './processCpu.js';
import type { ImpairmentStep, ScheduledStep } from './scenarios.js';

export const VIEWPORT = { width: 1280, height: 720 } as const;

export interface NetworkSessionOptions {
  durationMs: number;
  /** Unimpaired streaming before the window: the reference frame rate, and the sender past its start-up. */
  settleMs: number;
  steps: readonly ScheduledStep[];
  impairer: LinkImpairer;
  /** Key-down to key-down, drawn uniformly from this range. */
  intervalMs: readonly [number, number];
  random: () => number;
  signal: AbortSignal;
  /** Processes whose CPU time (with their children) is reported. */
  pids: { gateway: number; agent: number };
}

export interface NetworkSessionResult {
  figures: SessionFigures;
  samples: InputSample[];
  /** The steps as applied, seconds into the window: the command started at `issuedS` and returned at `atS`. */
  applied: { issuedS: number; atS: number; step: ImpairmentStep }[];
  impairment: ImpairmentCounters;
  /** Share of one core over the window. */
  cpu: { gateway: number; agent: number };
  /** The gateway → browser media flow (what a cap shapes). */
  flow: UdpFlow;
}

/**
 * One streaming session under impairment: opens the player in a fresh
 * context, waits for steady full-size video, then for `durationMs` applies
 * the scenario's steps on schedule while pressing keys, and reads back what
 * the page recorded. The impairer is cleared before this returns.
 */
export async function measureNetworkSession(
  browser: Browser,
  url: string,
  options: NetworkSessionOptions,
): Promise<NetworkSessionResult> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await installNetworkMonitor(page);
    await installMarkerProbe(page);
    await page.goto(url);
    await page.waitForSelector('#status[data-state="streaming"]', { state: 'attached', timeout: 30_000 });
    await waitForFrames(page, { count: 30, minWidth: VIEWPORT.width, minHeight: VIEWPORT.height, timeoutMs: 20_000 });
    const flow = await mediaFlow(page);
    await sleep(options.settleMs, options.signal);
    return await measureWindow(page, flow, options);
  } finally {
    await options.impairer.close();
    await context.close().catch(() => {});
  }
}

async function measureWindow(page: Page, flow: UdpFlow, options: NetworkSessionOptions): Promise<NetworkSessionResult> {
  const { impairer, durationMs, signal } = options;
  const toPage = await pageClock(page);
  await impairer.start();
  const cpu0 = treeCpuSeconds([options.pids.gateway, options.pids.agent]);
  const startEpoch = epoch();
  const start = toPage(startEpoch);
  const deadline = startEpoch + durationMs;

  const applied: AppliedStep[] = [];
  const timeline = (async () => {
    for (const scheduled of [...options.steps].sort((a, b) => a.atMs - b.atMs)) {
      await sleep(startEpoch + scheduled.atMs - epoch(), signal);
      const issuedAt = toPage(epoch());
      await applyStep(impairer, flow, scheduled.step);
      // The rule took effect while the command ran: after issuedAt, by `at` for certain.
      applied.push({ issuedAt, at: toPage(epoch()), step: scheduled.step });
    }
  })();
  const presses = (async () => {
    const samples: InputSample[] = [];
    // One press per call, so the window ends on time however long presses wait; a press waits up
    // to 1 s for its change, so the last one starts a second before the end.
    while (epoch() < deadline - 1_000) {
      const chunk = await measureInputToPhoton(page, {
        samples: 1,
        intervalMs: options.intervalMs,
        random: options.random,
        signal,
      });
      samples.push(...chunk.samples);
    }
    return samples;
  })();
  // Both run to the end; a failing step must not leave the presses running on a closing page.
  const [timelineResult, pressResult] = await Promise.allSettled([timeline, presses]);
  await sleep(deadline - epoch(), signal);
  const endEpoch = epoch();
  const cpu1 = treeCpuSeconds([options.pids.gateway, options.pids.agent]);
  const impairment = await impairer.counters();
  await impairer.close();
  if (timelineResult.status === 'rejected') throw timelineResult.reason;
  if (pressResult.status === 'rejected') throw pressResult.reason;

  const end = toPage(endEpoch);
  const dump = await dumpMonitor(page, start - options.settleMs);
  const wallS = (endEpoch - startEpoch) / 1000;
  return {
    figures: analyzeSession({
      start,
      end,
      frames: dump.frames,
      stats: dump.stats,
      states: dump.states,
      steps: applied,
    }),
    samples: pressResult.value,
    applied: applied.map((a) => ({ issuedS: (a.issuedAt - start) / 1000, atS: (a.at - start) / 1000, step: a.step })),
    impairment,
    cpu: { gateway: (cpu1[0]! - cpu0[0]!) / wallS, agent: (cpu1[1]! - cpu0[1]!) / wallS },
    flow,
  };
}

async function applyStep(impairer: LinkImpairer, flow: UdpFlow, step: ImpairmentStep): Promise<void> {
  switch (step.kind) {
    case 'loss':
      return impairer.setLoss(step.percent);
    case 'cap':
      return impairer.capFlow(flow, step.kbps);
    case 'uncap':
      return impairer.releaseCap();
    case 'blackout':
      return impairer.setBlackout(step.on);
    case 'delay':
      return impairer.setDelay(step.ms, step.jitterMs);
    default:
      return step satisfies never;
  }
}

/** The selected candidate pair: the gateway's port sends, the browser's receives. */
async function mediaFlow(page: Page): Promise<UdpFlow> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const stats = await latestStats(page);
    if (stats?.localPort != null && stats.remotePort != null) {
      return { sourcePort: stats.remotePort, destinationPort: stats.localPort };
    }
    await sleep(100);
  }
  throw new Error('no selected candidate pair in getStats() within 5 s');
}

function epoch(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
