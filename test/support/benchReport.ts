import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage: number[];
  platform: string;
  node: string;
  ffmpeg: string | null;
}

/** What a reader needs to compare figures across machines: CPU, memory, load, tool versions. */
/** The one-line machine summary benches print under their tables (Chromium's version where a browser ran). */
export function describeMachine(machine: MachineInfo, chromiumVersion?: string): string {
  return (
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, load ${machine.loadAverage.join(' ')}; ` +
    `node ${machine.node}; ${chromiumVersion === undefined ? '' : `Chromium ${chromiumVersion}; `}ffmpeg ${machine.ffmpeg ?? '?'}`
  );
}

export function machineInfo(ffmpegPath = process.env.FFMPEG_BIN ?? 'ffmpeg'): MachineInfo {
  const list = cpus();
  const gib = (bytes: number): number => Math.round((bytes / 2 ** 30) * 10) / 10;
  let ffmpeg: string | null = null;
  try {
    const banner = execFileSync(ffmpegPath, ['-version'], { encoding: 'utf8' });
    ffmpeg = /^ffmpeg version (\S+)/.exec(banner)?.[1] ?? null;
  } catch {
    ffmpeg = null;
  }
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGiB: gib(totalmem()),
    freeMemoryGiB: gib(freemem()),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    platform: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    ffmpeg,
  };
}

/** Default results folder, `test/bench/results/` (git-ignored except its .gitkeep). */
export function resultsDir(): string {
  return process.env.BENCH_RESULTS_DIR ?? fileURLToPath(new URL('../bench/results/', import.meta.url));
}

/**
 * Writes `<name>-<ISO timestamp>.json` and `<name>-latest.json`; returns both
 * paths relative to the working directory. Colons are left out of the
 * timestamp so the names are valid on every file system.
 */
export function writeBenchResults(name: string, data: unknown, at = new Date()): { file: string; latest: string } {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(data, null, 2)}\n`;
  const stamp = at.toISOString().replace(/:/g, '-');
  const file = join(dir, `${name}-${stamp}.json`);
  const latest = join(dir, `${name}-latest.json`);
  writeFileSync(file, json);
  writeFileSync(latest, json);
  return { file: relative(process.cwd(), file), latest: relative(process.cwd(), latest) };
}

/** Plain-text table: first column left-aligned, the rest right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A millisecond figure for tables: one decimal, '–' when absent. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(1);
}
