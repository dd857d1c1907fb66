/**
 * Network-impairment bench: the real demo (gateway + edge agent with the
 * scene runtime) and headless Chromium in a private network namespace, under
 * random UDP loss, a rate cap on the gateway → browser media, blackouts and
 * (where netem exists) delay. Every scenario runs twice in the same run: leg
 * `repair` (default gateway configuration) and leg `baseline` (repair and
 * adaptive bitrate switched off through a --config file), so each figure
 * comes with a repair/baseline ratio measured on the same machine at the
 * same time. Prints a table per scenario, writes
 * test/bench/results/network-*.json. Never asserts speed; fails only when it
 * cannot measure.
 *
 * Environment:
 *   BENCH_NET_SECONDS    measured streaming per scenario and leg (default 60)
 *   BENCH_NET_SCENARIOS  comma list (default all: loss-0,loss-1,loss-2,loss-5,cap,blackout,jitter)
 *   BENCH_NET_LEGS       comma list (default repair,baseline)
 *   BENCH_NET_CAP_KBPS   the cap scenario's two rates (default 4000,2000)
 *   BENCH_NET_FEC        off|auto|on: the repair leg's forward error correction (default: the gateway's default)
 *   BENCH_NET_DETAIL     the scene's picture: high (default, ~6.6 Mb/s at 720p60, like a game) or low (~1 Mb/s)
 *   BENCH_SEED           seed of the key-press intervals (default 1)
 */
import { createRandom } from '@frameway/gateway';
import type { Browser } from 'playwright-core';
import { describeMachine, machineInfo, writeBenchResults } from '../../support/benchReport.js';
import { launchChromium } from '../../support/launchChromium.js';
import { missingPrerequisites } from '../../support/prerequisites.js';
import { summarize } from '../../support/summarize.js';
import { enterNetworkNamespace } from './enterNetworkNamespace.js';
import { LinkImpairer } from './LinkImpairer.js';
import { measureNetworkSession } from './measureNetworkSession.js';
import { type LegOutcome, overviewTable, type ScenarioOutcome, scenarioTable } from './report.js';
import { buildScenarios, DEFAULT_CAPS_KBPS, SCENARIO_NAMES, type Scenario } from './scenarios.js';
import {
  BASELINE_CONFIG,
  LEG_DESCRIPTIONS,
  LEG_NAMES,
  type LegName,
  type SceneDetail,
  startLegHost,
} from './startLegHost.js';

const INTERVAL_MS = [120, 250] as const;
const SETTLE_MS = 3_000;
/** Start-up and teardown of one leg (processes, page, first frames), for the run-time estimate. */
const LEG_OVERHEAD_S = 12;

interface Config {
  seconds: number;
  /** The scene's picture on both legs. */
  detail: SceneDetail;
  capsKbps: [number, number];
  scenarios: Scenario[];
  legs: LegName[];
  seed: number;
}

async function main(): Promise<void> {
  const entry = await enterNetworkNamespace(new URL(import.meta.url).pathname);
  if (entry.kind === 'skip') {
    console.log(`network: skipped: ${entry.reason}`);
    return;
  }
  if (entry.kind === 'ran') {
    process.exitCode = entry.exitCode;
    return;
  }
  await runInside();
}

async function runInside(): Promise<void> {
  const config = readConfig();
  const missing = missingPrerequisites(['ffmpeg', 'chromium', 'build']);
  if (missing.length > 0) {
    console.log(`network: skipped: this machine lacks ${missing.join(', ')}`);
    return;
  }
  const abort = new AbortController();
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C (or `timeout`) signals the whole process group and the outer process passes the
    // signal on as well, so one interrupt arrives twice: only a later one means "give up now".
    if (abort.signal.aborted) {
      if (Date.now() - firstSignalAt > 1_000) process.exit(1);
      return;
    }
    firstSignalAt = Date.now();
    process.stderr.write(`\n${signal}: stopping after cleanup\n`);
    abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const machine = machineInfo();
  const support = await LinkImpairer.support();
  const runnable = config.scenarios.filter((s) => s.needs.every((tool) => support[tool] === null));
  const estimateS = runnable.length * config.legs.length * (config.seconds + SETTLE_MS / 1000 + LEG_OVERHEAD_S);
  console.log(
    `network: ${config.scenarios.map((s) => s.name).join(', ')} × legs ${config.legs.join(', ')}, ` +
      `${config.seconds} s measured each; about ${Math.ceil(estimateS / 60)} min`,
  );
  // test/bench/run.mjs gives this bench 1800 s unless BENCH_TIMEOUT_S says otherwise.
  const budgetS = Number(process.env.BENCH_TIMEOUT_S ?? 1800);
  if (estimateS > budgetS) {
    console.log(
      `  note: BENCH_TIMEOUT_S is ${budgetS} s; run with BENCH_TIMEOUT_S=${Math.ceil((estimateS * 1.2) / 60) * 60} ` +
        'or fewer scenarios/seconds, or run.mjs stops this bench before it ends',
    );
  }
  for (const [tool, reason] of Object.entries(support)) if (reason) console.log(`  ${tool}: ${reason}`);

  const outcomes: ScenarioOutcome[] = [];
  let chromiumVersion = '';
  const impairer = new LinkImpairer();
  try {
    await using chrome = await launchChromium({ launchOptions: { handleSIGINT: false, handleSIGTERM: false } });
    chromiumVersion = chrome.version;
    for (const [index, scenario] of config.scenarios.entries()) {
      if (abort.signal.aborted) break;
      const outcome: ScenarioOutcome = {
        name: scenario.name,
        description: scenario.description,
        status: 'ok',
        legs: [],
      };
      outcomes.push(outcome);
      const unsupported = scenario.needs.map((tool) => support[tool]).find((reason) => reason !== null);
      if (unsupported) {
        outcome.status = 'skipped';
        outcome.reason = unsupported;
        console.log(scenarioTable(outcome));
        continue;
      }
      // Rotating the order keeps drift of the machine (load, warm caches) from favouring one leg.
      const order = config.legs.map((_, i) => config.legs[(i + index) % config.legs.length]!);
      for (const leg of order) {
        if (abort.signal.aborted) break;
        // Same seed for both legs of a scenario: they press keys at the same intervals.
        const random = createRandom(config.seed + index);
        const result = await runLeg(chrome.browser, scenario, leg, config, impairer, random, abort.signal);
        outcome.legs.push(result);
        const summary =
          result.status === 'ok'
            ? `${result.result?.figures.decodedFps.toFixed(1)} fps decoded, p95 ${result.latency?.p95.toFixed(1)} ms`
            : `failed: ${result.reason}`;
        console.log(`  ${scenario.name} ${leg}: ${summary}`);
      }
      outcome.legs.sort((a, b) => LEG_NAMES.indexOf(a.leg) - LEG_NAMES.indexOf(b.leg));
      console.log(scenarioTable(outcome));
    }
  } finally {
    await impairer.close();
  }

  console.log(`\n${overviewTable(outcomes)}`);
  console.log(
    "\ntarget kbps: the StreamQuality the gateway sends the player (the SDK's streamQuality event); " +
      '"–" when it sent none.',
  );
  console.log(describeMachine(machine, chromiumVersion));
  if (abort.signal.aborted) {
    process.exitCode = 1;
    return;
  }
  const paths = writeBenchResults(
    'network',
    {
      bench: 'network',
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      config: {
        seconds: config.seconds,
        capsKbps: config.capsKbps,
        scenarios: config.scenarios.map((s) => s.name),
        legs: config.legs.map((leg) => ({ name: leg, description: LEG_DESCRIPTIONS[leg] })),
        baselineConfig: BASELINE_CONFIG,
        seed: config.seed,
        settleMs: SETTLE_MS,
        pressIntervalMs: INTERVAL_MS,
      },
      machine: { ...machine, chromium: chromiumVersion },
      support,
      scenarios: outcomes,
    },
    startedAt,
  );
  console.log(`results: ${paths.file} (and ${paths.latest})`);
  if (outcomes.some((s) => s.legs.some((l) => l.status === 'failed'))) process.exitCode = 1;
}

async function runLeg(
  browser: Browser,
  scenario: Scenario,
  leg: LegName,
  config: Config,
  impairer: LinkImpairer,
  random: () => number,
  signal: AbortSignal,
): Promise<LegOutcome> {
  try {
    await using host = await startLegHost(leg, config.detail);
    const durationMs = config.seconds * 1000;
    const { samples, ...result } = await measureNetworkSession(browser, host.url, {
      durationMs,
      settleMs: SETTLE_MS,
      steps: scenario.steps(durationMs),
      impairer,
      intervalMs: INTERVAL_MS,
      random,
      signal,
      pids: { gateway: host.gatewayPid, agent: host.agentPid },
    });
    const latencies = samples.flatMap((s) => (s.latencyMs === null ? [] : [s.latencyMs]));
    return {
      leg,
      status: 'ok',
      result,
      samples,
      latency: summarize(latencies),
      presses: samples.length,
      missed: samples.length - latencies.length,
    };
  } catch (error) {
    return { leg, status: 'failed', reason: error instanceof Error ? error.message : String(error) };
  }
}

function readConfig(): Config {
  const int = (name: string, fallback: number, min: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
    return value;
  };
  const list = <T extends string>(name: string, known: readonly T[]): T[] => {
    const raw = process.env[name];
    if (raw === undefined || raw.trim() === '') return [...known];
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of items) {
      if (!(known as readonly string[]).includes(item)) {
        throw new Error(`${name}: unknown "${item}" (known: ${known.join(', ')})`);
      }
    }
    return items as T[];
  };
  const names = list('BENCH_NET_SCENARIOS', SCENARIO_NAMES);
  const caps = (process.env.BENCH_NET_CAP_KBPS ?? DEFAULT_CAPS_KBPS.join(',')).split(',').map(Number);
  if (caps.length !== 2 || !caps.every((c) => Number.isInteger(c) && c >= 100)) {
    throw new Error(`BENCH_NET_CAP_KBPS must be two integers ≥ 100 kbit/s, got "${process.env.BENCH_NET_CAP_KBPS}"`);
  }
  const all = buildScenarios({ capsKbps: [caps[0]!, caps[1]!] });
  return {
    seconds: int('BENCH_NET_SECONDS', 60, 5),
    detail: process.env.BENCH_NET_DETAIL === 'low' ? 'low' : 'high',
    capsKbps: [caps[0]!, caps[1]!],
    scenarios: names.map((name) => all.find((s) => s.name === name)!),
    legs: list('BENCH_NET_LEGS', LEG_NAMES),
    seed: int('BENCH_SEED', 1, 0),
  };
}

await main();
