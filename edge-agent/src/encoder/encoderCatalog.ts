import type { EncoderInfo } from '@frameway/protocol';

/**
 * The ffmpeg encoders the agent knows how to drive, in order of preference:
 * hardware first, because NVENC encodes off the CPU the game needs.
 */
export const ENCODER_CATALOG = Object.freeze([
  Object.freeze({ name: 'h264_nvenc', codec: 'h264', hardware: true }),
  Object.freeze({ name: 'hevc_nvenc', codec: 'hevc', hardware: true }),
  Object.freeze({ name: 'libx264', codec: 'h264', hardware: false }),
] as const satisfies readonly EncoderInfo[]);

export type EncoderName = (typeof ENCODER_CATALOG)[number]['name'];

export function isEncoderName(name: string): name is EncoderName {
  return ENCODER_CATALOG.some((entry) => entry.name === name);
}

/** The wire description of a known encoder. */
export function encoderInfo(name: EncoderName): EncoderInfo {
  const entry = ENCODER_CATALOG.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`unknown encoder ${name}`);
  return { name: entry.name, codec: entry.codec, hardware: entry.hardware };
}
