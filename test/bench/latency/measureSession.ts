import type { Browser } from 'playwright-core';
import {
  type FpsSample,
  type InputSample,
  installMarkerProbe,
  measureFps,
  measureInputToPhoton,
  type ProbeStats,
  probeStats,
  waitForFrames,
} from '../../support/markerProbe.js';
import {
  collectInboundVideoStats,
  type InboundVideoStats,
  trackPeerConnections,
} from '../../support/peerConnectionStats.js';

export const VIEWPORT = { width: 1280, height: 720 } as const;

export interface SessionOptions {
  samples: number;
  warmup: number;
  intervalMs: readonly [number, number];
  random: () => number;
  signal: AbortSignal;
  /** Frame rates are measured over this window while the presses run. */
  fpsWindowMs: number;
}

export interface SessionResult {
  samples: InputSample[];
  missed: number;
  uncertain: number;
  fps: FpsSample | null;
  webrtc: InboundVideoStats | null;
  probe: ProbeStats;
  durationMs: number;
}

/**
 * One streaming session: opens `url` in a fresh browser context (so a new
 * peer connection and a new server-side session), waits for steady
 * full-size video, presses keys and measures, then closes the context.
 */
export async function measureSession(browser: Browser, url: string, options: SessionOptions): Promise<SessionResult> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await trackPeerConnections(page);
    await installMarkerProbe(page);
    await page.goto(url);
    await page.waitForSelector('#status[data-state="streaming"]', { state: 'attached', timeout: 30_000 });
    // Half a second of full-size frames: past the first keyframe and the encoder's start-up.
    await waitForFrames(page, { count: 30, minWidth: VIEWPORT.width, minHeight: VIEWPORT.height, timeoutMs: 20_000 });

    // Frame rate while the presses run, not on an idle stream. Caught here:
    // if the presses fail first, the page closes under it.
    const fps = measureFps(page, options.fpsWindowMs).catch(() => null);
    const result = await measureInputToPhoton(page, {
      samples: options.samples,
      warmup: options.warmup,
      intervalMs: options.intervalMs,
      random: options.random,
      signal: options.signal,
    });
    return {
      samples: result.samples,
      missed: result.missed,
      uncertain: result.uncertain,
      fps: await fps,
      webrtc: await collectInboundVideoStats(page),
      probe: await probeStats(page),
      durationMs: result.durationMs,
    };
  } finally {
    await context.close().catch(() => {});
  }
}
