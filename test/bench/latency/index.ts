/**
 * Input-to-photon bench: key-down in headless Chromium → first presented
 * video frame whose marker (the flat 64×64 square at the top-left of the
 * 1280×720 stream) shows the change. Measured for a baseline (ffmpeg → werift
 * → Chromium, nothing else; see ./baseline) and for Frameway (real gateway and
 * edge agent through test/support/startFrameway.ts) in the same run, so the
 * ratio says what Frameway adds on this machine rather than what the machine
 * costs. Prints a table, writes test/bench/results/latency-*.json.
 *
 * Environment:
 *   BENCH_SAMPLES   measured key presses per leg (default 200)
 *   BENCH_WARMUP    presses discarded first (default 20)
 *   BENCH_LEGS      comma list of baseline, baseline-no-playout-delay, frameway
 *                   (default "baseline,frameway")
 *   BENCH_SEED      seed of the press intervals (default 1)
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { formatTable, machineInfo, ms, writeBenchResults } from '../../support/benchReport.js';
import { launchChromium } from '../../support/launchChromium.js';
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
import { type Summary, summarize } from '../../support/summarize.js';
import { BaselineServer } from './baseline/BaselineServer.js';

/** The fixture the lead's test/support/startFrameway.ts provides (typed here so this compiles before it exists). */
interface FramewayFixture extends AsyncDisposable {
  url: string;
  killAgent(): Promise<void>;
}
type StartFrameway = (options?: { port?: number; env?: Record<string, string> }) => Promise<FramewayFixture>;

const LEG_NAMES = ['baseline', 'baseline-no-playout-delay', 'frameway'] as const;
type LegName = (typeof LEG_NAMES)[number];

const VIEWPORT = { width: 1280, height: 720 } as const;
const INTERVAL_MS = [120, 250] as const;
const FPS_WINDOW_MS = 10_000;

interface Config {
  samples: number;
  warmup: number;
  legs: LegName[];
  seed: number;
}

interface LegResult {
  name: LegName;
  description: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  /** keydown → first frame showing the change. */
  summary?: Summary;
  /** keydown → that frame's last packet received: input path, server, encoder, network. */
  receiveSummary?: Summary;
  /** frame received → shown: jitter buffer, decode, compositor. */
  displaySummary?: Summary;
  missed?: number;
  /** Samples that may be over-stated by a frame or more: the page missed frame callbacks just before. */
  uncertain?: number;
  fps?: FpsSample;
  webrtc?: InboundVideoStats | null;
  probe?: ProbeStats;
  server?: unknown;
  durationMs?: number;
  samples?: InputSample[];
}

const DESCRIPTIONS: Record<LegName, string> = {
  baseline: 'ffmpeg → werift → Chromium, playout-delay 0',
  'baseline-no-playout-delay': 'same, without the playout-delay extension',
  frameway: 'gateway + edge agent (test/support/startFrameway.ts)',
};

async function main(): Promise<void> {
  const config = readConfig();
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(1); // second signal: give up on a clean shutdown
    process.stderr.write(`\n${signal}: stopping after cleanup\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const machine = machineInfo();
  console.log(
    `latency: input-to-photon at ${VIEWPORT.width}x${VIEWPORT.height}@60, ${config.samples} presses ` +
      `(+${config.warmup} warm-up) per leg, ${INTERVAL_MS[0]}–${INTERVAL_MS[1]} ms apart; legs: ${config.legs.join(', ')}`,
  );

  const legs: LegResult[] = [];
  let chromiumVersion = '';
  {
    // Signals are handled above, so the browser closes in order, after the page it serves.
    await using chrome = await launchChromium({ launchOptions: { handleSIGINT: false, handleSIGTERM: false } });
    chromiumVersion = chrome.version;
    for (const name of config.legs) {
      if (abort.signal.aborted) break;
      const leg = await runLeg(name, chrome.browser, config, abort.signal);
      legs.push(leg);
      const outcome = leg.status === 'ok' ? `p50 ${ms(leg.summary?.p50)} ms` : `${leg.status}: ${leg.reason}`;
      console.log(`  ${name}: ${outcome}`);
    }
  }

  const baseline = legs.find((l) => l.name === 'baseline' && l.status === 'ok');
  const frameway = legs.find((l) => l.name === 'frameway' && l.status === 'ok');
  const ratio =
    baseline?.summary && frameway?.summary
      ? { p50: frameway.summary.p50 / baseline.summary.p50, p95: frameway.summary.p95 / baseline.summary.p95 }
      : null;

  console.log(`\n${report(legs, ratio)}`);
  console.log(
    `\nmachine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, load ${machine.loadAverage.join(' ')}; ` +
      `node ${machine.node}; Chromium ${chromiumVersion}; ffmpeg ${machine.ffmpeg ?? '?'}`,
  );

  if (abort.signal.aborted) {
    // An interrupted run is no result: keep latency-latest.json as it was.
    process.exitCode = 1;
    return;
  }
  const paths = writeBenchResults(
    'latency',
    {
      bench: 'latency',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      config: { ...config, intervalMs: INTERVAL_MS, video: { ...VIEWPORT, fps: 60 } },
      machine: { ...machine, chromium: chromiumVersion },
      ratio,
      legs,
    },
    startedAt,
  );
  console.log(`results: ${paths.file} (and ${paths.latest})`);

  if (legs.some((l) => l.status === 'failed')) process.exitCode = 1;
}

async function runLeg(name: LegName, browser: Browser, config: Config, signal: AbortSignal): Promise<LegResult> {
  const description = DESCRIPTIONS[name];
  try {
    if (name === 'frameway') {
      const startFrameway = await loadStartFrameway();
      if (typeof startFrameway === 'string') return { name, description, status: 'skipped', reason: startFrameway };
      // Port 0: any free port, so a demo already on 8080 cannot collide with the bench.
      await using fixture = await startFrameway({ port: 0 });
      return { name, description, status: 'ok', ...(await measurePage(browser, fixture.url, config, signal)) };
    }
    await using baseline = await BaselineServer.start({ playoutDelay: name === 'baseline' });
    const measured = await measurePage(browser, baseline.url, config, signal);
    // Drop the SDP text from the record; the extension check has its own fields.
    const { answerSdp: _sdp, ...server } = baseline.lastSession ?? { answerSdp: '' };
    return { name, description, status: 'ok', ...measured, server };
  } catch (error) {
    return { name, description, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Opens `url` in a fresh context, waits for steady video, then presses keys and measures. */
async function measurePage(
  browser: Browser,
  url: string,
  config: Config,
  signal: AbortSignal,
): Promise<Omit<LegResult, 'name' | 'description' | 'status'>> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const page = await context.newPage();
    await trackPeerConnections(page);
    await installMarkerProbe(page);
    await page.goto(url);
    await page.waitForSelector('#status[data-state="streaming"]', { state: 'attached', timeout: 30_000 });
    // A second of full-size frames: past the first keyframe and the encoder's start-up.
    await waitForFrames(page, { count: 60, minWidth: VIEWPORT.width, minHeight: VIEWPORT.height, timeoutMs: 20_000 });

    // Frame rate while the presses run, not on an idle stream. Caught here:
    // if the presses fail first, the page closes under it.
    const fps = measureFps(page, FPS_WINDOW_MS).catch(() => null);
    const result = await measureInputToPhoton(page, {
      samples: config.samples,
      warmup: config.warmup,
      intervalMs: INTERVAL_MS,
      random: mulberry32(config.seed),
      signal,
    });
    const display = result.samples.flatMap((s) =>
      s.latencyMs !== null && s.receiveMs !== null ? [s.latencyMs - s.receiveMs] : [],
    );
    const fpsSample = await fps;
    return {
      ...(fpsSample ? { fps: fpsSample } : {}),
      summary: result.summary,
      receiveSummary: result.receiveSummary,
      displaySummary: summarize(display),
      missed: result.missed,
      uncertain: result.uncertain,
      webrtc: await collectInboundVideoStats(page),
      probe: await probeStats(page),
      durationMs: result.durationMs,
      samples: result.samples,
    };
  } finally {
    await context.close().catch(() => {});
  }
}

/** The lead's fixture if it exists yet, else the reason the Frameway leg is skipped. */
async function loadStartFrameway(): Promise<StartFrameway | string> {
  const file = new URL('../../support/startFrameway.ts', import.meta.url);
  if (!existsSync(file)) return 'test/support/startFrameway.ts does not exist yet';
  // A computed specifier keeps the compiler from requiring the file today.
  const module = (await import(file.href)) as { startFrameway?: unknown };
  if (typeof module.startFrameway !== 'function') return 'test/support/startFrameway.ts exports no startFrameway()';
  return module.startFrameway as StartFrameway;
}

function report(legs: readonly LegResult[], ratio: { p50: number; p95: number } | null): string {
  const measured = legs.filter((l) => l.status === 'ok' && l.summary);
  const latency = formatTable(
    ['input-to-photon (ms)', 'p50', 'p95', 'p99', 'mean', 'min', 'max', 'missed', 'fps shown/decoded'],
    measured.map((l) => {
      const s = l.summary!;
      const fps = l.fps ? `${l.fps.presentedFps.toFixed(1)}/${l.fps.decodedFps.toFixed(1)}` : '–';
      const total = s.count + (l.missed ?? 0);
      return [l.name, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.mean), ms(s.min), ms(s.max), `${l.missed}/${total}`, fps];
    }),
  );
  const breakdown = formatTable(
    [
      'where the time goes (ms)',
      'key→received p50/p95',
      'received→shown p50/p95',
      'jitter buf',
      'decode',
      'playout-delay',
    ],
    measured.map((l) => {
      const r = l.receiveSummary;
      const d = l.displaySummary;
      const w = l.webrtc;
      const negotiated = w ? (w.playoutDelayInRemoteSdp && w.playoutDelayInReceiver ? 'negotiated' : 'off') : '?';
      return [
        l.name,
        `${ms(r?.p50)}/${ms(r?.p95)}`,
        `${ms(d?.p50)}/${ms(d?.p95)}`,
        ms(w?.jitterBufferMs),
        ms(w?.decodeMs),
        negotiated,
      ];
    }),
  );
  const lines = [latency, '', breakdown];
  for (const leg of measured.filter((l) => (l.uncertain ?? 0) > 0)) {
    lines.push(
      `${leg.name}: ${leg.uncertain} samples first seen after frames the page never got a callback for ` +
        '(main thread busy); each may be over-stated by about a frame',
    );
  }
  for (const leg of legs.filter((l) => l.status !== 'ok')) lines.push(`${leg.name}: ${leg.status} (${leg.reason})`);
  lines.push(
    ratio
      ? `\nframeway / baseline: p50 ×${ratio.p50.toFixed(2)}, p95 ×${ratio.p95.toFixed(2)}`
      : '\nframeway / baseline: – (needs both legs)',
  );
  return lines.join('\n');
}

function readConfig(): Config {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return value;
  };
  const legs = (process.env.BENCH_LEGS ?? 'baseline,frameway')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const leg of legs) {
    if (!(LEG_NAMES as readonly string[]).includes(leg)) {
      throw new Error(`BENCH_LEGS: unknown leg "${leg}" (known: ${LEG_NAMES.join(', ')})`);
    }
  }
  return {
    samples: int('BENCH_SAMPLES', 200, 1),
    warmup: int('BENCH_WARMUP', 20, 0),
    legs: legs as LegName[],
    seed: int('BENCH_SEED', 1, 0),
  };
}

/** Small seeded PRNG, so two runs press keys at the same intervals. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

await main();
