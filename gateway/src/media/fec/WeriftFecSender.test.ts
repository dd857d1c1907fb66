import { afterEach, describe, expect, it } from 'vitest';
import {
  GenericNack,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  RTCRtpSender,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
} from 'werift';
import type { ProtectedPacket } from './encodeUlpfec.js';
import { protectedPacketBytes } from './protectedPacketBytes.js';
import { readUlpfecHeader, recoverUlpfec } from './recoverUlpfec.js';
import { type DownlinkLossSimulator, WeriftFecSender } from './WeriftFecSender.js';

const RED = 118;
const RTX = 119;
const ULPFEC = 120;
const H264 = 102;
const ABS_SEND_TIME_ID = 2;
const TRANSPORT_CC_ID = 4;

const stopped: Array<() => void> = [];
afterEach(() => {
  for (const stop of stopped.splice(0)) stop();
});

interface WirePacket {
  header: RtpHeader;
  payload: Buffer;
}

/**
 * A real werift video sender negotiated as with Chromium (RED first, RTX
 * paired with RED, ULPFEC), on a stub transport that records what would be
 * encrypted and sent.
 */
function setUp(simulatedLoss?: DownlinkLossSimulator) {
  const sender = new RTCRtpSender('video');
  stopped.push(() => sender.stop());
  const wire: WirePacket[] = [];
  const transport = {
    state: 'connected',
    transportSequenceNumber: 0,
    sendRtp: async (payload: Buffer, header: RtpHeader) => {
      // What SRTP would encrypt, re-read the way a receiver parses it.
      wire.push(RtpPacket.deSerialize(new RtpPacket(header, payload).serialize()));
      return payload.length;
    },
    sendRtcp: async () => {},
  };
  (sender as unknown as { dtlsTransport: unknown }).dtlsTransport = transport;
  const codecs = [
    new RTCRtpCodecParameters({ mimeType: 'video/red', clockRate: 90_000, payloadType: RED }),
    new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90_000, payloadType: H264 }),
    new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000, payloadType: RTX, parameters: `apt=${RED}` }),
    new RTCRtpCodecParameters({ mimeType: 'video/ulpfec', clockRate: 90_000, payloadType: ULPFEC }),
  ];
  sender.prepareSend({
    codecs,
    headerExtensions: [
      new RTCRtpHeaderExtensionParameters({ id: 9, uri: 'urn:ietf:params:rtp-hdrext:sdes:mid' }),
      new RTCRtpHeaderExtensionParameters({
        id: ABS_SEND_TIME_ID,
        uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      }),
      new RTCRtpHeaderExtensionParameters({
        id: TRANSPORT_CC_ID,
        uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      }),
    ],
    muxId: '0',
    rtcp: { cname: 'test', ssrc: sender.ssrc, mux: true },
  } as never);
  const payloadTypes = WeriftFecSender.negotiated(codecs);
  expect(payloadTypes).toEqual({ red: RED, ulpfec: ULPFEC, media: H264 });
  const fec = new WeriftFecSender({ sender, payloadTypes, simulatedLoss });
  stopped.push(() => fec.close());
  /** Forwards one ingest packet the way WeriftPlayerPeer.forwardVideo does. */
  const forward = (seq: number, marker = false, size = 900): void => {
    const rtp = new RtpPacket(
      new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: Math.floor(seq / 5) * 3000, ssrc: 1, marker }),
      Buffer.alloc(size, seq & 0xff),
    );
    if (fec.prepare(rtp)) void sender.sendRtp(rtp);
  };
  return { sender, fec, wire, forward, transport };
}

/** What a Chromium receiver keeps of a RED media packet for FEC (RtpPacket received → ULPFEC receiver). */
function receiverView(packet: WirePacket): ProtectedPacket {
  const bytes = protectedPacketBytes(
    packet.header.serialize(packet.header.serializeSize),
    packet.payload.subarray(1),
    packet.payload[0] ?? 0,
    new Set([ABS_SEND_TIME_ID, TRANSPORT_CC_ID]),
  );
  return { seq: packet.header.sequenceNumber, bytes };
}

const isFec = (packet: WirePacket) => packet.payload[0] === ULPFEC;

describe('WeriftFecSender on a werift sender', () => {
  it('sends media as RED over H.264 and FEC as RED over ULPFEC after each frame, in one sequence space', () => {
    const { fec, wire, forward } = setUp();
    fec.setPacketsPerFec(4);
    for (let seq = 1000; seq < 1010; seq++) forward(seq, seq % 5 === 4);
    expect(wire.every((p) => p.header.payloadType === RED)).toBe(true);
    expect(wire.map((p) => (isFec(p) ? 'F' : p.header.marker ? 'M' : 'm')).join('')).toBe('mmmmMFmmmmMF');
    expect(wire.map((p) => p.header.sequenceNumber)).toEqual(Array.from({ length: 12 }, (_, i) => 1000 + i));
    expect(wire.filter((p) => !isFec(p)).every((p) => p.payload[0] === H264)).toBe(true);
    expect(fec.counters).toMatchObject({ mediaPackets: 10, fecPackets: 2, protectedPackets: 10 });
    // FEC packets carry werift's extensions like media (mid, abs-send-time, transport-cc).
    expect(wire[5]?.header.extensions.map((e) => e.id)).toEqual([ABS_SEND_TIME_ID, TRANSPORT_CC_ID, 9]);
  });

  it('protects what the receiver sees: each media packet rebuilds byte for byte from the wire', () => {
    const { fec, wire, forward } = setUp();
    fec.setPacketsPerFec(5);
    for (let seq = 0; seq < 20; seq++) forward(seq, seq % 5 === 4, 300 + seq * 37);
    const media = wire.filter((p) => !isFec(p)).map(receiverView);
    const fecPayloads = wire.filter(isFec).map((p) => p.payload.subarray(1));
    for (const lost of media) {
      const rebuilt = fecPayloads
        .map((payload) =>
          recoverUlpfec(
            payload,
            media.filter((p) => p !== lost),
            wire[0]?.header.ssrc ?? 0,
          ),
        )
        .find((r) => r !== undefined);
      expect(Buffer.from(rebuilt?.bytes ?? []).equals(Buffer.from(lost.bytes))).toBe(true);
    }
  });

  it('gives a packet the ingest recovers late the number it would have had, and keeps RTX answering NACKs', () => {
    const { sender, fec, wire, forward } = setUp();
    fec.setPacketsPerFec(4);
    forward(10);
    forward(12); // 11 lost on the agent leg
    forward(13);
    forward(14, true); // FEC takes 15
    forward(15);
    forward(11); // NACK-repaired on the agent leg
    const bySeq = new Map(wire.map((p) => [p.header.sequenceNumber, p]));
    expect([...bySeq.keys()].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    expect(isFec(bySeq.get(15) as WirePacket)).toBe(true);
    expect(bySeq.get(11)?.payload.subarray(1)).toEqual(Buffer.alloc(900, 11));
    expect(readUlpfecHeader((bySeq.get(15) as WirePacket).payload.subarray(1))?.protectedSeqs).toEqual([
      10, 12, 13, 14,
    ]);
    // The player NACKs output numbers; werift's cache answers with RTX over RED.
    sender.handleRtcpPacket(
      new RtcpTransportLayerFeedback({
        feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: sender.ssrc, lost: [11, 16] }),
      }),
    );
    const rtx = wire.filter((p) => p.header.ssrc === sender.rtxSsrc);
    expect(rtx.map((p) => [p.header.payloadType, p.payload.readUInt16BE(0), p.payload[2]])).toEqual([
      [RTX, 11, H264],
      [RTX, 16, H264],
    ]);
  });

  it('records each video packet’s own transport-wide number for congestion control, FEC included', () => {
    const { sender, fec, forward } = setUp();
    const sent: Array<{ wideSeq: number; size: number }> = [];
    fec.recordSendsTo({ rtpPacketSent: (record) => sent.push(record), receiveTWCC: () => {} });
    fec.setPacketsPerFec(4);
    for (let seq = 0; seq < 8; seq++) forward(seq, seq === 3 || seq === 7);
    expect(sent.map((r) => r.wideSeq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // werift's own (racy) record no longer reaches the sink.
    (sender as unknown as { senderBWE: { rtpPacketSent(r: unknown): void } }).senderBWE.rtpPacketSent({ wideSeq: 99 });
    expect(sent).toHaveLength(10);
  });

  it('drops what the loss simulator says after FEC took it into account', () => {
    const dropped: number[] = [];
    const { fec, wire, forward } = setUp((packet) => {
      const drop = !packet.fec && packet.seq === 2;
      if (drop) dropped.push(packet.seq);
      return drop;
    });
    fec.setPacketsPerFec(4);
    for (let seq = 0; seq < 4; seq++) forward(seq, seq === 3);
    expect(dropped).toEqual([2]);
    expect(wire.map((p) => p.header.sequenceNumber)).toEqual([0, 1, 3, 4]);
    const header = readUlpfecHeader((wire.at(-1) as WirePacket).payload.subarray(1));
    expect(header?.protectedSeqs).toEqual([0, 1, 2, 3]);
    expect(fec.counters.simulatedDrops).toBe(1);
  });
});
