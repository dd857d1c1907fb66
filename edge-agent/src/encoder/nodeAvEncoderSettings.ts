import type { EncoderName } from './encoderCatalog.js';

/** The picture an in-process encoder is opened for. */
export interface NodeAvEncoderVideo {
  width: number;
  height: number;
  /** The rate frames are stamped at (the session's; a lower target rate is met by dropping frames). */
  fps: number;
  gop: number;
}

/** Rate control written into the codec context: at open, and again between frames to retarget live. */
export interface NodeAvRateControl {
  /** bit_rate, bits/s. */
  bitRate: bigint;
  /** rc_max_rate, bits/s. */
  maxRate: bigint;
  /** rc_buffer_size, bits. */
  bufferSize: number;
}

/** Everything needed to open one encoder with node-av's CodecContext. */
export interface NodeAvEncoderSettings {
  /** FFmpeg encoder name. */
  codecName: EncoderName;
  width: number;
  height: number;
  fps: number;
  gop: number;
  /** Private and generic AVOptions given to avcodec_open2 (the CLI's `-preset`, `-x264-params`, …). */
  options: Record<string, string>;
}

/**
 * VBV size in frames. About one frame's worth of bits: every frame is sized
 * to leave the sender within about one frame time, so nothing queues in the
 * network or the pacer; the half frame of slack keeps x264 from crushing the
 * frame after a costly one.
 */
export const VBV_FRAMES = 1.5;

/**
 * Codec settings for one in-process encode, the same choices as the CLI's
 * buildCodecArgs (low-latency preset, no B-frames, fixed GOP, SPS/PPS before
 * every IDR, forced keyframes are IDRs), so both paths produce the same stream.
 *
 * @example await ctx.open2(codec, Dictionary.fromObject(nodeAvEncoderSettings('libx264', video).options))
 */
export function nodeAvEncoderSettings(encoder: EncoderName, video: NodeAvEncoderVideo): NodeAvEncoderSettings {
  return {
    codecName: encoder,
    width: video.width,
    height: video.height,
    fps: video.fps,
    gop: video.gop,
    options: codecOptions(encoder, video.gop),
  };
}

/**
 * The rate control that yields `bitrateKbps` at `outputFps` from an encoder
 * stamping frames at `encoderFps`. Rate control runs on the nominal rate
 * (force-cfr), so when frames are dropped to meet a lower rate each kept
 * frame must get the bits of the dropped ones: the budget per frame, and the
 * one-frame VBV, follow the frames actually sent.
 */
export function nodeAvRateControl(bitrateKbps: number, outputFps: number, encoderFps: number): NodeAvRateControl {
  const bitsPerSecond = Math.max(1, Math.round(bitrateKbps * 1000 * (encoderFps / Math.max(1, outputFps))));
  return {
    bitRate: BigInt(bitsPerSecond),
    // maxrate = bitrate: CBR-like; the VBV caps every frame, not just the average.
    maxRate: BigInt(bitsPerSecond),
    bufferSize: Math.max(1, Math.ceil((bitsPerSecond / encoderFps) * VBV_FRAMES)),
  };
}

function codecOptions(encoder: EncoderName, gop: number): Record<string, string> {
  switch (encoder) {
    case 'libx264':
      return {
        // Fastest preset; quality comes from bitrate.
        preset: 'ultrafast',
        // libavcodec's API defaults to one thread (the CLI to auto): one x264 thread misses 60 fps at
        // 720p on a busy node (the latency bench decoded 53.5 fps). Auto gives x264 its sliced threads.
        threads: 'auto',
        // No lookahead, no frame threads (sliced threads instead), no mbtree.
        tune: 'zerolatency',
        // Constrained baseline is what every WebRTC browser decodes (profile-level-id 42e01f).
        profile: 'baseline',
        // A frame sent with pict_type I (a keyframe request) becomes an IDR, not a mere I-frame a decoder cannot join at.
        'forced-idr': '1',
        'x264-params': [
          // SPS/PPS in-band before every IDR: the browser gets no sprop-parameter-sets.
          'repeat-headers=1',
          // Slices encoded in parallel instead of frames pipelined across threads (a frame of delay per thread).
          'sliced-threads=1',
          // No frames held back for rate-control or slice-type decisions.
          'rc-lookahead=0',
          'sync-lookahead=0',
          // Rate control uses the nominal fps, not timestamps (see nodeAvRateControl).
          'force-cfr=1',
          // Keyframes exactly every `gop` frames: never shortened on a scene cut.
          `keyint-min=${gop}`,
          'scenecut=0',
        ].join(':'),
      };
    case 'h264_nvenc':
    case 'hevc_nvenc':
      return {
        // Fastest preset, ultra-low-latency tuning, one pass, constant bitrate with the one-frame VBV.
        preset: 'p1',
        tune: 'ull',
        rc: 'cbr',
        multipass: 'disabled',
        // Never a B-frame as a reference, should a preset enable them.
        b_ref_mode: 'disabled',
        // Baseline for H.264 (what browsers negotiate); HEVC's lowest common profile is main.
        profile: encoder === 'h264_nvenc' ? 'baseline' : 'main',
        // No reordering delay, and each frame out as soon as it is encoded.
        zerolatency: '1',
        delay: '0',
        'rc-lookahead': '0',
        // pict_type I (a keyframe request) is an IDR a decoder can start from.
        'forced-idr': '1',
        // Keyframes stay on the fixed GOP grid.
        'no-scenecut': '1',
        strict_gop: '1',
        // Nothing in the bitstream the player does not need.
        a53cc: '0',
      };
  }
}
