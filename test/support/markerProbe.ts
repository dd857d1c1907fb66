/// <reference lib="dom" />
/**
 * Input-to-photon probe: page-side sampling of the input marker (the flat
 * 64×64 square at the top-left of the stream) on every presented video frame,
 * plus the Node-side drivers that press keys and turn what the page saw into
 * latencies. Used by `test/bench/latency` and by the end-to-end tests.
 *
 * Timing model (all in the page's `performance.now()` clock, so no cross-clock
 * error):
 * - start: the key-down's `event.timeStamp`, when the browser took the input
 *   in, so time the event waits for a busy main thread counts, as a player
 *   would feel it. A capture-phase listener on `window` (the first script to
 *   see the key) also records `performance.now()`; the two differ by ~0.5 ms
 *   when the page is idle.
 * - end ("photon"): the first display refresh at or after the frame's
 *   `presentationTime` (when it was handed to the compositor), i.e. the
 *   refresh that can first show it. The refresh grid comes from the `now` of
 *   the `requestVideoFrameCallback` callbacks, which are begin-frame times.
 *   Not `expectedDisplayTime`: headless Chromium offsets it from the callback
 *   time by −1, 0 or +1 refresh, fixed per session and chosen at random (even
 *   before `presentationTime`), which alone moved a session's p50 by ±17 ms.
 *   Not the callback's own `now` either: a busy main thread delays callbacks
 *   but not the compositor. The raw values are all kept on each frame.
 * - `receiveTime` (last RTP packet of the frame arrived; WebRTC sources only)
 *   is recorded too and splits the latency into "input path + server + encode +
 *   network" and "jitter buffer + decode + refresh wait".
 */
import type { Page } from 'playwright-core';
import { MARKER_CHANGE_THRESHOLD, type Rgb } from './markerColor.js';
import { pageSource } from './pageSource.js';
import { type Summary, summarize } from './summarize.js';

export interface MarkerProbeOptions {
  /** CSS selector of the `<video>` that plays the stream. */
  videoSelector: string;
  /** Marker square edge, in pixels of a `referenceWidth`-wide frame. */
  markerSize: number;
  /** Edge of the centred square inside the marker that is averaged (keeps clear of block edges). */
  sampleSize: number;
  /** Frame width the marker size refers to; a downscaled stream scales the region with it. */
  referenceWidth: number;
  /** RGB distance above which a sample counts as a marker change (see markerColor.ts). */
  changeThreshold: number;
  /** Frame records kept in the page (a ring; older ones are dropped). */
  maxFrames: number;
}

export const DEFAULT_MARKER_PROBE_OPTIONS: Readonly<MarkerProbeOptions> = {
  videoSelector: '#video',
  markerSize: 64,
  sampleSize: 32,
  referenceWidth: 1280,
  changeThreshold: MARKER_CHANGE_THRESHOLD,
  maxFrames: 2048,
};

/** One presented frame as the page saw it. Times are page `performance.now()` ms. */
export interface ProbeFrame {
  /** First display refresh at or after `presentationTime`: the "photon" end of input-to-photon. */
  presentedAt: number;
  /** As reported; unreliable in headless Chromium (see the module comment). */
  expectedDisplayTime: number;
  /** Display refresh interval the probe estimated from its callbacks. */
  refreshInterval: number;
  presentationTime: number;
  /** The `now` argument of the callback (start of the rendering step). */
  callbackAt: number;
  /** When the last packet of this frame arrived (WebRTC sources only). */
  receivedAt: number | null;
  rtpTimestamp: number | null;
  processingDuration: number | null;
  /** Mean colour of the sampled marker area; null when the frame could not be read. */
  rgb: Rgb | null;
  width: number;
  height: number;
  presentedFrames: number;
  /**
   * Frames the compositor presented since the previous callback that no
   * callback saw (the page's main thread was busy). A change first seen on
   * this frame may have been on screen up to that many frames earlier.
   */
  unobservedBefore: number;
}

/** One key-down and the first frame that showed its marker change. */
export interface ProbeKeyDown {
  index: number;
  code: string;
  /** `event.timeStamp`: when the browser received the key (start of input-to-photon). */
  at: number;
  /** `performance.now()` in the capture-phase listener on window. */
  listenerAt: number;
  /** Marker colour of the last frame presented before the key-down. */
  reference: Rgb | null;
  /** First frame after the key-down whose marker differs from `reference`; null until then. */
  frame: ProbeFrame | null;
}

export interface FpsSample {
  windowMs: number;
  /** `requestVideoFrameCallback` invocations per second (what the page could observe). */
  callbackFps: number;
  /** Frames the compositor presented (`metadata.presentedFrames` delta) per second. */
  presentedFps: number;
  /** Frames the media pipeline decoded (`getVideoPlaybackQuality().totalVideoFrames`) per second. */
  decodedFps: number;
  droppedFrames: number;
  width: number;
  height: number;
}

/** Probe health: how many frames it saw and how many it could not attribute. */
export interface ProbeStats {
  frames: number;
  /** Frames whose marker could not be read (never current during a callback, or a draw failed). */
  unreadableFrames: number;
  /** Callbacks where the element already showed a newer frame than the metadata described. */
  aheadFrames: number;
  keys: number;
}

interface PageProbe {
  frameCount(): number;
  lastFrame(): ProbeFrame | null;
  keyCount(): number;
  stats(): ProbeStats;
  waitForFrames(arg: { count: number; minWidth: number; minHeight: number; timeoutMs: number }): Promise<ProbeFrame>;
  measureFps(arg: { windowMs: number }): Promise<FpsSample>;
  waitForChange(arg: { index: number; timeoutMs: number }): Promise<ProbeKeyDown | null>;
}

type ProbeMethod = keyof PageProbe;
type ProbeArg<M extends ProbeMethod> = Parameters<PageProbe[M]>[0];
type ProbeResult<M extends ProbeMethod> = Awaited<ReturnType<PageProbe[M]>>;

const PROBE_GLOBAL = '__framewayMarkerProbe';

/**
 * Runs in the page. Self-contained on purpose: it is shipped as source text,
 * so it may not reference anything outside its own body.
 */
function installProbeInPage(options: MarkerProbeOptions, globalName: string): void {
  const scope = globalThis as unknown as Record<string, unknown>;
  if (scope[globalName]) return;

  const frames: ProbeFrame[] = [];
  const keys: ProbeKeyDown[] = [];
  let frameCount = 0;
  let unreadableFrames = 0;
  let lastFrame: ProbeFrame | null = null;
  let video: HTMLVideoElement | null = null;

  // Everything that waits (frames, changes) is re-checked on every frame and key.
  const wakers = new Set<() => void>();
  const wake = (): void => {
    for (const waker of [...wakers]) waker();
  };
  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> =>
    new Promise((resolve) => {
      const finish = (value: T | undefined): void => {
        wakers.delete(poll);
        clearTimeout(timer);
        resolve(value);
      };
      const poll = (): void => {
        const value = check();
        if (value !== undefined) finish(value);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      wakers.add(poll);
      poll();
    });

  // Marker square in source pixels, scaled when the stream is smaller than
  // the reference width, and the centred square inside it that is averaged.
  // Even coordinates keep 4:2:0 chroma aligned (VideoFrame.copyTo requires it).
  const even = (v: number): number => Math.max(0, Math.round(v / 2) * 2);
  const sampleRect = (width: number): { x: number; y: number; width: number; height: number } => {
    const scale = width / options.referenceWidth;
    const edge = Math.max(2, even(options.sampleSize * scale));
    const offset = even(((options.markerSize - options.sampleSize) / 2) * scale);
    return { x: offset, y: offset, width: edge, height: edge };
  };
  const mean = (data: Uint8Array | Uint8ClampedArray): Rgb => {
    let r = 0;
    let g = 0;
    let b = 0;
    for (let i = 0; i < data.length; i += 4) {
      r += data[i]!;
      g += data[i + 1]!;
      b += data[i + 2]!;
    }
    const n = data.length / 4;
    return [Math.round(r / n), Math.round(g / n), Math.round(b / n)];
  };

  // Fallback reader for sources without VideoFrame support: a canvas draw.
  // It converts the whole frame to RGB first (~3.5 ms at 720p on a software
  // compositor), which is why it is not the default.
  const canvas = new OffscreenCanvas(options.sampleSize, options.sampleSize);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const drawMarker = (source: CanvasImageSource, width: number): Rgb | null => {
    if (!ctx || width === 0) return null;
    const rect = sampleRect(width);
    if (canvas.width < rect.width || canvas.height < rect.height) {
      canvas.width = rect.width;
      canvas.height = rect.height;
    }
    ctx.drawImage(source, rect.x, rect.y, rect.width, rect.height, 0, 0, rect.width, rect.height);
    return mean(ctx.getImageData(0, 0, rect.width, rect.height).data);
  };

  // Copying just the sampled square out of the decoded frame as RGBA costs
  // ~0.2 ms, so sampling every frame does not load the main thread it measures.
  let rgbaCopy = true;
  const copyMarker = async (frame: VideoFrame): Promise<Rgb | null> => {
    const width = frame.visibleRect?.width ?? frame.displayWidth;
    if (rgbaCopy) {
      const rect = sampleRect(width);
      const pixels = new Uint8Array(rect.width * rect.height * 4);
      try {
        await frame.copyTo(pixels, { rect, format: 'RGBA' } as VideoFrameCopyToOptions);
        return mean(pixels);
      } catch {
        rgbaCopy = false; // a browser without RGB conversion in copyTo
      }
    }
    return drawMarker(frame, width);
  };

  const distance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

  // By the time the callback runs, the element's current frame is sometimes
  // (~1 % at 60 fps) already the next one, so reading the element would pin
  // that frame's pixels on this frame's timestamps and see a change one frame
  // early. A VideoFrame snapshot says which frame it holds (RTP timestamp), so
  // pixels are filed by frame and looked up for the frame the metadata names.
  const rgbByRtp = new Map<number, Rgb | null>();
  let aheadFrames = 0;
  const readMarker = async (element: HTMLVideoElement, meta: VideoFrameCallbackMetadata): Promise<Rgb | null> => {
    if (meta.rtpTimestamp === undefined || typeof VideoFrame !== 'function') {
      return drawMarker(element, meta.width); // not WebRTC: no frame identity to check
    }
    const current = new VideoFrame(element); // synchronous: the frame current right now
    try {
      const metadata = (current as VideoFrame & { metadata?: () => { rtpTimestamp?: number } }).metadata?.();
      const rgb = await copyMarker(current);
      if (metadata?.rtpTimestamp === undefined) return rgb;
      if (metadata.rtpTimestamp !== meta.rtpTimestamp) aheadFrames += 1;
      rgbByRtp.set(metadata.rtpTimestamp, rgb);
      while (rgbByRtp.size > 16) rgbByRtp.delete(rgbByRtp.keys().next().value!);
      // Unknown when this frame was never current during a callback: better
      // unread (the change is then seen on the next frame) than misattributed.
      return rgbByRtp.get(meta.rtpTimestamp) ?? null;
    } finally {
      current.close();
    }
  };

  const record = (frame: ProbeFrame, callbackAt: number): void => {
    if (!frame.rgb) unreadableFrames += 1;
    frameCount += 1;
    frames.push(frame);
    if (frames.length > options.maxFrames) frames.shift();
    const rgb = frame.rgb;
    if (rgb) {
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        if (key.frame) break; // older keys were resolved before this one
        if (callbackAt < key.at) continue; // rendered before the key: cannot show it
        if (!key.reference) {
          // Key pressed before any readable frame: the first one is the "before" colour.
          key.reference = rgb;
        } else if (distance(key.reference, rgb) > options.changeThreshold) {
          key.frame = frame;
        }
      }
      lastFrame = frame;
    }
    wake();
  };

  // Display refresh interval: callbacks run at begin-frame times, so the
  // shortest gaps between them are one refresh. A low percentile of recent
  // gaps ignores refreshes without a new frame (two intervals) and jitter.
  const gaps: number[] = [];
  let lastCallbackAt: number | null = null;
  const refreshInterval = (now: number): number => {
    if (lastCallbackAt !== null && now - lastCallbackAt > 2) {
      gaps.push(now - lastCallbackAt);
      if (gaps.length > 64) gaps.shift();
    }
    lastCallbackAt = now;
    if (gaps.length < 8) return 1000 / 60;
    const sorted = [...gaps].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 10)]!;
  };
  /** The refresh on `now`'s grid that is the first at or after `presentationTime`. */
  const firstRefreshAfter = (presentationTime: number, now: number, interval: number): number =>
    now <= presentationTime ? now : now - Math.floor((now - presentationTime) / interval) * interval;

  // Reading pixels is asynchronous; frames are recorded strictly in callback order.
  let queue: Promise<void> = Promise.resolve();
  let lastPresentedFrames: number | null = null;
  const onFrame = (element: HTMLVideoElement, now: number, meta: VideoFrameCallbackMetadata): void => {
    if (element !== video) return; // replaced by a newer element: let this loop end
    element.requestVideoFrameCallback((t, m) => onFrame(element, t, m));
    const interval = refreshInterval(now);
    const unobservedBefore =
      lastPresentedFrames === null ? 0 : Math.max(0, meta.presentedFrames - lastPresentedFrames - 1);
    lastPresentedFrames = meta.presentedFrames;
    const reading = readMarker(element, meta).catch(() => null); // e.g. a frame torn down mid-read
    queue = queue.then(async () => {
      record(
        {
          presentedAt: firstRefreshAfter(meta.presentationTime, now, interval),
          expectedDisplayTime: meta.expectedDisplayTime,
          refreshInterval: interval,
          presentationTime: meta.presentationTime,
          callbackAt: now,
          receivedAt: meta.receiveTime ?? null,
          rtpTimestamp: meta.rtpTimestamp ?? null,
          processingDuration: meta.processingDuration ?? null,
          rgb: await reading,
          width: meta.width,
          height: meta.height,
          presentedFrames: meta.presentedFrames,
          unobservedBefore,
        },
        now,
      );
    });
  };

  // The player may create or replace its <video> at any time; follow the selector.
  const attach = (): void => {
    const element = document.querySelector<HTMLVideoElement>(options.videoSelector);
    if (element && element !== video && typeof element.requestVideoFrameCallback === 'function') {
      video = element;
      lastPresentedFrames = null;
      lastCallbackAt = null;
      element.requestVideoFrameCallback((t, m) => onFrame(element, t, m));
    }
  };
  setInterval(attach, 50);

  addEventListener(
    'keydown',
    (event: KeyboardEvent) => {
      if (event.repeat) return;
      keys.push({
        index: keys.length,
        code: event.code,
        at: event.timeStamp,
        listenerAt: performance.now(),
        reference: lastFrame?.rgb ?? null,
        frame: null,
      });
      wake();
    },
    { capture: true },
  );

  const probe: PageProbe = {
    frameCount: () => frameCount,
    lastFrame: () => lastFrame,
    keyCount: () => keys.length,
    stats: () => ({ frames: frameCount, unreadableFrames, aheadFrames, keys: keys.length }),
    async waitForFrames({ count, minWidth, minHeight, timeoutMs }) {
      let seen = 0;
      let counted = frameCount;
      const found = await waitUntil(() => {
        for (; counted < frameCount; counted++) {
          const frame = frames[frames.length - (frameCount - counted)];
          if (frame?.rgb && frame.width >= minWidth && frame.height >= minHeight) seen += 1;
        }
        return seen >= count ? lastFrame : undefined;
      }, timeoutMs);
      if (!found) {
        const last = frames[frames.length - 1];
        const size = last ? `${last.width}x${last.height}` : 'none';
        throw new Error(`saw ${seen}/${count} frames ≥ ${minWidth}x${minHeight} in ${timeoutMs} ms (last: ${size})`);
      }
      return found;
    },
    async measureFps({ windowMs }) {
      const quality = (): VideoPlaybackQuality | null => video?.getVideoPlaybackQuality() ?? null;
      const q0 = quality();
      const f0 = frameCount;
      const p0 = lastFrame?.presentedFrames ?? 0;
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const elapsed = performance.now() - t0;
      const q1 = quality();
      const perSecond = (n: number): number => (n * 1000) / elapsed;
      return {
        windowMs: elapsed,
        callbackFps: perSecond(frameCount - f0),
        presentedFps: perSecond((lastFrame?.presentedFrames ?? 0) - p0),
        decodedFps: q0 && q1 ? perSecond(q1.totalVideoFrames - q0.totalVideoFrames) : Number.NaN,
        droppedFrames: q0 && q1 ? q1.droppedVideoFrames - q0.droppedVideoFrames : Number.NaN,
        width: lastFrame?.width ?? 0,
        height: lastFrame?.height ?? 0,
      };
    },
    async waitForChange({ index, timeoutMs }) {
      // Times out relative to the key-down itself, not to when this call arrived.
      const deadline = performance.now() + timeoutMs;
      const key = await waitUntil(() => {
        const entry = keys[index];
        if (!entry) return performance.now() > deadline ? null : undefined;
        if (entry.frame || performance.now() - entry.at > timeoutMs) return entry;
        return undefined;
      }, timeoutMs + 250);
      return key ?? keys[index] ?? null;
    },
  };
  scope[globalName] = probe;
  attach();
}

/**
 * Installs the probe in the current document and in every later navigation of
 * `page`. Install before pressing keys; the probe attaches to the video
 * element as soon as `videoSelector` matches.
 */
export async function installMarkerProbe(page: Page, options: Partial<MarkerProbeOptions> = {}): Promise<void> {
  const source = pageSource(installProbeInPage, { ...DEFAULT_MARKER_PROBE_OPTIONS, ...options }, PROBE_GLOBAL);
  await page.addInitScript({ content: source });
  await page.evaluate(source);
}

/** Runs in the page: one method call on the installed probe. */
function callProbeInPage(globalName: string, method: string, arg: unknown): unknown {
  const probe = (globalThis as unknown as Record<string, Record<string, (x: unknown) => unknown> | undefined>)[
    globalName
  ];
  if (!probe) throw new Error('marker probe not installed (call installMarkerProbe first)');
  return probe[method]!(arg);
}

async function callProbe<M extends ProbeMethod>(page: Page, method: M, arg?: ProbeArg<M>): Promise<ProbeResult<M>> {
  return (await page.evaluate(pageSource(callProbeInPage, PROBE_GLOBAL, method, arg ?? null))) as ProbeResult<M>;
}

/** Waits until `count` readable frames of at least `minWidth`×`minHeight` have been presented. */
export function waitForFrames(
  page: Page,
  { count = 30, minWidth = 0, minHeight = 0, timeoutMs = 15_000 } = {},
): Promise<ProbeFrame> {
  return callProbe(page, 'waitForFrames', { count, minWidth, minHeight, timeoutMs });
}

/** Presented, callback and decoded frame rates over a `windowMs` window. */
export function measureFps(page: Page, windowMs = 2_000): Promise<FpsSample> {
  return callProbe(page, 'measureFps', { windowMs });
}

/** Frames seen, unreadable and ahead-of-metadata counts since the probe was installed. */
export function probeStats(page: Page): Promise<ProbeStats> {
  return callProbe(page, 'stats');
}

/** The most recent readable frame, or null before the first. */
export function lastProbeFrame(page: Page): Promise<ProbeFrame | null> {
  return callProbe(page, 'lastFrame');
}

export interface InputToPhotonOptions {
  /** Measured key presses. */
  samples: number;
  /** Presses before the measured ones, discarded (encoder and jitter buffer settle). */
  warmup?: number;
  /**
   * Time from one key-down to the next, drawn uniformly from this range so the
   * presses do not phase-lock with the 60 Hz frame clock (that would bias the
   * sub-frame part of every sample the same way).
   */
  intervalMs?: readonly [min: number, max: number];
  /** Minimum pause after a change was shown before the next press. */
  settleMs?: number;
  /** Key codes pressed in turn. */
  keys?: readonly string[];
  /** A press with no visible change after this long counts as missed. */
  timeoutMs?: number;
  /** Injected for reproducible intervals. */
  random?: () => number;
  /** Stops between presses (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** One measured press. Times are page `performance.now()` ms. */
export interface InputSample {
  code: string;
  /** The key-down's `event.timeStamp`. */
  keydownAt: number;
  /** Time from `event.timeStamp` to the first listener on window (main-thread queueing). */
  dispatchMs: number;
  /** keydown → first frame showing the change (its `presentedAt`); null when missed. */
  latencyMs: number | null;
  /** keydown → arrival of that frame's last packet; null when missed or unknown. */
  receiveMs: number | null;
  /** keydown → that frame's presentationTime. */
  presentationMs: number | null;
  before: Rgb | null;
  after: Rgb | null;
  /** See ProbeFrame.unobservedBefore: > 0 means this sample may be over-stated by that many frames. */
  unobservedBefore: number | null;
}

export interface InputToPhotonResult {
  samples: InputSample[];
  latencies: number[];
  summary: Summary;
  /** keydown → frame received; what the sender side and the network contribute. */
  receiveSummary: Summary;
  missed: number;
  /** Samples whose change was first seen after frames no callback observed (see InputSample). */
  uncertain: number;
  durationMs: number;
}

/**
 * Presses keys in `page` and measures input-to-photon for each press.
 * @example const r = await measureInputToPhoton(page, { samples: 200, warmup: 20 });
 */
export async function measureInputToPhoton(page: Page, options: InputToPhotonOptions): Promise<InputToPhotonResult> {
  const {
    samples,
    warmup = 0,
    intervalMs = [120, 250],
    settleMs = 40,
    keys = ['KeyA'],
    timeoutMs = 1_000,
    random = Math.random,
    signal,
  } = options;
  const [minInterval, maxInterval] = intervalMs;
  const measured: InputSample[] = [];
  const startedAt = performance.now();
  for (let i = 0; i < warmup + samples; i++) {
    signal?.throwIfAborted();
    const code = keys[i % keys.length]!;
    const index = await callProbe(page, 'keyCount');
    const pressedAt = performance.now();
    await page.keyboard.down(code);
    const key = await callProbe(page, 'waitForChange', { index, timeoutMs });
    await page.keyboard.up(code);
    if (i >= warmup) measured.push(toSample(code, key));
    const interval = minInterval + random() * (maxInterval - minInterval);
    const elapsed = performance.now() - pressedAt;
    await sleep(Math.max(settleMs, interval - elapsed));
  }
  const latencies = measured.flatMap((s) => (s.latencyMs === null ? [] : [s.latencyMs]));
  return {
    samples: measured,
    latencies,
    summary: summarize(latencies),
    receiveSummary: summarize(measured.flatMap((s) => (s.receiveMs === null ? [] : [s.receiveMs]))),
    missed: measured.length - latencies.length,
    uncertain: measured.filter((s) => (s.unobservedBefore ?? 0) > 0).length,
    durationMs: performance.now() - startedAt,
  };
}

function toSample(code: string, key: ProbeKeyDown | null): InputSample {
  const frame = key?.frame ?? null;
  return {
    code,
    keydownAt: key?.at ?? Number.NaN,
    dispatchMs: key ? key.listenerAt - key.at : Number.NaN,
    latencyMs: key && frame ? frame.presentedAt - key.at : null,
    receiveMs: key && frame?.receivedAt != null ? frame.receivedAt - key.at : null,
    presentationMs: key && frame ? frame.presentationTime - key.at : null,
    before: key?.reference ?? null,
    after: frame?.rgb ?? null,
    unobservedBefore: frame?.unobservedBefore ?? null,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
