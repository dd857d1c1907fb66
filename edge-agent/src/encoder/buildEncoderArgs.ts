import { FramewayError, type MessageType, type PayloadOf } from '@frameway/protocol';
import type { EncoderName } from './encoderCatalog.js';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

/** Stream shape the encoder is configured for (SessionStart's `video`, codec aside). */
export type EncoderVideo = Pick<SessionStart['video'], 'width' | 'height' | 'fps' | 'bitrateKbps' | 'gop'>;
/** Where and how RTP is sent (SessionStart's `rtp`). */
export type RtpTarget = SessionStart['rtp'];

export interface EncoderArgsInput {
  encoder: EncoderName;
  video: EncoderVideo;
  rtp: RtpTarget;
}

/**
 * RTP payload size. 1200 bytes leaves room for SRTP, TURN and IPv6 headers
 * inside a 1280-byte minimum IPv6 MTU, so no packet is ever IP-fragmented.
 */
export const RTP_PACKET_SIZE = 1200;

/** Bytes of one yuv420p frame, the raw format the agent writes to ffmpeg. */
export function yuv420pFrameBytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

/**
 * The full ffmpeg argv for one session: raw yuv420p frames on stdin, one
 * encoded video stream out as RTP.
 *
 * @example spawn(ffmpegPath, buildEncoderArgs({ encoder: 'libx264', video, rtp }))
 */
export function buildEncoderArgs(input: EncoderArgsInput): string[] {
  const { video, rtp } = input;
  return [
    // Errors only, and no progress line: stderr is kept as the failure reason.
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    ...buildInputArgs(video),
    // Video only; the agent sends no audio in this stream.
    '-an',
    ...buildCodecArgs(input.encoder, video),
    ...buildRtpOutputArgs(rtp),
  ];
}

/** Input side: raw frames exactly as the runtime renders them, read from stdin. */
export function buildInputArgs(video: Pick<EncoderVideo, 'width' | 'height' | 'fps'>): string[] {
  // No '-fflags nobuffer': with it ffmpeg discards the frame read while probing
  // the input, so the first frame would never be encoded. Probing a fully
  // described rawvideo input reads one frame and holds nothing back.
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${video.width}x${video.height}`,
    // Timestamps are frame-count based at the session rate; the agent paces the writes.
    '-r',
    String(video.fps),
    '-i',
    'pipe:0',
  ];
}

/** Encoder options, shared by the session argv and the startup probe (so a probe proves these exact options). */
export function buildCodecArgs(encoder: EncoderName, video: EncoderVideo): string[] {
  const bitrate = `${video.bitrateKbps}k`;
  // A VBV of about one frame's worth of bits: every frame is sized to leave the
  // sender within one frame time, so nothing queues in the network or pacer.
  const oneFrameKbits = `${Math.max(1, Math.ceil(video.bitrateKbps / video.fps))}k`;
  const rateControl = ['-b:v', bitrate, '-maxrate', bitrate, '-bufsize', oneFrameKbits];
  // Fixed GOP: a player joining mid-stream gets an IDR within `gop` frames, and
  // the gateway can predict when. No B-frames: they add a frame of reordering delay.
  const gop = ['-g', String(video.gop), '-bf', '0'];
  switch (encoder) {
    case 'libx264':
      return [
        '-c:v',
        'libx264',
        // Fastest preset: ~4 ms per 720p frame on one core; quality comes from bitrate.
        '-preset',
        'ultrafast',
        // zerolatency: no lookahead, no frame threads (sliced threads instead), no mbtree.
        '-tune',
        'zerolatency',
        // Constrained baseline is what every WebRTC browser decodes (profile-level-id 42e01f).
        '-profile:v',
        'baseline',
        '-pix_fmt',
        'yuv420p',
        ...rateControl,
        ...gop,
        // Never shorten the GOP on its own: keyframes stay exactly every `gop` frames.
        '-keyint_min',
        String(video.gop),
        '-sc_threshold',
        '0',
        '-x264-params',
        [
          // SPS/PPS in-band before every IDR: the browser gets no sprop-parameter-sets.
          'repeat-headers=1',
          // Split each frame into slices encoded in parallel instead of pipelining
          // frames across threads, which would add a frame of delay per thread.
          'sliced-threads=1',
          // No frames held back for rate-control or slice-type decisions.
          'rc-lookahead=0',
          'sync-lookahead=0',
          // Rate control uses the nominal fps, not input timestamps.
          'force-cfr=1',
        ].join(':'),
      ];
    case 'h264_nvenc':
    case 'hevc_nvenc':
      return [
        '-c:v',
        encoder,
        // p1 = fastest NVENC preset; ull = ultra-low-latency tuning.
        '-preset',
        'p1',
        '-tune',
        'ull',
        // Constant bitrate with the one-frame VBV above (NVENC's low-latency CBR mode).
        '-rc',
        'cbr',
        ...rateControl,
        ...gop,
        // Baseline for H.264 (what browsers negotiate); HEVC's lowest common profile is main.
        '-profile:v',
        encoder === 'h264_nvenc' ? 'baseline' : 'main',
        '-pix_fmt',
        'yuv420p',
        // No reordering delay, and output each frame as soon as it is encoded
        // (the default delay is the number of surfaces).
        '-zerolatency',
        '1',
        '-delay',
        '0',
        '-rc-lookahead',
        '0',
        // Forced keyframes (a future keyframe request) are IDRs a decoder can start from.
        '-forced-idr',
        '1',
        // Keep keyframes on the fixed GOP grid.
        '-no-scenecut',
        '1',
        '-strict_gop',
        '1',
      ];
  }
}

/** Output side: one RTP stream with the payload type and SSRC the gateway expects. */
export function buildRtpOutputArgs(rtp: RtpTarget): string[] {
  if (rtp.ssrc === 0) {
    // ffmpeg reads -ssrc 0 as "pick one at random", and the gateway drops packets with an SSRC it did not assign.
    throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'RTP SSRC 0 cannot be requested from ffmpeg; use 1..2^32-1');
  }
  return [
    '-f',
    'rtp',
    '-payload_type',
    String(rtp.payloadType),
    // ffmpeg parses -ssrc as a signed 32-bit int: pass the same 32 bits as int32.
    '-ssrc',
    String(rtp.ssrc | 0),
    // RTCP sender reports go to the RTP port itself (rtcp-mux, RFC 5761) rather
    // than port+1, which the gateway does not own; it tells them apart by type.
    `rtp://${formatHost(rtp.host)}:${rtp.port}?pkt_size=${RTP_PACKET_SIZE}&rtcpport=${rtp.port}`,
  ];
}

const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$/;
const IPV6 = /^[0-9A-Fa-f:.]{2,45}$/;

function formatHost(host: string): string {
  // The host lands inside a URL: reject anything that could add URL options.
  if (HOSTNAME.test(host)) return host;
  if (host.includes(':') && IPV6.test(host)) return `[${host}]`;
  throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `RTP host ${JSON.stringify(host)} is not a hostname or IP address`);
}
