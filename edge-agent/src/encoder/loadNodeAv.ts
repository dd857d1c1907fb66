import { yuv420pFrameBytes } from './buildEncoderArgs.js';
import type { EncoderName } from './encoderCatalog.js';
import { NodeAvVideoCodec } from './NodeAvVideoCodec.js';
import { nodeAvEncoderSettings, nodeAvRateControl } from './nodeAvEncoderSettings.js';

/** node-av's module namespace (FFmpeg's libraries in-process). Its types stay inside the encoder folder. */
export type NodeAvModule = typeof import('node-av');

/** node-av, or why it cannot be loaded on this machine. */
export type NodeAvLoad = NodeAvModule | { unavailable: string };

let loading: Promise<NodeAvLoad> | undefined;
const probes = new Map<EncoderName, Promise<true | string>>();

/**
 * Imports node-av once per process. It is an optional dependency (a native
 * binary per platform): a machine without it still runs the ffmpeg CLI
 * encoder, so a failed import is a reason, never a throw.
 */
export function loadNodeAv(): Promise<NodeAvLoad> {
  loading ??= importNodeAv();
  return loading;
}

/**
 * Whether `encoder` works in-process here: opens it with the session's exact
 * options at a small size and encodes one frame (NVENC fails without a GPU,
 * at open). Probed once per encoder per process; true, or the reason.
 */
export function inProcessEncoderAvailable(encoder: EncoderName): Promise<true | string> {
  let probe = probes.get(encoder);
  if (!probe) {
    probe = probeEncoder(encoder);
    probes.set(encoder, probe);
  }
  return probe;
}

async function importNodeAv(): Promise<NodeAvLoad> {
  try {
    const av = await import('node-av');
    // FFmpeg logs to stderr from native code: errors only, like the CLI encoder's `-loglevel error`.
    av.Log.setLevel(av.AV_LOG_ERROR);
    return av;
  } catch (error) {
    return { unavailable: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Probe picture: small enough to cost a few milliseconds, above NVENC's
 * minimum frame size (which 64x64 is not, for HEVC), so a refusal means the
 * encoder, not the size.
 */
const PROBE_VIDEO = Object.freeze({ width: 256, height: 144, fps: 30, gop: 30, bitrateKbps: 300 });

async function probeEncoder(encoder: EncoderName): Promise<true | string> {
  const av = await loadNodeAv();
  if ('unavailable' in av) return `node-av cannot be loaded: ${av.unavailable}`;
  let codec: NodeAvVideoCodec | undefined;
  try {
    codec = await NodeAvVideoCodec.open(
      av,
      nodeAvEncoderSettings(encoder, PROBE_VIDEO),
      nodeAvRateControl(PROBE_VIDEO.bitrateKbps, PROBE_VIDEO.fps, PROBE_VIDEO.fps),
      PROBE_VIDEO,
    );
    codec.load(new Uint8Array(yuv420pFrameBytes(PROBE_VIDEO.width, PROBE_VIDEO.height)).fill(128));
    const packets = await codec.encode(true);
    return packets.some((packet) => packet.keyframe && packet.data.byteLength > 0)
      ? true
      : `${encoder} produced no keyframe from a test frame`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await codec?.close();
  }
}
