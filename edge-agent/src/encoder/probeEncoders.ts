import type { EncoderInfo, GpuInfo } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';
import { type CommandRunner, runCommand } from '../process/runCommand.js';
import { buildCodecArgs } from './buildEncoderArgs.js';
import { ENCODER_CATALOG, type EncoderName, encoderInfo } from './encoderCatalog.js';

const log = createLogger('probe');

/** What this node can offer, as sent in AgentRegister. */
export interface NodeCapabilities {
  /** Encoders that passed a real one-frame encode, preferred first. */
  encoders: EncoderInfo[];
  gpus: GpuInfo[];
  /** Of those, the ones that also open in-process (node-av); absent or empty: the ffmpeg CLI only. */
  inProcess?: ReadonlySet<EncoderName>;
}

export interface ProbeEncodersOptions {
  ffmpegPath: string;
  /** Encoders to try, in order of preference; defaults to the whole catalog (hardware first). */
  candidates?: readonly EncoderName[];
  /** Limit of each probe command. */
  timeoutMs?: number;
  nvidiaSmiPath?: string;
  run?: CommandRunner;
}

// Small enough to be instant, large enough for NVENC's minimum frame size.
const PROBE_VIDEO = { width: 256, height: 144, fps: 30, bitrateKbps: 500, gop: 30 } as const;

/**
 * Finds the encoders that really work on this node by encoding one frame with
 * each, using the same codec options a session uses; NVENC is listed only
 * when a GPU and driver actually accept it. Also lists NVIDIA GPUs.
 */
export async function probeEncoders(options: ProbeEncodersOptions): Promise<NodeCapabilities> {
  const run = options.run ?? runCommand;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const candidates = options.candidates ?? ENCODER_CATALOG.map((entry) => entry.name);
  const [results, gpus] = await Promise.all([
    Promise.all(candidates.map((name) => probeOne(run, options.ffmpegPath, name, timeoutMs))),
    listNvidiaGpus(run, options.nvidiaSmiPath ?? 'nvidia-smi', timeoutMs),
  ]);
  const encoders = candidates.filter((_, i) => results[i]).map((name) => encoderInfo(name));
  return { encoders, gpus };
}

async function probeOne(run: CommandRunner, ffmpegPath: string, name: EncoderName, timeoutMs: number) {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-f',
    'lavfi',
    '-i',
    `color=black:s=${PROBE_VIDEO.width}x${PROBE_VIDEO.height}:r=${PROBE_VIDEO.fps}`,
    '-frames:v',
    '1',
    ...buildCodecArgs(name, PROBE_VIDEO),
    '-f',
    'null',
    '-',
  ];
  const result = await run(ffmpegPath, args, timeoutMs);
  const ok = result.code === 0;
  log.debug(
    { encoder: name, ok, timedOut: result.timedOut, stderr: ok ? undefined : lastLine(result.stderr) },
    'encoder probed',
  );
  return ok;
}

async function listNvidiaGpus(run: CommandRunner, nvidiaSmi: string, timeoutMs: number): Promise<GpuInfo[]> {
  const result = await run(nvidiaSmi, ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], timeoutMs);
  if (result.code !== 0) return [];
  return parseNvidiaSmiGpus(result.stdout);
}

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader[,nounits]` output. */
export function parseNvidiaSmiGpus(csv: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of csv.split('\n')) {
    const comma = line.lastIndexOf(',');
    if (comma <= 0) continue;
    const model = line.slice(0, comma).trim().slice(0, 128);
    const memoryMiB = Number.parseInt(line.slice(comma + 1).trim(), 10);
    if (!model) continue;
    gpus.push(
      Number.isSafeInteger(memoryMiB) && memoryMiB >= 0
        ? { vendor: 'NVIDIA', model, memoryMiB }
        : { vendor: 'NVIDIA', model },
    );
    if (gpus.length === 16) break;
  }
  return gpus;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 300);
}
