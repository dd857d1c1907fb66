import { describe, expect, it } from 'vitest';
import { buildEncoderArgs, yuv420pFrameBytes } from './buildEncoderArgs.js';

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
});
