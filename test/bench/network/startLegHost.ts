import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LaunchedFrameway, launchFrameway } from '../../../scripts/launch.mjs';

export const LEG_NAMES = ['repair', 'baseline'] as const;
/** The scene runtime's picture: 'high' streams like a game (~6.6 Mb/s at 720p60), 'low' ~1 Mb/s. */
export type SceneDetail = 'low' | 'high';
export type LegName = (typeof LEG_NAMES)[number];

export const LEG_DESCRIPTIONS: Record<LegName, string> = {
  repair: 'gateway + edge agent, default configuration (repair and adaptive bitrate on once they exist)',
  baseline: "the same with { media: { repair: false, adaptiveBitrate: false, fec: 'off' } } in a --config file",
};

/** What the baseline leg switches off in the gateway. */
export const BASELINE_CONFIG = { media: { repair: false, adaptiveBitrate: false, fec: 'off' } } as const;

export interface LegHost extends AsyncDisposable {
  url: string;
  gatewayPid: number;
  agentPid: number;
}

/**
 * Starts the real gateway and edge agent for one leg (port 0), as
 * test/support/startFrameway.ts does, but keeping the output so that a gateway
 * that refuses its configuration fails the leg with its own words.
 */
export async function startLegHost(leg: LegName, detail: SceneDetail = 'high'): Promise<LegHost> {
  const logs: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fw-netbench-'));
  const file = join(dir, 'gateway.json');
  // The scene's 'high' detail needs ~6.6 Mb/s at 720p60, as a real game does: rate caps bite and loss hits big frames.
  const scene = { session: { runtimeOptions: { detail } } };
  // BENCH_NET_FEC overrides the repair leg's forward error correction (default: the gateway's, auto).
  const fec = process.env.BENCH_NET_FEC;
  const repair = fec === 'off' || fec === 'on' || fec === 'auto' ? { ...scene, media: { fec } } : scene;
  writeFileSync(file, JSON.stringify(leg === 'baseline' ? { ...scene, ...BASELINE_CONFIG } : repair));
  const gatewayArgs = ['--config', file];
  let launched: LaunchedFrameway;
  try {
    launched = await launchFrameway({
      port: 0,
      gatewayArgs,
      // Nothing is shared through the demo's database file.
      env: { FRAMEWAY_DATABASE: ':memory:' },
      log: (line, source) => {
        logs.push(`[${source}] ${line}`);
        if (process.env.BENCH_NET_LOGS === '1') process.stderr.write(`[${leg} ${source}] ${line}\n`);
        if (logs.length > 500) logs.shift();
      },
    });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    const said = fatalLines(logs);
    throw new Error(said.length > 0 ? `${message}: ${said.join(' | ')}` : message);
  }
  return {
    url: launched.url,
    gatewayPid: launched.gateway.pid ?? -1,
    agentPid: launched.agent.pid ?? -1,
    async [Symbol.asyncDispose]() {
      await launched.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The error and fatal messages among pino JSON log lines (the error's message when one is attached). */
export function fatalLines(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const json = line.slice(line.indexOf('{'));
    try {
      const entry = JSON.parse(json) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 50) return [];
      const text = entry.err?.message ?? entry.msg ?? json;
      return [text.replace(/\s*\n\s*/g, ' ')];
    } catch {
      return [];
    }
  });
}
