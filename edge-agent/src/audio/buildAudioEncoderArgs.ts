import { buildRtpOutputArgs, type PlainRtpTarget } from '../encoder/buildEncoderArgs.js';
import type { AudioCapture } from '../runtime/SessionRuntime.js';

/** Opus always runs at 48 kHz on the wire (RFC 7587), whatever the source rate. */
export const OPUS_SAMPLE_RATE = 48_000;

export interface AudioEncoderArgsInput {
  source: AudioCapture;
  rtp: PlainRtpTarget;
  /** Opus bitrate; 96 kbit/s is transparent for stereo game audio. */
  bitrateKbps?: number;
  /** Opus frame (and RTP packet) duration. */
  frameMs?: 10 | 20;
}

/**
 * The ffmpeg argv that records the session's PulseAudio source and sends it
 * as Opus RTP: a stream of its own (port, SSRC), so a late audio packet can
 * never hold up a video frame.
 *
 * @example spawn(ffmpegPath, buildAudioEncoderArgs({ source, rtp: start.audioRtp }))
 */
export function buildAudioEncoderArgs(input: AudioEncoderArgsInput): string[] {
  const frameMs = input.frameMs ?? 10;
  // Bytes of one frame of s16 stereo at 48 kHz: PulseAudio hands ffmpeg audio
  // in chunks of one Opus frame instead of its default ~25 ms fragments.
  const fragmentBytes = (OPUS_SAMPLE_RATE / 1000) * frameMs * 2 * 2;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    '-nostdin',
    '-f',
    'pulse',
    '-server',
    input.source.server,
    // Shown in `pactl list source-outputs`, so an operator can tell sessions apart.
    '-name',
    'frameway-agent',
    '-sample_rate',
    String(OPUS_SAMPLE_RATE),
    '-channels',
    '2',
    '-fragment_size',
    String(fragmentBytes),
    '-i',
    input.source.source,
    '-vn',
    // Timestamps from the sample count, not from PulseAudio's smoothed clock
    // (which wobbles for the first second): the receiver's jitter buffer sees
    // exactly one frame per packet and never conceals a phantom gap.
    '-af',
    'asetpts=N/SR/TB',
    '-c:a',
    'libopus',
    // CELT-only low-delay mode: ~5 ms algorithmic delay instead of ~26 ms for 'audio'.
    '-application',
    'lowdelay',
    // One packet per 10 ms: half the packetisation delay of the usual 20 ms.
    '-frame_duration',
    String(frameMs),
    '-b:a',
    `${input.bitrateKbps ?? 96}k`,
    // Constant packet sizes pace evenly behind the video on the same path.
    '-vbr',
    'off',
    ...buildRtpOutputArgs(input.rtp),
  ];
}
