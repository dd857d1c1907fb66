#!/usr/bin/env node
// Runs the benches: every folder test/bench/<name>/ with an index.ts or
// index.mjs is one bench (latency, placement, qos, studio-api). Each runs in
// its own Node process, TypeScript through the esbuild
// loader in ./loader, so one bench's crash, leaked handle or hung browser
// cannot take the others down and a timeout can kill it outright.
//
//   node test/bench/run.mjs [name ...]   only the named benches
//   BENCH_TIMEOUT_S=600                  per-bench limit (SIGTERM, then SIGKILL; network: 1800)
//
// Benches print their own figures and write test/bench/results/<name>-*.json;
// speed targets are reported, never asserted. Exit status is non-zero when a
// bench fails or times out.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const loader = new URL('./loader/register.mjs', import.meta.url).href;
const ENTRIES = ['index.ts', 'index.mjs'];
/** Benches whose default run needs longer than the 600 s default (network: 6 scenarios × 2 legs × 60 s + set-up). */
const DEFAULT_TIMEOUT_S = { network: 1800 };
const timeoutFor = (name) => Number(process.env.BENCH_TIMEOUT_S ?? DEFAULT_TIMEOUT_S[name] ?? 600) * 1000;

function discover() {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !d.name.startsWith('_'))
    .flatMap((d) => {
      const entry = ENTRIES.map((file) => join(benchDir, d.name, file)).find((path) => existsSync(path));
      return entry ? [{ name: d.name, entry }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function runBench({ name, entry }) {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', '--import', loader, entry], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    current = child;
    let timedOut = false;
    let killTimer;
    const timeoutMs = timeoutFor(name);
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`bench ${name}: over ${timeoutMs / 1000} s, stopping it\n`);
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({ name, ok: code === 0 && !timedOut, code, signal, timedOut, seconds: (Date.now() - startedAt) / 1000 });
    });
  });
}

const all = discover();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.some((b) => b.name === name));
if (unknown.length > 0) {
  console.error(`unknown bench: ${unknown.join(', ')} (have: ${all.map((b) => b.name).join(', ') || 'none'})`);
  process.exit(2);
}
const selected = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;

// Ctrl-C reaches the running bench through the process group and SIGTERM is
// passed on; either way stay alive until it has cleaned up, then report.
let current = null;
let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
});
process.on('SIGTERM', () => {
  stopping = true;
  current?.kill('SIGTERM');
});

const outcomes = [];
for (const bench of selected) {
  if (stopping) break;
  console.log(`\n▶ bench ${bench.name} (${relative(repoRoot, bench.entry)})`);
  outcomes.push(await runBench(bench));
}

console.log('\nbenches:');
for (const o of outcomes) {
  const how = o.ok ? 'ok' : o.timedOut ? 'timed out' : `failed (${o.signal ?? `exit ${o.code}`})`;
  console.log(`  ${o.name.padEnd(12)} ${how}, ${o.seconds.toFixed(1)} s`);
}
process.exitCode = outcomes.every((o) => o.ok) ? 0 : 1;
