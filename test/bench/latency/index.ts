/**
 * Input-to-photon bench: key-down in headless Chromium → first presented
 * video frame whose marker (the flat 64×64 square at the top-left of the
 * 1280×720 stream) shows the change. Measured for a baseline (ffmpeg → werift
 * → Chromium, nothing else; see ./baseline) and for Frameway (real gateway and
 * edge agent through test/support/startFrameway.ts) in the same run, so the
 * ratio says what Frameway adds on this machine rather than what the machine
 * costs. Prints a table, writes test/bench/results/latency-*.json.
 *
 * Why sessions: the server's 60 Hz frame clock and the browser's 60 Hz
 * display clock run off the same system clock, so their phase, set by when a
 * session happens to start, barely drifts during a session; it alone moves
 * "frame received → shown" by up to a frame (0–17 ms). Each leg is therefore
 * measured over several sessions (a fresh page, peer connection and server
 * session each, i.e. a fresh phase), interleaved across legs so that load from
 * anything else on the machine hits all legs alike.
 *
 * Environment:
 *   BENCH_SAMPLES   measured key presses per leg, over all sessions (default 200)
 *   BENCH_SESSIONS  sessions per leg (default 8)
 *   BENCH_WARMUP    presses discarded at the start of each session (default 3)
 *   BENCH_LEGS      comma list of baseline, baseline-no-playout-delay, frameway,
 *                   frameway-untuned, x11 (default "baseline,frameway")
 *   BENCH_SEED      seed of the press intervals (default 1)
 */
import { createRandom } from '@frameway/gateway';
import { describeMachine, formatTable, machineInfo, ms, writeBenchResults } from '../../support/benchReport.js';
import { launchChromium } from '../../support/launchChromium.js';
import type { InputSample } from '../../support/markerProbe.js';
import { type Summary, summarize } from '../../support/summarize.js';
import { measureSession, type SessionResult, VIEWPORT } from './measureSession.js';
import { LEG_DESCRIPTIONS, LEG_NAMES, type LegHost, type LegName, startLegHost } from './startLegHost.js';

const INTERVAL_MS = [120, 250] as const;
const FPS_WINDOW_MS = 5_000;

interface Config {
  samples: number;
  sessions: number;
  warmup: number;
  legs: LegName[];
  seed: number;
}

interface SessionRecord extends Omit<SessionResult, 'samples'> {
  summary: Summary;
  displaySummary: Summary;
  server: unknown;
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
  /** frame received → shown: jitter buffer, decode, compositor, vsync phase. */
  displaySummary?: Summary;
  missed?: number;
  /** Samples that may be over-stated by a frame or more: the page missed frame callbacks just before. */
  uncertain?: number;
  /** Means over the sessions. */
  fps?: { presented: number; decoded: number; callbacks: number };
  sessions?: SessionRecord[];
  samples?: (InputSample & { session: number })[];
}

/** A leg while the run is in progress. */
interface LegRun {
  name: LegName;
  host: LegHost | null;
  status: LegResult['status'];
  reason?: string;
  random: () => number;
  sessions: SessionResult[];
  records: SessionRecord[];
}

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
  const perSession = Math.ceil(config.samples / config.sessions);
  console.log(
    `latency: input-to-photon at ${VIEWPORT.width}x${VIEWPORT.height}@60; per leg ${config.sessions} sessions × ` +
      `${perSession} presses (+${config.warmup} warm-up each), ${INTERVAL_MS[0]}–${INTERVAL_MS[1]} ms apart; ` +
      `legs: ${config.legs.join(', ')}`,
  );

  // Same seed for every leg: each gets the same sequence of press intervals.
  const runs: LegRun[] = config.legs.map((name) => ({
    name,
    host: null,
    status: 'ok',
    // Seeded, so two runs press keys at the same intervals.
    random: createRandom(config.seed),
    sessions: [],
    records: [],
  }));
  let chromiumVersion = '';
  try {
    // Signals are handled above, so the browser closes in order, after the pages it serves.
    await using chrome = await launchChromium({ launchOptions: { handleSIGINT: false, handleSIGTERM: false } });
    chromiumVersion = chrome.version;
    for (const run of runs) {
      try {
        const host = await startLegHost(run.name);
        if ('skip' in host) {
          run.status = 'skipped';
          run.reason = host.skip;
        } else {
          run.host = host;
        }
      } catch (error) {
        fail(run, error);
      }
    }
    for (let round = 0; round < config.sessions && !abort.signal.aborted; round++) {
      // Rotating the order keeps any warm-up or drift of the machine from favouring one leg.
      const order = runs.map((_, i) => runs[(i + round) % runs.length]!);
      for (const run of order) {
        if (run.status !== 'ok' || !run.host || abort.signal.aborted) continue;
        try {
          const session = await measureSession(chrome.browser, run.host.url, {
            samples: perSession,
            warmup: config.warmup,
            intervalMs: INTERVAL_MS,
            random: run.random,
            signal: abort.signal,
            fpsWindowMs: FPS_WINDOW_MS,
          });
          run.sessions.push(session);
          run.records.push(sessionRecord(session, run.host.serverInfo()));
          const s = run.records.at(-1)!.summary;
          console.log(`  ${run.name} session ${round + 1}: p50 ${ms(s.p50)} ms, p95 ${ms(s.p95)} ms`);
        } catch (error) {
          fail(run, error);
          console.log(`  ${run.name} session ${round + 1}: failed: ${run.reason}`);
        }
      }
    }
  } finally {
    await Promise.allSettled(runs.map((run) => run.host?.[Symbol.asyncDispose]()));
  }

  const legs = runs.map(legResult);
  const baseline = legs.find((l) => l.name === 'baseline' && l.status === 'ok');
  const frameway = legs.find((l) => l.name === 'frameway' && l.status === 'ok');
  const ratio =
    baseline?.summary && frameway?.summary
      ? { p50: frameway.summary.p50 / baseline.summary.p50, p95: frameway.summary.p95 / baseline.summary.p95 }
      : null;
  // What the player's playout tuning buys: the same stack with it off, measured in the same run.
  const untuned = legs.find((l) => l.name === 'frameway-untuned' && l.status === 'ok');
  const tuning =
    untuned?.summary && frameway?.summary
      ? { p50: untuned.summary.p50 / frameway.summary.p50, p95: untuned.summary.p95 / frameway.summary.p95 }
      : null;

  // The x11 runtime (Xvfb + XTEST + x11grab) against the same run's baseline and scene legs.
  const x11 = legs.find((l) => l.name === 'x11' && l.status === 'ok');
  const x11Ratio = x11?.summary
    ? {
        ...(baseline?.summary
          ? { baseline: { p50: x11.summary.p50 / baseline.summary.p50, p95: x11.summary.p95 / baseline.summary.p95 } }
          : {}),
        ...(frameway?.summary
          ? { frameway: { p50: x11.summary.p50 / frameway.summary.p50, p95: x11.summary.p95 / frameway.summary.p95 } }
          : {}),
      }
    : null;

  console.log(`\n${report(legs, ratio)}`);
  if (tuning) {
    console.log(`frameway-untuned / frameway: p50 ×${tuning.p50.toFixed(2)}, p95 ×${tuning.p95.toFixed(2)}`);
  }
  for (const [against, r] of Object.entries(x11Ratio ?? {})) {
    console.log(`x11 / ${against}: p50 ×${r.p50.toFixed(2)}, p95 ×${r.p95.toFixed(2)}`);
  }
  console.log(`\n${describeMachine(machine, chromiumVersion)}`);

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
      config: { ...config, samplesPerSession: perSession, intervalMs: INTERVAL_MS, video: { ...VIEWPORT, fps: 60 } },
      machine: { ...machine, chromium: chromiumVersion },
      ratio,
      tuning,
      x11Ratio,
      legs,
    },
    startedAt,
  );
  console.log(`results: ${paths.file} (and ${paths.latest})`);

  if (legs.some((l) => l.status === 'failed')) process.exitCode = 1;
}

function fail(run: LegRun, error: unknown): void {
  run.status = 'failed';
  run.reason = error instanceof Error ? error.message : String(error);
}

/** keydown → shown minus keydown → received, per sample that has both. */
function displayTimes(samples: readonly InputSample[]): number[] {
  return samples.flatMap((s) => (s.latencyMs !== null && s.receiveMs !== null ? [s.latencyMs - s.receiveMs] : []));
}

function latencies(samples: readonly InputSample[], pick: (s: InputSample) => number | null): number[] {
  return samples.flatMap((s) => {
    const value = pick(s);
    return value === null ? [] : [value];
  });
}

function sessionRecord(session: SessionResult, server: unknown): SessionRecord {
  const { samples, ...rest } = session;
  return {
    ...rest,
    summary: summarize(latencies(samples, (s) => s.latencyMs)),
    displaySummary: summarize(displayTimes(samples)),
    server,
  };
}

function legResult(run: LegRun): LegResult {
  const base = { name: run.name, description: LEG_DESCRIPTIONS[run.name], status: run.status };
  const reason = run.reason !== undefined ? { reason: run.reason } : {};
  if (run.sessions.length === 0) return { ...base, ...reason };
  const samples = run.sessions.flatMap((session, index) => session.samples.map((s) => ({ ...s, session: index })));
  const fps = run.sessions.flatMap((s) => (s.fps ? [s.fps] : []));
  const mean = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
  return {
    ...base,
    ...reason,
    summary: summarize(latencies(samples, (s) => s.latencyMs)),
    receiveSummary: summarize(latencies(samples, (s) => s.receiveMs)),
    displaySummary: summarize(displayTimes(samples)),
    missed: run.sessions.reduce((sum, s) => sum + s.missed, 0),
    uncertain: run.sessions.reduce((sum, s) => sum + s.uncertain, 0),
    ...(fps.length > 0
      ? {
          fps: {
            presented: mean(fps.map((f) => f.presentedFps)),
            decoded: mean(fps.map((f) => f.decodedFps)),
            callbacks: mean(fps.map((f) => f.callbackFps)),
          },
        }
      : {}),
    sessions: run.records,
    samples,
  };
}

function report(legs: readonly LegResult[], ratio: { p50: number; p95: number } | null): string {
  const measured = legs.filter((l) => l.summary);
  const latency = formatTable(
    ['input-to-photon (ms)', 'p50', 'p95', 'p99', 'mean', 'min', 'max', 'missed', 'fps shown/decoded'],
    measured.map((l) => {
      const s = l.summary!;
      const fps = l.fps ? `${l.fps.presented.toFixed(1)}/${l.fps.decoded.toFixed(1)}` : '–';
      const total = s.count + (l.missed ?? 0);
      return [l.name, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.mean), ms(s.min), ms(s.max), `${l.missed}/${total}`, fps];
    }),
  );
  const breakdown = formatTable(
    [
      'where it goes (ms)',
      'key→received p50/p95',
      'received→shown p50/p95',
      'session p50s',
      'jb',
      'decode',
      'playout-delay',
    ],
    measured.map((l) => {
      const sessions = l.sessions ?? [];
      const p50s = sessions.map((s) => s.summary.p50);
      const webrtc = sessions.flatMap((s) => (s.webrtc ? [s.webrtc] : []));
      const avg = (values: number[]): number => values.reduce((sum, v) => sum + v, 0) / values.length;
      const negotiated = webrtc.every((w) => w.playoutDelayInRemoteSdp && w.playoutDelayInReceiver);
      return [
        l.name,
        `${ms(l.receiveSummary?.p50)}/${ms(l.receiveSummary?.p95)}`,
        `${ms(l.displaySummary?.p50)}/${ms(l.displaySummary?.p95)}`,
        `${ms(Math.min(...p50s))}–${ms(Math.max(...p50s))}`,
        ms(avg(webrtc.map((w) => w.jitterBufferMs))),
        ms(avg(webrtc.map((w) => w.decodeMs))),
        webrtc.length === 0 ? '?' : negotiated ? 'negotiated' : 'off',
      ];
    }),
  );
  const lines = [latency, '', breakdown];
  for (const leg of measured.filter((l) => (l.uncertain ?? 0) > 0)) {
    lines.push(
      `${leg.name}: ${leg.uncertain} samples first seen after frames the page got no callback for ` +
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
  const samples = int('BENCH_SAMPLES', 200, 1);
  return {
    samples,
    sessions: Math.min(samples, int('BENCH_SESSIONS', 8, 1)),
    warmup: int('BENCH_WARMUP', 3, 0),
    legs: legs as LegName[],
    seed: int('BENCH_SEED', 1, 0),
  };
}

await main();
