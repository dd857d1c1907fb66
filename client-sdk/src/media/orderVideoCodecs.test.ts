import { describe, expect, it } from 'vitest';
import { type CodecCapability, orderVideoCodecs } from './orderVideoCodecs.js';

// Chromium 156's receiver capabilities, in its own order.
const CHROMIUM: CodecCapability[] = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=2' },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f',
  },
  { mimeType: 'video/AV1', clockRate: 90000, sdpFmtpLine: 'level-idx=5;profile=0;tier=0' },
  { mimeType: 'video/red', clockRate: 90000 },
  { mimeType: 'video/ulpfec', clockRate: 90000 },
  { mimeType: 'video/flexfec-03', clockRate: 90000, sdpFmtpLine: 'repair-window=10000000' },
];

const label = (codec: CodecCapability) =>
  `${codec.mimeType.slice(6)}${/profile-level-id=(\w+)/.exec(codec.sdpFmtpLine ?? '')?.[1] ?? ''}${/packetization-mode=0/.test(codec.sdpFmtpLine ?? '') ? '/pm0' : ''}${codec.sdpFmtpLine?.startsWith('profile-id') ? `/${codec.sdpFmtpLine}` : ''}`;

describe('orderVideoCodecs', () => {
  it('puts H.264 constrained baseline first, then other H.264, AV1, VP9, VP8, and keeps RTX/RED/FEC last', () => {
    expect(orderVideoCodecs(CHROMIUM).map(label)).toEqual([
      'H26442e01f',
      'H26442001f',
      'H2644d001f',
      'H26442001f/pm0',
      'AV1',
      'VP9/profile-id=0',
      'VP9/profile-id=2',
      'VP8',
      'rtx',
      'red',
      'ulpfec',
      'flexfec-03',
    ]);
  });

  it('follows a caller order and drops codecs it does not name', () => {
    expect(orderVideoCodecs(CHROMIUM, ['VP8', 'AV1']).map(label)).toEqual([
      'VP8',
      'AV1',
      'rtx',
      'red',
      'ulpfec',
      'flexfec-03',
    ]);
  });

  it('falls back through the list when the browser lacks H.264 (e.g. a build without it)', () => {
    const withoutH264 = CHROMIUM.filter((codec) => codec.mimeType !== 'video/H264');
    expect(orderVideoCodecs(withoutH264).map(label)[0]).toBe('AV1');
  });

  it('returns nothing when no preferred media codec is available, leaving the browser order alone', () => {
    expect(orderVideoCodecs(CHROMIUM, [])).toEqual([]);
    expect(orderVideoCodecs([{ mimeType: 'video/rtx', clockRate: 90000 }])).toEqual([]);
  });
});
