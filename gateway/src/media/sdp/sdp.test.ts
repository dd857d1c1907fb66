import { describe, expect, it } from 'vitest';
import { CandidateFilter, candidateAddress, isLoopback } from './candidateFilter.js';
import { preferH264ConstrainedBaseline } from './preferH264ConstrainedBaseline.js';

const chromeOffer = [
  'v=0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 108 109 45',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=rtpmap:108 H264/90000',
  'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
  'a=rtpmap:109 H264/90000',
  'a=fmtp:109 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:45 AV1/90000',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=rtpmap:111 opus/48000/2',
].join('\r\n');

describe('preferH264ConstrainedBaseline', () => {
  it('moves constrained baseline with packetization mode 1 to the front of the video m-line', () => {
    const out = preferH264ConstrainedBaseline(chromeOffer);
    expect(out.split('\r\n')[1]).toBe('m=video 9 UDP/TLS/RTP/SAVPF 109 102 108 96 97 103 45');
    expect(out.split('\r\n')).toHaveLength(chromeOffer.split('\r\n').length);
    expect(out).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111');
  });

  it('also reorders the rtpmap lines, the order werift negotiates in, leaving every other line in place', () => {
    const lines = preferH264ConstrainedBaseline(chromeOffer).split('\r\n');
    const rtpmaps = lines.filter((line) => line.startsWith('a=rtpmap:') && !line.includes('opus'));
    expect(rtpmaps.map((line) => line.split(' ')[0])).toEqual([
      'a=rtpmap:109',
      'a=rtpmap:102',
      'a=rtpmap:108',
      'a=rtpmap:96',
      'a=rtpmap:97',
      'a=rtpmap:103',
      'a=rtpmap:45',
    ]);
    expect(lines.filter((line) => !line.startsWith('a=rtpmap:'))).toEqual(
      chromeOffer
        .split('\r\n')
        .filter((line) => !line.startsWith('a=rtpmap:'))
        .map((line) => (line.startsWith('m=video') ? 'm=video 9 UDP/TLS/RTP/SAVPF 109 102 108 96 97 103 45' : line)),
    );
  });

  it('leaves an offer without H.264 unchanged', () => {
    const vp8Only = 'v=0\nm=video 9 UDP/TLS/RTP/SAVPF 96\na=rtpmap:96 VP8/90000';
    expect(preferH264ConstrainedBaseline(vp8Only)).toBe(vp8Only);
  });
});

describe('CandidateFilter', () => {
  const loopbackOnly = new CandidateFilter(['127.0.0.1']);

  it('reads the address of a candidate line', () => {
    expect(candidateAddress('candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host')).toBe('127.0.0.1');
    expect(candidateAddress('candidate:2 1 UDP 2130706431 fd00::2 50001 typ host generation 0')).toBe('fd00::2');
    expect(candidateAddress('not a candidate')).toBeUndefined();
  });

  it('strips candidates on addresses that are not allowed from an SDP', () => {
    const sdp = [
      'v=0',
      'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
      'a=candidate:2 1 udp 2130706431 10.0.0.5 50001 typ host',
      'a=candidate:3 1 udp 2130706431 fd00::2 50002 typ host',
      'a=end-of-candidates',
    ].join('\r\n');
    expect(loopbackOnly.filterSdp(sdp)).toBe(
      ['v=0', 'a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host', 'a=end-of-candidates'].join('\r\n'),
    );
    expect(new CandidateFilter(undefined).filterSdp(sdp)).toBe(sdp);
  });

  it('allows loopback pairs only between loopback addresses', () => {
    expect(loopbackOnly.allowsPair('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(loopbackOnly.allowsPair('127.0.0.1', '192.168.1.4')).toBe(false);
    expect(loopbackOnly.allowsPair('10.0.0.5', '10.0.0.6')).toBe(false);
    expect(new CandidateFilter(undefined).allowsPair('10.0.0.5', '10.0.0.6')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
  });
});
