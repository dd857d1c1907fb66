import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../ffmpeg/resolveFfmpeg.js';
import { buildCodecArgs, buildEncoderArgs, yuv420pFrameBytes } from './buildEncoderArgs.js';

const video = { width: 1280, height: 720, fps: 60, bitrateKbps: 6000, gop: 120 };
const rtp = { host: '10.0.0.5', port: 40000, payloadType: 102, ssrc: 0x1234 };

/** Value following `flag` in argv. */
function flagValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index === -1 ? undefined : args[index + 1];
}

describe('buildEncoderArgs', () => {
  it('reads raw yuv420p frames of the session size and rate from stdin', () => {
    const args = buildEncoderArgs({ encoder: 'libx264', video, rtp });
    const input = args.slice(0, args.indexOf('pipe:0') + 1);
    expect(flagValue(input, '-f')).toBe('rawvideo');
    expect(flagValue(input, '-pix_fmt')).toBe('yuv420p');
    expect(flagValue(input, '-s')).toBe('1280x720');
    expect(flagValue(input, '-r')).toBe('60');
    expect(flagValue(input, '-i')).toBe('pipe:0');
    expect(flagValue(args, '-loglevel')).toBe('error');
    expect(args).toContain('-nostats');
  });

  it('configures libx264 for single-frame latency with a fixed GOP, no B-frames and in-band SPS/PPS', () => {
    const args = buildEncoderArgs({ encoder: 'libx264', video, rtp });
    expect(flagValue(args, '-c:v')).toBe('libx264');
    expect(flagValue(args, '-preset')).toBe('ultrafast');
    expect(flagValue(args, '-tune')).toBe('zerolatency');
    expect(flagValue(args, '-profile:v')).toBe('baseline');
    expect(flagValue(args, '-bf')).toBe('0');
    expect(flagValue(args, '-g')).toBe('120');
    expect(flagValue(args, '-keyint_min')).toBe('120');
    expect(flagValue(args, '-sc_threshold')).toBe('0');
    expect(flagValue(args, '-b:v')).toBe('6000k');
    expect(flagValue(args, '-maxrate')).toBe('6000k');
    // one frame's worth of bits: 6000 kbit/s / 60 fps
    expect(flagValue(args, '-bufsize')).toBe('100k');
    const x264 = (flagValue(args, '-x264-params') ?? '').split(':');
    expect(x264).toEqual(
      expect.arrayContaining(['repeat-headers=1', 'sliced-threads=1', 'rc-lookahead=0', 'sync-lookahead=0']),
    );
  });

  it('configures h264_nvenc for ultra-low-latency CBR with immediate output and IDR keyframes', () => {
    const args = buildEncoderArgs({ encoder: 'h264_nvenc', video, rtp });
    expect(flagValue(args, '-c:v')).toBe('h264_nvenc');
    expect(flagValue(args, '-preset')).toBe('p1');
    expect(flagValue(args, '-tune')).toBe('ull');
    expect(flagValue(args, '-rc')).toBe('cbr');
    expect(flagValue(args, '-zerolatency')).toBe('1');
    expect(flagValue(args, '-delay')).toBe('0');
    expect(flagValue(args, '-bf')).toBe('0');
    expect(flagValue(args, '-forced-idr')).toBe('1');
    expect(flagValue(args, '-g')).toBe('120');
    expect(flagValue(args, '-profile:v')).toBe('baseline');
    expect(flagValue(args, '-bufsize')).toBe('100k');
    expect(args).not.toContain('-x264-params');
    expect(flagValue(buildEncoderArgs({ encoder: 'hevc_nvenc', video, rtp }), '-profile:v')).toBe('main');
  });

  it('sends RTP, and RTCP muxed on the same port, with the requested payload type and SSRC', () => {
    const args = buildEncoderArgs({ encoder: 'libx264', video, rtp });
    expect(args.slice(-7)).toEqual([
      '-f',
      'rtp',
      '-payload_type',
      '102',
      '-ssrc',
      String(0x1234),
      'rtp://10.0.0.5:40000?pkt_size=1200&rtcpport=40000',
    ]);
  });

  it('passes an SSRC above 2^31 as the same 32 bits in signed form, which is what ffmpeg parses', () => {
    const args = buildEncoderArgs({ encoder: 'libx264', video, rtp: { ...rtp, ssrc: 0xdeadbeef } });
    const ssrc = Number(flagValue(args, '-ssrc'));
    expect(ssrc).toBe(-559038737);
    expect(ssrc >>> 0).toBe(0xdeadbeef);
  });

  it('refuses SSRC 0, which ffmpeg would replace with a random SSRC', () => {
    expect(() => buildEncoderArgs({ encoder: 'libx264', video, rtp: { ...rtp, ssrc: 0 } })).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }),
    );
  });

  it('brackets IPv6 hosts and rejects hosts that would inject URL options', () => {
    const v6 = buildEncoderArgs({ encoder: 'libx264', video, rtp: { ...rtp, host: '::1' } });
    expect(v6.at(-1)).toBe('rtp://[::1]:40000?pkt_size=1200&rtcpport=40000');
    expect(() => buildEncoderArgs({ encoder: 'libx264', video, rtp: { ...rtp, host: 'x?localport=1' } })).toThrow(
      /not a hostname/,
    );
  });

  it('sizes a yuv420p frame as luma plus two quarter-size chroma planes', () => {
    expect(yuv420pFrameBytes(1280, 720)).toBe(1_382_400);
    expect(yuv420pFrameBytes(4, 2)).toBe(12);
  });

  it('grabs an X display with x11grab at the session rate, without the cursor, and never reads stdin', () => {
    const capture = { kind: 'x11grab' as const, display: ':3', width: 1280, height: 720, env: { XAUTHORITY: '/a' } };
    const args = buildEncoderArgs({ encoder: 'libx264', video, rtp, capture });
    const input = args.slice(0, args.indexOf('-i') + 2);
    expect(input).toContain('-nostdin');
    expect(flagValue(input, '-f')).toBe('x11grab');
    expect(flagValue(input, '-draw_mouse')).toBe('0');
    expect(flagValue(input, '-framerate')).toBe('60');
    expect(flagValue(input, '-video_size')).toBe('1280x720');
    expect(flagValue(input, '-i')).toBe(':3.0+0,0');
    // libx264 needs 4:2:0 from the display's BGRx; NVENC converts on the GPU instead.
    expect(flagValue(args, '-pix_fmt')).toBe('yuv420p');
    expect(flagValue(buildEncoderArgs({ encoder: 'h264_nvenc', video, rtp, capture }), '-pix_fmt')).toBe('bgr0');
    expect(() =>
      buildEncoderArgs({ encoder: 'libx264', video, rtp, capture: { ...capture, display: 'remote:0' } }),
    ).toThrow(/local display/);
  });

  it('repacketises a runtime’s own H.264 without re-encoding, or fits it into the frame through a filter', () => {
    const copy = buildEncoderArgs({ encoder: 'libx264', video, rtp, capture: { kind: 'h264' } });
    expect(flagValue(copy, '-f')).toBe('h264');
    expect(flagValue(copy, '-use_wallclock_as_timestamps')).toBe('1');
    expect(flagValue(copy, '-c:v')).toBe('copy');
    expect(copy).not.toContain('-preset');
    const fit = buildEncoderArgs({ encoder: 'libx264', video, rtp, capture: { kind: 'h264', filter: 'scale=2:2' } });
    expect(flagValue(fit, '-vf')).toBe('scale=2:2');
    expect(flagValue(fit, '-c:v')).toBe('libx264');
  });

  it('with intra refresh, refreshes in columns and still forces an IDR every GOP for joining players', () => {
    for (const encoder of ['libx264', 'h264_nvenc'] as const) {
      const args = buildEncoderArgs({ encoder, video, rtp, intraRefresh: true });
      expect(flagValue(args, '-force_key_frames')).toBe('expr:gte(n,n_forced*120)');
      expect(flagValue(args, '-forced-idr')).toBe('1');
    }
    expect(
      flagValue(buildEncoderArgs({ encoder: 'h264_nvenc', video, rtp, intraRefresh: true }), '-intra-refresh'),
    ).toBe('1');
    expect(
      flagValue(buildEncoderArgs({ encoder: 'libx264', video, rtp, intraRefresh: true }), '-x264-params'),
    ).toContain('intra-refresh=1');
    expect(buildEncoderArgs({ encoder: 'h264_nvenc', video, rtp })).not.toContain('-intra-refresh');
  });

  it('gives NVENC the single-pass, no-B-reference, no-lookahead low-latency settings', () => {
    const args = buildEncoderArgs({ encoder: 'h264_nvenc', video, rtp });
    expect(flagValue(args, '-multipass')).toBe('disabled');
    expect(flagValue(args, '-b_ref_mode')).toBe('disabled');
    expect(flagValue(args, '-rc-lookahead')).toBe('0');
    expect(flagValue(args, '-no-scenecut')).toBe('1');
    expect(flagValue(args, '-strict_gop')).toBe('1');
  });
});

const ffmpeg = resolveFfmpeg().path;
const hasNvencBuild = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout.includes(
  'h264_nvenc',
);
if (!hasNvencBuild) console.warn(`[skip] NVENC argv check: ${ffmpeg} is built without h264_nvenc`);

describe.skipIf(!hasNvencBuild)('NVENC settings against ffmpeg itself', () => {
  /** Runs a one-frame encode: ffmpeg parses and sets every option before it opens the encoder. */
  function tryEncode(codecArgs: string[], pixelFormat = 'yuv420p') {
    return spawnSync(
      ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        `color=black:s=256x144:r=30,format=${pixelFormat}`,
        '-frames:v',
        '1',
        ...codecArgs,
        '-f',
        'null',
        '-',
      ],
      { encoding: 'utf8' },
    );
  }
  /** ffmpeg's complaints about the argv itself, as opposed to a missing GPU. */
  const OPTION_ERRORS = /Unrecognized option|Error setting option|Unable to parse option|not found|Invalid argument/;

  it('accepts every h264_nvenc and hevc_nvenc option: a GPU host encodes, this one only lacks the GPU', () => {
    const small = { width: 256, height: 144, fps: 30, bitrateKbps: 500, gop: 30 };
    for (const [encoder, options] of [
      ['h264_nvenc', {}],
      ['h264_nvenc', { intraRefresh: true }],
      ['h264_nvenc', { inputPixelFormat: 'bgr0' as const }],
      ['hevc_nvenc', {}],
    ] as const) {
      const result = tryEncode(
        buildCodecArgs(encoder, small, options),
        'inputPixelFormat' in options ? 'bgr0' : 'yuv420p',
      );
      expect(result.stderr).not.toMatch(OPTION_ERRORS);
      if (result.status !== 0) expect(result.stderr).toMatch(/libcuda|CUDA|No NVENC capable devices|nvenc/i);
    }
  });

  it('would notice an option ffmpeg rejects (the check can fail)', () => {
    const result = tryEncode(['-c:v', 'h264_nvenc', '-preset', 'p99']);
    expect(result.stderr).toMatch(OPTION_ERRORS);
  });
});
