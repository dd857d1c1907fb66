// Bundles the web pages (dist/web/: the game client at /, the cloud phone at
// /phone) and the standalone SDK bundle (dist/web/frameway.js).
// `tsc -b` has already emitted the library itself (dist/*.js + .d.ts).
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { renderIconPng } from './renderIcon.mjs';

const packageDir = dirname(fileURLToPath(import.meta.url));

/** Browsers with the WebRTC features the SDK uses (jitterBufferTarget aside, which is optional). */
const TARGETS = ['chrome110', 'firefox115', 'safari16.4', 'edge110'];

/** Copied as they are. */
const STATIC_FILES = ['index.html', 'phone.html', 'manifest.webmanifest', 'icon.svg'];
/** Rendered from the icon drawing: the installable app needs raster icons. */
const ICONS = [
  { name: 'icon-192.png', size: 192 },
  { name: 'icon-512.png', size: 512 },
  { name: 'icon-maskable-512.png', size: 512, maskable: true },
  { name: 'apple-touch-icon.png', size: 180, maskable: true },
];
/** Reported after a build (and checked by the bundle-size test). */
const REPORTED = ['index.html', 'player.js', 'player.css', 'phone.html', 'phone.js', 'phone.css', 'frameway.js'];

/**
 * Builds the web pages into `outDir` and returns each file's raw and gzip size.
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
    buildScripts(common, outDir),
    build({ ...common, entryPoints: ['web/player.css'], outfile: join(outDir, 'player.css'), format: undefined }),
    build({ ...common, entryPoints: ['web/phone.css'], outfile: join(outDir, 'phone.css'), format: undefined }),
    ...STATIC_FILES.map((name) => copyFile(join(packageDir, 'web', name), join(outDir, name))),
    ...ICONS.map(({ name, size, maskable }) => writeFile(join(outDir, name), renderIconPng(size, { maskable }))),
  ]);
  const sizes = [];
  for (const name of REPORTED) {
    const bytes = await readFile(join(outDir, name));
    sizes.push({ name, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength });
  }
  if (!quiet) {
    const kib = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
    console.log(`client-sdk: built ${relative(process.cwd(), outDir) || '.'}`);
    for (const { name, raw, gzip } of sizes) console.log(`  ${name.padEnd(14)} ${kib(raw)} raw ${kib(gzip)} gzip`);
  }
  return sizes;
}

/**
 * Each script is its own build, so each is self-contained except for code it
 * reaches only through import() (the QoS signer), which splits into chunks/.
 * Sequential: identical lazy chunks from two builds land on the same file name.
 */
async function buildScripts(common, outDir) {
  for (const [name, entry] of [
    ['player', 'web/player.ts'],
    ['phone', 'web/phone.ts'],
    ['frameway', 'src/index.ts'],
  ]) {
    await build({
      ...common,
      entryPoints: { [name]: entry },
      outdir: outDir,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
}
