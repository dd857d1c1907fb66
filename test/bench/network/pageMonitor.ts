/// <reference lib="dom" />
/**
 * Page-side recorder for the network bench: every presented video frame
 * (requestVideoFrameCallback: presentedFrames, RTP timestamp, size) and, every
 * `statsIntervalMs`, the video receiver's inbound-rtp counters, the selected
 * candidate pair and the player's StreamQuality (the SDK's `streamQuality` event).
 * Nothing is judged in the page; Node reads the raw series and
 * analyzeSession.ts turns them into figures. Times are page
 * `performance.now()` ms.
 */
import type { Page } from 'playwright-core';
import { pageSource } from '../../support/pageSource.js';

/** One `requestVideoFrameCallback`. */
export interface MonitorFrame {
  /** The callback's `now` (begin-frame time of the refresh that shows it). */
  at: number;
  presentationTime: number;
  /** Frames the compositor presented so far (counts those no callback saw). */
  presented: number;
  rtpTimestamp: number | null;
  /** Arrival of the frame's last packet. */
  receivedAt: number | null;
  width: number;
  height: number;
}

/** What the SDK reports the gateway sends (StreamQuality), when the page exposes it. */
export interface MonitorQuality {
  targetKbps: number;
  estimateKbps: number;
  width: number;
  height: number;
  fps: number;
}

/** One getStats() sample of the video receiver. Counters are cumulative, as Chromium reports them. */
export interface MonitorStats {
  at: number;
  /** inbound-rtp (kind video): every numeric field Chromium reports, by its own name. */
  inbound: Record<string, number>;
  /** Browser side of the selected candidate pair (the media flow's destination). */
  localPort: number | null;
  /** Gateway side of the selected candidate pair (the media flow's source). */
  remotePort: number | null;
  quality: MonitorQuality | null;
}

/** A change of the player's `#status` (data-state and, once ended, why). */
export interface MonitorState {
  at: number;
  state: string;
  reason: string | null;
  /** The status line's title: the error code and message when the session failed or ended. */
  detail: string | null;
}

export interface MonitorDump {
  frames: MonitorFrame[];
  stats: MonitorStats[];
  states: MonitorState[];
  /** Frames dropped from the page's ring before they were read. */
  lostFrames: number;
}

interface MonitorOptions {
  videoSelector: string;
  statsIntervalMs: number;
  maxFrames: number;
  maxStats: number;
}

const GLOBAL = '__framewayNetworkMonitor';
const DEFAULTS: MonitorOptions = { videoSelector: '#video', statsIntervalMs: 250, maxFrames: 30_000, maxStats: 4_000 };

interface PageMonitor {
  latest(): MonitorStats | null;
  dump(arg: { from: number }): MonitorDump;
  now(): { now: number; timeOrigin: number };
}

/** Runs in the page; self-contained because it is shipped as source text. */
function installMonitorInPage(globalName: string, options: MonitorOptions): void {
  const scope = globalThis as unknown as Record<string, unknown>;
  if (scope[globalName]) return;

  // Every peer connection the page makes, so stats can be read without the player's cooperation.
  const connections: RTCPeerConnection[] = [];
  const Native = globalThis.RTCPeerConnection;
  if (typeof Native === 'function') {
    class MonitoredPeerConnection extends Native {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        connections.push(this);
      }
    }
    globalThis.RTCPeerConnection = MonitoredPeerConnection;
  }

  const frames: MonitorFrame[] = [];
  const stats: MonitorStats[] = [];
  const states: MonitorState[] = [];
  let lostFrames = 0;
  let video: HTMLVideoElement | null = null;

  const onFrame = (element: HTMLVideoElement, now: number, meta: VideoFrameCallbackMetadata): void => {
    if (element !== video) return;
    element.requestVideoFrameCallback((t, m) => onFrame(element, t, m));
    frames.push({
      at: now,
      presentationTime: meta.presentationTime,
      presented: meta.presentedFrames,
      rtpTimestamp: meta.rtpTimestamp ?? null,
      receivedAt: meta.receiveTime ?? null,
      width: meta.width,
      height: meta.height,
    });
    if (frames.length > options.maxFrames) {
      frames.shift();
      lostFrames += 1;
    }
  };
  setInterval(() => {
    const element = document.querySelector<HTMLVideoElement>(options.videoSelector);
    if (element && element !== video && typeof element.requestVideoFrameCallback === 'function') {
      video = element;
      element.requestVideoFrameCallback((t, m) => onFrame(element, t, m));
    }
  }, 50);

  // The player's StreamQuality: its `streamQuality` event carries all of it; the SDK's `stats`
  // samples repeat target and estimate, which covers a message sent before this subscribed.
  let quality: MonitorQuality | null = null;
  let subscribed: unknown = null;
  const readQuality = (): MonitorQuality | null => {
    const session = (globalThis as unknown as { framewaySession?: { on?: unknown } }).framewaySession;
    if (!session || subscribed === session || typeof session.on !== 'function') return quality;
    subscribed = session;
    const on = session.on as (event: string, listener: (value: Record<string, unknown>) => void) => void;
    on.call(session, 'streamQuality', (q) => {
      quality = q as unknown as MonitorQuality;
    });
    on.call(session, 'stats', (s) => {
      if (typeof s.targetKbps !== 'number') return;
      const estimateKbps = typeof s.estimateKbps === 'number' ? s.estimateKbps : 0;
      quality = { width: 0, height: 0, fps: 0, ...quality, targetKbps: s.targetKbps, estimateKbps };
    });
    return quality;
  };

  const sample = async (): Promise<MonitorStats | null> => {
    for (const pc of connections) {
      if (!pc.getReceivers().some((r) => r.track.kind === 'video')) continue;
      const report = await pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      report.forEach((entry: Record<string, unknown>) => {
        byId.set(entry.id as string, entry);
      });
      const all = [...byId.values()];
      const inboundEntry = all.find((s) => s.type === 'inbound-rtp' && s.kind === 'video');
      if (!inboundEntry) continue;
      const inbound: Record<string, number> = {};
      for (const [key, value] of Object.entries(inboundEntry)) if (typeof value === 'number') inbound[key] = value;
      const transport = all.find((s) => s.type === 'transport');
      const pair = byId.get(transport?.selectedCandidatePairId as string);
      const local = byId.get(pair?.localCandidateId as string);
      const remote = byId.get(pair?.remoteCandidateId as string);
      const q = readQuality();
      return {
        at: performance.now(),
        inbound,
        localPort: typeof local?.port === 'number' ? local.port : null,
        remotePort: typeof remote?.port === 'number' ? remote.port : null,
        quality: q ? { ...q } : null,
      };
    }
    return null;
  };
  const watchStatus = (): void => {
    const status = document.querySelector('#status');
    const state = status?.getAttribute('data-state');
    if (!status || !state || states.at(-1)?.state === state) return;
    states.push({
      at: performance.now(),
      state,
      reason: status.getAttribute('data-reason'),
      detail: status.getAttribute('title'),
    });
  };
  let busy = false;
  setInterval(() => {
    watchStatus();
    if (busy) return;
    busy = true;
    sample()
      .then((s) => {
        if (!s) return;
        stats.push(s);
        if (stats.length > options.maxStats) stats.shift();
      })
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, options.statsIntervalMs);

  const monitor: PageMonitor = {
    latest: () => stats.at(-1) ?? null,
    dump: ({ from }) => ({
      frames: frames.filter((f) => f.at >= from),
      stats: stats.filter((s) => s.at >= from),
      states: [...states],
      lostFrames,
    }),
    now: () => ({ now: performance.now(), timeOrigin: performance.timeOrigin }),
  };
  scope[globalName] = monitor;
}

function callMonitorInPage(globalName: string, method: string, arg: unknown): unknown {
  const monitor = (globalThis as unknown as Record<string, Record<string, (x: unknown) => unknown> | undefined>)[
    globalName
  ];
  if (!monitor) throw new Error('network monitor not installed (call installNetworkMonitor before navigating)');
  return monitor[method]!(arg);
}

async function call<M extends keyof PageMonitor>(
  page: Page,
  method: M,
  arg?: Parameters<PageMonitor[M]>[0],
): Promise<ReturnType<PageMonitor[M]>> {
  return (await page.evaluate(pageSource(callMonitorInPage, GLOBAL, method, arg ?? null))) as ReturnType<
    PageMonitor[M]
  >;
}

/** Installs the recorder for every later navigation of `page` (call before `goto`). */
export async function installNetworkMonitor(page: Page, options: Partial<MonitorOptions> = {}): Promise<void> {
  await page.addInitScript({ content: pageSource(installMonitorInPage, GLOBAL, { ...DEFAULTS, ...options }) });
}

/** The newest stats sample, or null before the first. */
export function latestStats(page: Page): Promise<MonitorStats | null> {
  return call(page, 'latest');
}

/** Every frame and stats sample recorded at or after page time `from`. */
export function dumpMonitor(page: Page, from: number): Promise<MonitorDump> {
  return call(page, 'dump', { from });
}

/**
 * Maps this process's clock onto the page's `performance.now()`: both run off
 * the system clock, so one round trip fixes the offset to within its half.
 * @example const toPage = await pageClock(page); const t = toPage(Date.now());
 */
export async function pageClock(page: Page): Promise<(epochMs: number) => number> {
  const before = performance.timeOrigin + performance.now();
  const { now, timeOrigin } = await call(page, 'now');
  const after = performance.timeOrigin + performance.now();
  const offset = timeOrigin + now - (before + after) / 2;
  return (epochMs) => epochMs + offset - timeOrigin;
}
