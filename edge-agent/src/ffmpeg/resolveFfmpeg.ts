import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { FramewayError } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';

const log = createLogger('ffmpeg');

export type FfmpegSource = 'FFMPEG_BIN' | 'ffmpeg-static' | 'PATH';

export interface ResolvedFfmpeg {
  path: string;
  source: FfmpegSource;
}

export interface ResolveFfmpegOptions {
  /** Environment to read FFMPEG_BIN and PATH from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Loads the ffmpeg-static package and returns what it exports (a path, or null where unsupported). */
  loadFfmpegStatic?: () => unknown;
  /** True when the path is a file this process may execute. */
  isExecutable?: (path: string) => boolean;
  /** Platform, for the executable name on PATH; defaults to process.platform. */
  platform?: NodeJS.Platform;
}

let cached: ResolvedFfmpeg | undefined;

/**
 * Finds the ffmpeg binary: `FFMPEG_BIN`, then the optional `ffmpeg-static`
 * package, then `ffmpeg` on PATH. Called without options the result is cached
 * for the process. Throws FW_ERR_ENCODER_UNAVAILABLE naming all three options
 * when none works.
 */
export function resolveFfmpeg(options?: ResolveFfmpegOptions): ResolvedFfmpeg {
  if (options === undefined && cached) return cached;
  const env = options?.env ?? process.env;
  const isExecutable = options?.isExecutable ?? isExecutableFile;
  const loadFfmpegStatic = options?.loadFfmpegStatic ?? loadInstalledFfmpegStatic;
  const tried: string[] = [];

  const resolved =
    fromEnv(env, isExecutable, tried) ??
    fromFfmpegStatic(loadFfmpegStatic, isExecutable, tried) ??
    fromPath(env, options?.platform ?? process.platform, isExecutable, tried);
  if (!resolved) {
    throw new FramewayError(
      'FW_ERR_ENCODER_UNAVAILABLE',
      'no usable ffmpeg: set FFMPEG_BIN to an ffmpeg executable, install the optional dependency ' +
        `ffmpeg-static, or put ffmpeg on PATH (tried: ${tried.join('; ')})`,
      { tried },
    );
  }
  log.debug({ path: resolved.path, source: resolved.source }, 'ffmpeg resolved');
  if (options === undefined) cached = resolved;
  return resolved;
}

function fromEnv(
  env: Readonly<Record<string, string | undefined>>,
  isExecutable: (path: string) => boolean,
  tried: string[],
): ResolvedFfmpeg | undefined {
  const path = env.FFMPEG_BIN?.trim();
  if (!path) {
    tried.push('FFMPEG_BIN (not set)');
    return undefined;
  }
  if (isExecutable(path)) return { path, source: 'FFMPEG_BIN' };
  // An explicit setting that does not work is worth a warning even when a fallback succeeds.
  log.warn({ path }, 'FFMPEG_BIN is not an executable file; trying the fallbacks');
  tried.push(`FFMPEG_BIN=${path} (not an executable file)`);
  return undefined;
}

function fromFfmpegStatic(
  load: () => unknown,
  isExecutable: (path: string) => boolean,
  tried: string[],
): ResolvedFfmpeg | undefined {
  let exported: unknown;
  try {
    exported = load();
  } catch {
    tried.push('ffmpeg-static (not installed)');
    return undefined;
  }
  if (typeof exported !== 'string' || exported.length === 0) {
    tried.push('ffmpeg-static (no binary for this platform)');
    return undefined;
  }
  if (!isExecutable(exported)) {
    // The package installs even when its binary download failed.
    tried.push(`ffmpeg-static (binary missing at ${exported})`);
    return undefined;
  }
  return { path: exported, source: 'ffmpeg-static' };
}

function fromPath(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform,
  isExecutable: (path: string) => boolean,
  tried: string[],
): ResolvedFfmpeg | undefined {
  const name = platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  const separator = platform === 'win32' ? ';' : delimiter;
  for (const dir of (env.PATH ?? '').split(separator)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  tried.push('ffmpeg on PATH (not found)');
  return undefined;
}

function loadInstalledFfmpegStatic(): unknown {
  // createRequire, not import(): the package is an optional CommonJS dependency
  // that may be absent, and a static import would fail to type-check without it.
  return createRequire(import.meta.url)('ffmpeg-static');
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
