// Bundles the web player (dist/web/) and the standalone SDK bundle (dist/web/frameway.js).
// `tsc -b` has already emitted the library itself (dist/*.js + .d.ts).
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const packageDir = dirname(fileURLToPath(import.meta.url));

/** Browsers with the WebRTC features the SDK uses (jitterBufferTarget aside, which is optional). */
const TARGETS = ['chrome110', 'firefox115', 'safari16.4', 'edge110'];

/**
 * Builds the web player into `outDir` and returns each file's raw and gzip size.
 * @param {{ outDir?: string, quiet?: boolean }} [options]
 */
export async function buildWeb({ outDir = join(packageDir, 'dist', 'web'), quiet = false } = {}) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: TARGETS,
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    // Bundle workspace packages from their TypeScript sources, never from a stale dist.
    conditions: ['source'],
    logLevel: quiet ? 'silent' : 'warning',
    absWorkingDir: packageDir,
  };
  await Promise.all([
    build({ ...common, entryPoints: ['web/player.ts'], outfile: join(outDir, 'player.js') }),
    build({ ...common, entryPoints: ['src/index.ts'], outfile: join(outDir, 'frameway.js') }),
    build({ ...common, entryPoints: ['web/player.css'], outfile: join(outDir, 'player.css'), format: undefined }),
    copyFile(join(packageDir, 'web', 'index.html'), join(outDir, 'index.html')),
  ]);
  const sizes = [];
  for (const name of ['index.html', 'player.js', 'player.css', 'frameway.js']) {
    const bytes = await readFile(join(outDir, name));
    sizes.push({ name, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength });
  }
  if (!quiet) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
    console.log(`client-sdk: built ${relative(process.cwd(), outDir) || '.'}`);
    for (const { name, raw, gzip } of sizes) console.log(`  ${name.padEnd(12)} ${kib(raw)} raw ${kib(gzip)} gzip`);
  }
  return sizes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
