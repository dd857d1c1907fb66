import { describe, expect, it } from 'vitest';
import { nodeAvEncoderSettings, nodeAvRateControl, VBV_FRAMES } from './nodeAvEncoderSettings.js';

const video = { width: 1280, height: 720, fps: 60, gop: 120 };

describe('nodeAvEncoderSettings', () => {
  it('configures libx264 like the CLI: ultrafast, zerolatency, baseline, SPS/PPS before every IDR, fixed GOP', () => {
    const settings = nodeAvEncoderSettings('libx264', video);
    expect(settings).toMatchObject({ codecName: 'libx264', width: 1280, height: 720, fps: 60, gop: 120 });
    expect(settings.options).toMatchObject({
      preset: 'ultrafast',
      tune: 'zerolatency',
      profile: 'baseline',
      'forced-idr': '1',
    });
    expect(settings.options['x264-params']?.split(':')).toEqual(
      expect.arrayContaining(['repeat-headers=1', 'rc-lookahead=0', 'force-cfr=1', 'keyint-min=120', 'scenecut=0']),
    );
  });

  it('configures NVENC for ultra-low latency with forced keyframes as IDRs', () => {
    for (const encoder of ['h264_nvenc', 'hevc_nvenc'] as const) {
      expect(nodeAvEncoderSettings(encoder, video).options).toMatchObject({
        preset: 'p1',
        tune: 'ull',
        zerolatency: '1',
        delay: '0',
        'forced-idr': '1',
        'no-scenecut': '1',
      });
    }
    expect(nodeAvEncoderSettings('h264_nvenc', video).options.profile).toBe('baseline');
    expect(nodeAvEncoderSettings('hevc_nvenc', video).options.profile).toBe('main');
  });
});

describe('nodeAvRateControl', () => {
  it('caps every frame with a VBV of about one frame at the target bitrate', () => {
    expect(nodeAvRateControl(6_000, 60, 60)).toEqual({
      bitRate: 6_000_000n,
      maxRate: 6_000_000n,
      bufferSize: Math.ceil((6_000_000 / 60) * VBV_FRAMES),
    });
  });

  it('gives each sent frame the bits of the dropped ones when frames are dropped to a lower rate', () => {
    // 60 fps encoder, 30 fps sent: double the per-frame budget, so 3000 kbps still go out.
    const rate = nodeAvRateControl(3_000, 30, 60);
    expect(rate.bitRate).toBe(6_000_000n);
    expect(rate.bufferSize).toBe(Math.ceil((3_000_000 / 30) * VBV_FRAMES));
  });
});
