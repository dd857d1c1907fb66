import { describe, expect, it } from 'vitest';
import {
  GenericNack,
  PictureLossIndication,
  RtcpPacketConverter,
  type RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  type RtcpTransportLayerFeedback,
} from 'werift';
import { buildGenericNacks, buildPictureLossIndication, buildReceiverReport } from './buildRtcpFeedback.js';

describe('buildRtcpFeedback', () => {
  it('writes a receiver report werift reads back field for field', () => {
    const packet = buildReceiverReport(0xaabbccdd, {
      ssrc: 1234,
      fractionLost: 25.9,
      cumulativeLost: 10,
      extendedHighest: 0x1_0005,
      jitter: 33.7,
      lsr: 0x12345678,
      dlsr: 6553.6,
    });
    const [rr] = RtcpPacketConverter.deSerialize(packet);
    expect(rr).toBeInstanceOf(RtcpRrPacket);
    const report = (rr as RtcpRrPacket).reports[0]!;
    expect((rr as RtcpRrPacket).ssrc).toBe(0xaabbccdd);
    expect(report.toJSON()).toEqual({
      ssrc: 1234,
      fractionLost: 25,
      packetsLost: 10,
      highestSequence: 0x1_0005,
      jitter: 33,
      lsr: 0x12345678,
      dlsr: 6554,
    });
  });

  it('clamps cumulative loss to the 24-bit field', () => {
    const packet = buildReceiverReport(1, {
      ssrc: 2,
      fractionLost: 300,
      cumulativeLost: 1e9,
      extendedHighest: 0,
      jitter: 0,
      lsr: 0,
      dlsr: 0,
    });
    expect(packet[12]).toBe(255);
    expect(packet.readIntBE(13, 3)).toBe(0x7f_ffff);
  });

  it('packs NACKed sequence numbers into PID + BLP, across the wrap', () => {
    const [packet, ...more] = buildGenericNacks(7, 9, [65_534, 65_535, 0, 5, 40]);
    expect(more).toEqual([]);
    const [fb] = RtcpPacketConverter.deSerialize(packet!);
    const nack = (fb as RtcpTransportLayerFeedback).feedback as GenericNack;
    expect(nack).toBeInstanceOf(GenericNack);
    expect(nack.senderSsrc).toBe(7);
    expect(nack.mediaSourceSsrc).toBe(9);
    // One item covers 65534..0 and 5 (distance 7), another 40.
    expect(packet!.length).toBe(12 + 2 * 4);
    expect(nack.lost.map((seq) => seq & 0xffff)).toEqual([65_534, 65_535, 0, 5, 40]);
  });

  it('splits a long NACK list over several packets', () => {
    const seqs = Array.from({ length: 100 }, (_, i) => i * 20);
    const packets = buildGenericNacks(1, 2, seqs);
    expect(packets).toHaveLength(2);
    const lost = packets.flatMap((p) => {
      const [fb] = RtcpPacketConverter.deSerialize(p);
      return ((fb as RtcpTransportLayerFeedback).feedback as GenericNack).lost;
    });
    expect(lost).toEqual(seqs);
    expect(buildGenericNacks(1, 2, [])).toEqual([]);
  });

  it('writes a PLI', () => {
    const [fb] = RtcpPacketConverter.deSerialize(buildPictureLossIndication(3, 4));
    const pli = (fb as RtcpPayloadSpecificFeedback).feedback as PictureLossIndication;
    expect(pli).toBeInstanceOf(PictureLossIndication);
    expect(pli.senderSsrc).toBe(3);
    expect(pli.mediaSsrc).toBe(4);
  });
});
