import { H264_FMTP } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GenericNack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
  useNACK,
  usePLI,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import { CandidateFilter } from '../sdp/candidateFilter.js';
import { WeriftPlayerPeer, type WeriftPlayerPeerOptions } from './WeriftPlayerPeer.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function peerOptions(patch: Partial<WeriftPlayerPeerOptions> = {}): WeriftPlayerPeerOptions {
  return {
    sessionId: 'peer-test',
    iceServers: [],
    additionalHostAddresses: ['127.0.0.1'],
    candidateFilter: new CandidateFilter(['127.0.0.1']),
    inputRatePerSecond: 100,
    disconnectGraceMs: 1_000,
    repair: true,
    retransmitShare: 0.5,
    ...patch,
  };
}

/** A player on werift that offers NACK, PLI and RTX for H.264 (and transport-cc with `twcc`), as Chromium does. */
async function connect(peer: WeriftPlayerPeer, twcc = false) {
  const pc = new RTCPeerConnection({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          parameters: H264_FMTP,
          rtcpFeedback: [useNACK(), usePLI(), ...(twcc ? [useTWCC()] : [])],
        }),
        new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000 }),
      ],
    },
    headerExtensions: { video: [useSdesMid(), ...(twcc ? [useTransportWideCC()] : [])] },
  });
  cleanups.push(() => pc.close());
  const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
  const received: number[] = [];
  transceiver.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => received.push(rtp.header.ssrc)));
  pc.createDataChannel('input');
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await peer.answer(pc.localDescription!.sdp);
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('player did not connect')), 10_000);
    peer.on('connected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  /** Sends a Generic NACK for `lost` about the gateway's video SSRC. */
  const nack = async (mediaSourceSsrc: number, lost: number[]) => {
    const feedback = new GenericNack({ senderSsrc: 1, mediaSourceSsrc, lost });
    await transceiver.receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback })]);
  };
  return { pc, answer, nack, received, transceiver };
}

/** One H.264-looking RTP packet of ~1000 bytes, as the ingest forwards them. */
function videoPacket(seq: number): Buffer {
  const header = new RtpHeader({
    payloadType: 96,
    sequenceNumber: seq,
    timestamp: seq * 1500,
    ssrc: 1234,
    marker: true,
  });
  const payload = Buffer.alloc(1000, seq & 0xff);
  payload[0] = 0x41; // a non-IDR slice NAL
  return new RtpPacket(header, payload).serialize();
}

describe('WeriftPlayerPeer', () => {
  it('negotiates NACK, PLI and RTX with repair on, and none of them with repair off', async () => {
    const on = new WeriftPlayerPeer(peerOptions());
    cleanups.push(() => on.close());
    const { answer } = await connect(on);
    const video = answer.split(/\r?\n(?=m=)/).find((section) => section.startsWith('m=video')) ?? '';
    expect(video).toMatch(/a=rtcp-fb:\d+ nack\r?\n/);
    expect(video).toMatch(/a=rtpmap:\d+ rtx\/90000/);
    expect(video).toMatch(/a=ssrc-group:FID/);

    const off = new WeriftPlayerPeer(peerOptions({ repair: false }));
    cleanups.push(() => off.close());
    const plain = (await connect(off)).answer.split(/\r?\n(?=m=)/).find((s) => s.startsWith('m=video')) ?? '';
    expect(plain).not.toMatch(/nack|rtx/);
  });

  it('holds a player that NACKs everything to the retransmission budget, and says so', async () => {
    const peer = new WeriftPlayerPeer(peerOptions({ retransmitShare: 0.5 }));
    cleanups.push(() => peer.close());
    const limited: number[] = [];
    peer.on('retransmitsLimited', (dropped) => limited.push(dropped));
    const player = await connect(peer);
    // The gateway's video SSRC, from its answer.
    const ssrc = Number(/a=ssrc:(\d+) /.exec(player.answer.split('m=video')[1] ?? '')?.[1]);
    // 1 s of 1000-byte packets at ~1000 packets/s (8 Mb/s), NACKing the last 100 packets every 10 ms.
    let seq = 1;
    const started = Date.now();
    while (Date.now() - started < 1_000) {
      for (let i = 0; i < 10; i++) peer.forwardVideo(videoPacket(seq++));
      await player.nack(
        ssrc,
        Array.from({ length: 100 }, (_, i) => (seq - 1 - i) & 0xffff),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { admitted, dropped } = peer.retransmitCounters;
    // ~1 MB of media gives at most half of it again (plus the burst); the flood asked for ~10×.
    expect(dropped).toBeGreaterThan(admitted);
    expect(admitted * 1200).toBeLessThan(0.5 * seq * 1000 + 200_000);
    expect(limited.length).toBeGreaterThan(0);
  });

  it('sends a retransmission under a transport-wide number of its own, recorded as a packet of its own', async () => {
    const sent: number[] = [];
    const sink = { rtpPacketSent: (info: { wideSeq: number }) => sent.push(info.wideSeq), receiveTWCC: () => {} };
    const peer = new WeriftPlayerPeer(peerOptions({ transportFeedback: sink }));
    cleanups.push(() => peer.close());
    const player = await connect(peer, true);
    const ssrc = Number(/a=ssrc:(\d+) /.exec(player.answer.split('m=video')[1] ?? '')?.[1]);
    for (let seq = 1; seq <= 20; seq++) peer.forwardVideo(videoPacket(seq));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const media = [...sent];
    expect(media).toHaveLength(20);
    await player.nack(ssrc, [10]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(peer.retransmitCounters.admitted).toBe(1);
    // One more packet on the books, under a number no media packet had: the original stays lost.
    expect(sent).toHaveLength(21);
    expect(media).not.toContain(sent[20]);
  });
});
