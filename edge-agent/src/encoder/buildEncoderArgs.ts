import { FramewayError, type MessageType, type PayloadOf } from '@frameway/protocol';
import type { VideoCapture } from '../runtime/SessionRuntime.js';
import type { EncoderName } from './encoderCatalog.js';

type SessionStart = PayloadOf<typeof MessageType.SessionStart>;

/** Stream shape the encoder is configured for (SessionStart's `video`, codec aside). */
export type EncoderVideo = Pick<SessionStart['video'], 'width' | 'height' | 'fps' | 'bitrateKbps' | 'gop'>;
/** Where and how a session's stream goes to the gateway (SessionStart's `rtp`, SRTP keying included). */
export type RtpTarget = SessionStart['rtp'];

/**
 * Where ffmpeg sends plain RTP: the loopback relay of the session's RtpPublisher,
 * which protects it (SRTP) and keeps it for retransmission on the way to the gateway.
 */
export type PlainRtpTarget = Pick<RtpTarget, 'host' | 'port' | 'payloadType' | 'ssrc'>;

/** Pixel format of what reaches the encoder: raw frames are yuv420p, an X display is BGRx. */
export type InputPixelFormat = 'yuv420p' | 'bgr0';

export interface CodecOptions {
  /**
   * Periodic intra refresh instead of periodic IDR frames: each frame carries
   * a column of intra blocks, so the bitrate has no keyframe spikes and a lost
   * packet heals within one refresh period without a round trip. A browser can
   * only start decoding at an IDR, though, so an IDR is still forced every
   * `gop` frames (`-force_key_frames` + `-forced-idr`): the join keyframe
   * stays guaranteed, and the refresh does the loss recovery in between.
   */
  intraRefresh?: boolean;
  /** Format of the frames the encoder is fed; decides where colour conversion happens. */
  inputPixelFormat?: InputPixelFormat;
}

export interface EncoderArgsInput extends CodecOptions {
  encoder: EncoderName;
  video: EncoderVideo;
  rtp: PlainRtpTarget;
  /** Where the picture comes from; raw frames on stdin when absent. */
  capture?: VideoCapture;
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
 * The full ffmpeg argv for one session: the runtime's picture in (raw frames
 * on stdin, an X display, or the runtime's own H.264), one video stream out
 * as RTP.
 *
 * @example spawn(ffmpegPath, buildEncoderArgs({ encoder: 'libx264', video, rtp }))
 */
export function buildEncoderArgs(input: EncoderArgsInput): string[] {
  const { video, rtp } = input;
  const capture = input.capture ?? { kind: 'frames' };
  const reencode = () =>
    buildCodecArgs(input.encoder, video, {
      ...(input.intraRefresh === undefined ? {} : { intraRefresh: input.intraRefresh }),
      inputPixelFormat: capture.kind === 'x11grab' ? 'bgr0' : 'yuv420p',
    });
  const codec =
    capture.kind !== 'h264'
      ? reencode()
      : capture.filter === undefined
        ? // The runtime's encoder already made H.264: repacketise, never re-encode.
          ['-c:v', 'copy']
        : // Decode, fit into the session frame, encode: the output is always the session's size.
          ['-vf', capture.filter, ...reencode()];
  return [
    // Errors only, and no progress line: stderr is kept as the failure reason.
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    ...buildInputArgs(video, capture),
    // Video only; audio is a separate RTP stream from its own process.
    '-an',
    ...codec,
    ...buildRtpOutputArgs(rtp),
  ];
}

/** Input side: where the picture comes from. */
export function buildInputArgs(
  video: Pick<EncoderVideo, 'width' | 'height' | 'fps'>,
  capture?: VideoCapture,
): string[] {
  switch (capture?.kind ?? 'frames') {
    case 'frames':
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
    case 'x11grab': {
      const grab = capture as Extract<VideoCapture, { kind: 'x11grab' }>;
      checkDisplay(grab.display);
      return [
        // stdin is not the picture here: keep ffmpeg from reading it as key commands.
        '-nostdin',
        '-f',
        'x11grab',
        // The game draws its own cursor if it wants one; the player sees their local pointer.
        '-draw_mouse',
        '0',
        // x11grab paces itself: one grab (MIT-SHM, no copy through the socket) per frame time.
        '-framerate',
        String(video.fps),
        '-video_size',
        `${grab.width}x${grab.height}`,
        '-i',
        `${grab.display}.0+0,0`,
      ];
    }
    case 'h264':
      return [
        '-f',
        'h264',
        // Start on the first bytes: no probing window to fill, no demuxer buffering.
        '-probesize',
        '32',
        '-analyzeduration',
        '0',
        '-fflags',
        'nobuffer',
        '-flags',
        'low_delay',
        // A raw H.264 stream has no timestamps: stamp each frame when it arrives,
        // so the receiver plays it out at the pace the device produced it.
        '-use_wallclock_as_timestamps',
        '1',
        '-i',
        'pipe:0',
      ];
  }
}

/** Encoder options, shared by the session argv and the startup probe (so a probe proves these exact options). */
export function buildCodecArgs(encoder: EncoderName, video: EncoderVideo, options: CodecOptions = {}): string[] {
  const intraRefresh = options.intraRefresh ?? false;
  const inputPixelFormat = options.inputPixelFormat ?? 'yuv420p';
  const bitrate = `${video.bitrateKbps}k`;
  // A VBV of about one frame's worth of bits: every frame is sized to leave the
  // sender within one frame time, so nothing queues in the network or pacer.
  const oneFrameKbits = `${Math.max(1, Math.ceil(video.bitrateKbps / video.fps))}k`;
  const rateControl = ['-b:v', bitrate, '-maxrate', bitrate, '-bufsize', oneFrameKbits];
  // Fixed GOP: a player joining mid-stream gets an IDR within `gop` frames, and
  // the gateway can predict when. No B-frames: they add a frame of reordering delay.
  const gop = ['-g', String(video.gop), '-bf', '0'];
  // With intra refresh the encoders stop emitting IDRs on their own (one at the
  // start, then only refresh columns); forcing one every `gop` frames keeps the
  // join guarantee. `n_forced*gop` counts frames, independent of timestamps.
  const forcedIdr = intraRefresh ? ['-force_key_frames', `expr:gte(n,n_forced*${video.gop})`, '-forced-idr', '1'] : [];
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
        // x264 converts nothing itself: swscale turns BGRx from a display into 4:2:0 first.
        '-pix_fmt',
        'yuv420p',
        ...rateControl,
        ...gop,
        // Never shorten the GOP on its own: keyframes stay exactly every `gop` frames.
        '-keyint_min',
        String(video.gop),
        '-sc_threshold',
        '0',
        ...forcedIdr,
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
          // Periodic intra refresh over `keyint` frames instead of periodic IDRs (see CodecOptions).
          ...(intraRefresh ? ['intra-refresh=1'] : []),
        ].join(':'),
      ];
    case 'h264_nvenc':
    case 'hevc_nvenc':
      return [
        '-c:v',
        encoder,
        // p1 = fastest NVENC preset (one pass, fewest motion-search candidates).
        '-preset',
        'p1',
        // ull = ultra-low-latency tuning: no reordering, low-delay rate control.
        '-tune',
        'ull',
        // Constant bitrate with the one-frame VBV above (NVENC's low-latency CBR mode).
        '-rc',
        'cbr',
        // Single pass: a second (qres/fullres) pass analyses each frame again before encoding it.
        '-multipass',
        'disabled',
        ...rateControl,
        ...gop,
        // B-frames are off (-bf 0); also never use one as a reference should a preset enable them.
        '-b_ref_mode',
        'disabled',
        // Baseline for H.264 (what browsers negotiate); HEVC's lowest common profile is main.
        '-profile:v',
        encoder === 'h264_nvenc' ? 'baseline' : 'main',
        // NVENC converts RGB to YUV on the GPU: hand it the display's BGRx as is
        // instead of converting on the CPU the game needs.
        '-pix_fmt',
        inputPixelFormat,
        // No reordering delay ...
        '-zerolatency',
        '1',
        // ... and output each frame as soon as it is encoded (the default holds
        // back as many frames as there are surfaces).
        '-delay',
        '0',
        // No lookahead: every frame is encoded the moment it arrives.
        '-rc-lookahead',
        '0',
        // Forced keyframes (intra-refresh join points, future keyframe requests) are IDRs a decoder can start from.
        '-forced-idr',
        '1',
        // Keep keyframes on the fixed GOP grid.
        '-no-scenecut',
        '1',
        '-strict_gop',
        '1',
        // Nothing in the bitstream the player does not need (closed captions, user SEI).
        '-a53cc',
        '0',
        ...(intraRefresh ? ['-intra-refresh', '1', ...forcedIdr.slice(0, 2)] : []),
      ];
  }
}

/** Output side: one RTP stream with the payload type and SSRC the gateway expects. */
export function buildRtpOutputArgs(rtp: PlainRtpTarget): string[] {
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
/** Local X displays only (`:N`); the agent never captures a remote display. */
const X_DISPLAY = /^:\d{1,5}$/;

/** The host inside an `rtp://` URL; rejects anything that could add URL options. */
export function formatHost(host: string): string {
  if (HOSTNAME.test(host)) return host;
  if (host.includes(':') && IPV6.test(host)) return `[${host}]`;
  throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `RTP host ${JSON.stringify(host)} is not a hostname or IP address`);
}

function checkDisplay(display: string): void {
  if (!X_DISPLAY.test(display)) {
    throw new FramewayError('FW_ERR_INTERNAL', `X display ${JSON.stringify(display)} is not a local display :N`);
  }
}
