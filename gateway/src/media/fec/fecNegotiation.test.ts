import { afterEach, describe, expect, it } from 'vitest';
import { CandidateFilter } from '../sdp/candidateFilter.js';
import { WeriftPlayerPeer, type WeriftPlayerPeerOptions } from '../werift/WeriftPlayerPeer.js';
import { preferRedForFec, videoPayloadTypes } from './preferRedForFec.js';

/** Chromium 156's recvonly video offer, trimmed to VP8, two H.264 profiles, RED, ULPFEC and their RTX. */
const CHROMIUM_OFFER = [
  'v=0',
  'o=- 1730134097513836430 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 108 109 118 119 120',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:0cDe',
  'a=ice-pwd:2iPPLCEIYbv+aZjqrHofnv8d',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 1A:29:C7:8E:67:E8:70:5F:8A:8A:7C:89:9E:A7:15:05:C9:4F:40:14:A8:F5:4A:73:5A:98:E8:28:9B:7C:5A:DB',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
  'a=extmap:9 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=recvonly',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=rtcp-fb:102 goog-remb',
  'a=rtcp-fb:102 transport-cc',
  'a=rtcp-fb:102 ccm fir',
  'a=rtcp-fb:102 nack',
  'a=rtcp-fb:102 nack pli',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=rtpmap:108 H264/90000',
  'a=rtcp-fb:108 goog-remb',
  'a=rtcp-fb:108 transport-cc',
  'a=rtcp-fb:108 ccm fir',
  'a=rtcp-fb:108 nack',
  'a=rtcp-fb:108 nack pli',
  'a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:109 rtx/90000',
  'a=fmtp:109 apt=108',
  'a=rtpmap:118 red/90000',
  'a=rtpmap:119 rtx/90000',
  'a=fmtp:119 apt=118',
  'a=rtpmap:120 ulpfec/90000',
  '',
].join('\r\n');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function answer(patch: Partial<WeriftPlayerPeerOptions>): Promise<string> {
  const peer = new WeriftPlayerPeer({
    sessionId: 'fec-negotiation',
    iceServers: [],
    additionalHostAddresses: ['127.0.0.1'],
    candidateFilter: new CandidateFilter(['127.0.0.1']),
    inputRatePerSecond: 100,
    disconnectGraceMs: 1_000,
    repair: true,
    retransmitShare: 0.5,
    ...patch,
  });
  cleanups.push(() => peer.close());
  const sdp = await peer.answer(CHROMIUM_OFFER);
  expect(peer.fecActive).toBe(patch.fec === true);
  return sdp;
}

/** The answer's codec and extension lines: what negotiation decided, without per-connection keys. */
function codecLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => /^(m=video|a=rtpmap|a=fmtp|a=rtcp-fb|a=extmap)/.test(line));
}

describe('RED/ULPFEC negotiation', () => {
  it('puts RED first in the rtpmap lines werift reads its codec order from, and first in the m-line', () => {
    const offer = preferRedForFec(CHROMIUM_OFFER);
    const rtpmaps = offer.split('\r\n').filter((line) => line.startsWith('a=rtpmap:'));
    expect(rtpmaps[0]).toBe('a=rtpmap:118 red/90000');
    expect(rtpmaps).toHaveLength(9);
    expect(offer).toContain('m=video 9 UDP/TLS/RTP/SAVPF 118 96 97 102 103 108 109 119 120\r\n');
    expect(videoPayloadTypes(offer)).toEqual({ red: 118, ulpfec: 120 });
  });

  it('leaves an offer without ULPFEC (or without RED) as it is', () => {
    const noUlpfec = CHROMIUM_OFFER.replace('a=rtpmap:120 ulpfec/90000\r\n', '');
    expect(preferRedForFec(noUlpfec)).toBe(noUlpfec);
  });

  it('with fec off the answer is the one without the option: no RED, no ULPFEC, H.264 constrained baseline first', async () => {
    const off = await answer({ fec: false });
    const absent = await answer({});
    expect(codecLines(off)).toEqual(codecLines(absent));
    expect(off).not.toMatch(/red\/90000|ulpfec\/90000/);
    // 108 is 42e01f (constrained baseline, what the encoders emit), ahead of the offer's first H.264 (102, 42001f).
    expect(off).toMatch(/^m=video \d+ \S+ 108 /m);
  });

  it('with fec on the answer sends RED (first), ULPFEC, and RTX paired with RED', async () => {
    const on = await answer({ fec: true });
    expect(on).toMatch(/^m=video \d+ \S+ 118 /m);
    expect(on).toMatch(/a=rtpmap:118 red\/90000/);
    expect(on).toMatch(/a=rtpmap:120 ulpfec\/90000/);
    expect(on).toMatch(/a=fmtp:119 apt=118/);
  });
});
