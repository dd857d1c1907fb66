import { describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSrPacket,
} from 'werift';
import { parseRtcpFeedback } from './parseRtcpFeedback.js';

const US = 0x1111_1111;
const THEM = 0x2222_2222;

function block(ssrc: number, packetsLost = 3): RtcpReceiverInfo {
  return new RtcpReceiverInfo({
    ssrc,
    fractionLost: 128,
    packetsLost,
    highestSequence: 70_000,
    jitter: 45,
    lsr: 0xdead_beef,
    dlsr: 1234,
  });
}

describe('parseRtcpFeedback', () => {
  it('reads every packet of a compound: RR, NACK and PLI about us', () => {
    const compound = Buffer.concat([
      new RtcpRrPacket({ ssrc: THEM, reports: [block(0x3333_3333), block(US)] }).serialize(),
      new GenericNack({ senderSsrc: THEM, mediaSourceSsrc: US, lost: [10, 12, 40] }).serialize(),
      new RtcpPayloadSpecificFeedback({
        feedback: new PictureLossIndication({ senderSsrc: THEM, mediaSsrc: US }),
      }).serialize(),
    ]);
    expect(parseRtcpFeedback(compound, US)).toEqual({
      nacks: [[10, 12, 40]],
      pli: true,
      firSequenceNumbers: [],
      reports: [
        {
          fractionLost: 0.5,
          cumulativeLost: 3,
          highestSequence: 70_000,
          jitter: 45,
          lastSr: 0xdead_beef,
          delaySinceLastSr: 1234,
        },
      ],
    });
  });

  it('reads the report blocks of a sender report and a negative cumulative loss', () => {
    const sr = new RtcpSrPacket({
      ssrc: THEM,
      senderInfo: new RtcpSenderInfo({ ntpTimestamp: 1n, rtpTimestamp: 2, packetCount: 3, octetCount: 4 }),
      reports: [block(US, 0xff_ffff)],
    }).serialize();
    expect(parseRtcpFeedback(sr, US)?.reports.map((r) => r.cumulativeLost)).toEqual([-1]);
  });

  it('ignores feedback about other streams', () => {
    const packet = Buffer.concat([
      new GenericNack({ senderSsrc: THEM, mediaSourceSsrc: 0x4444, lost: [1] }).serialize(),
      new RtcpPayloadSpecificFeedback({
        feedback: new PictureLossIndication({ senderSsrc: THEM, mediaSsrc: 0x4444 }),
      }).serialize(),
    ]);
    expect(parseRtcpFeedback(packet, US)).toEqual({ nacks: [], pli: false, firSequenceNumbers: [], reports: [] });
  });

  it('expands a NACK bitmask across the sequence number wrap', () => {
    const packet = Buffer.alloc(16);
    packet[0] = 0x81;
    packet[1] = 205;
    packet.writeUInt16BE(3, 2);
    packet.writeUInt32BE(THEM, 4);
    packet.writeUInt32BE(US, 8);
    packet.writeUInt16BE(65_535, 12);
    packet.writeUInt16BE(0b101, 14);
    expect(parseRtcpFeedback(packet, US)?.nacks).toEqual([[65_535, 0, 2]]);
  });

  it('rejects truncation, a wrong version, an overrunning length, too many report blocks and bad padding', () => {
    const rr = new RtcpRrPacket({ ssrc: THEM, reports: [block(US)] }).serialize();
    expect(parseRtcpFeedback(rr.subarray(0, rr.length - 4), US)).toBeUndefined();
    expect(parseRtcpFeedback(Buffer.from([0x80, 201]), US)).toBeUndefined();
    const v1 = Buffer.from(rr);
    v1[0] = (v1[0]! & 0x3f) | 0x40;
    expect(parseRtcpFeedback(v1, US)).toBeUndefined();
    const tooMany = Buffer.from(rr);
    tooMany[0] = 0x82;
    expect(parseRtcpFeedback(tooMany, US)).toBeUndefined();
    const padded = Buffer.from(rr);
    padded[0]! |= 0x20;
    padded[padded.length - 1] = 200;
    expect(parseRtcpFeedback(padded, US)).toBeUndefined();
    expect(parseRtcpFeedback(Buffer.alloc(0), US)).toBeUndefined();
  });
});
