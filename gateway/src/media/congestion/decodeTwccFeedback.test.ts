import { describe, expect, it } from 'vitest';
import { RecvDelta, RtcpPacketConverter, RtcpTransportLayerFeedback, RunLengthChunk, TransportWideCC } from 'werift';
import { decodeTwccFeedback } from './decodeTwccFeedback.js';

/** Parses one RTCP packet from hex the way the gateway's peer does, and returns its TWCC feedback. */
function twccFromHex(hex: string): TransportWideCC {
  const [packet] = RtcpPacketConverter.deSerialize(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
  if (!(packet instanceof RtcpTransportLayerFeedback) || !(packet.feedback instanceof TransportWideCC)) {
    throw new Error('not a transport-wide feedback');
  }
  return packet.feedback;
}

// Header: V=2 FMT=15 PT=205, length; sender SSRC 0x11111111; media SSRC 0x22222222.
const HEADER = '8fcd 0006 11111111 22222222';

describe('decodeTwccFeedback', () => {
  it('expands a run-length chunk of received packets with small deltas', () => {
    // base 100, 5 packets, reference time 16 (×64 ms), feedback #7;
    // run-length chunk: status 1 (small delta) × 5; deltas 4 × 250 µs each; 1 byte padding.
    const feedback = twccFromHex(`${HEADER} 0064 0005 000010 07 2005 04 04 04 04 04 00`);
    const decoded = decodeTwccFeedback(feedback);
    expect(decoded).toEqual({
      ok: true,
      feedback: {
        baseSeq: 100,
        referenceTime: 16,
        fbPktCount: 7,
        packets: [
          { seq: 100, arrivalOffsetMs: 1 },
          { seq: 101, arrivalOffsetMs: 2 },
          { seq: 102, arrivalOffsetMs: 3 },
          { seq: 103, arrivalOffsetMs: 4 },
          { seq: 104, arrivalOffsetMs: 5 },
        ],
      },
    });
  });

  it('expands a 1-bit status vector with lost packets', () => {
    // base 7, 14 packets; vector 1 0 | 11011100111111: lost at 2, 6, 7; eleven 2 ms deltas.
    const feedback = twccFromHex(`8fcd 0008 11111111 22222222 0007 000e 000001 00 b73f ${'08'.repeat(11)} 000000`);
    const decoded = decodeTwccFeedback(feedback);
    if (!decoded.ok) throw new Error(decoded.reason);
    const arrivals = decoded.feedback.packets.map((p) => p.arrivalOffsetMs);
    expect(decoded.feedback.packets.map((p) => p.seq)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(arrivals).toEqual([2, 4, undefined, 6, 8, 10, undefined, undefined, 12, 14, 16, 18, 20, 22]);
  });

  it('expands a 2-bit status vector with large and negative deltas across the 65535→0 wrap', () => {
    // base 65533, 7 packets; vector 1 1 | 01 10 00 01 00 00 10;
    // deltas: small +1 ms, large −2 ms, small +4 ms, large +100 ms.
    const feedback = twccFromHex(`${HEADER} fffd 0007 000002 01 d842 04 fff8 10 0190`);
    const decoded = decodeTwccFeedback(feedback);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.feedback.packets).toEqual([
      { seq: 65533, arrivalOffsetMs: 1 },
      { seq: 65534, arrivalOffsetMs: -1 },
      { seq: 65535, arrivalOffsetMs: undefined },
      { seq: 0, arrivalOffsetMs: 3 },
      { seq: 1, arrivalOffsetMs: undefined },
      { seq: 2, arrivalOffsetMs: undefined },
      { seq: 3, arrivalOffsetMs: 103 },
    ]);
  });

  it('reads a run of lost packets followed by a vector, as Chromium writes a burst loss', () => {
    // base 500, 9 packets: run-length status 0 × 2, then 2-bit vector 1 1 | 01 01 01 01 01 01 01 (7 received).
    const feedback = twccFromHex(`8fcd 0007 11111111 22222222 01f4 0009 000003 02 0002 d555 ${'04'.repeat(7)} 00`);
    const decoded = decodeTwccFeedback(feedback);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.feedback.packets.map((p) => p.arrivalOffsetMs)).toEqual([undefined, undefined, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('stops a run that is longer than the packet status count (werift counts runs one too long)', () => {
    const feedback = new TransportWideCC({
      baseSequenceNumber: 10,
      packetStatusCount: 2,
      referenceTime: 0,
      fbPktCount: 0,
      packetChunks: [new RunLengthChunk({ packetStatus: 1, runLength: 5 })],
      recvDeltas: [new RecvDelta({ delta: 1000 }), new RecvDelta({ delta: 1000 })],
    });
    const decoded = decodeTwccFeedback(feedback);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.feedback.packets).toEqual([
      { seq: 10, arrivalOffsetMs: 1 },
      { seq: 11, arrivalOffsetMs: 2 },
    ]);
  });

  it('rejects feedback whose chunks cover fewer packets than it counts', () => {
    const feedback = new TransportWideCC({
      baseSequenceNumber: 1,
      packetStatusCount: 9,
      referenceTime: 0,
      fbPktCount: 0,
      packetChunks: [new RunLengthChunk({ packetStatus: 0, runLength: 3 })],
      recvDeltas: [],
    });
    expect(decodeTwccFeedback(feedback)).toEqual({ ok: false, reason: 'short-chunks' });
  });

  it('rejects feedback with fewer receive deltas than received packets', () => {
    const feedback = new TransportWideCC({
      baseSequenceNumber: 1,
      packetStatusCount: 3,
      referenceTime: 0,
      fbPktCount: 0,
      packetChunks: [new RunLengthChunk({ packetStatus: 1, runLength: 3 })],
      recvDeltas: [new RecvDelta({ delta: 250 })],
    });
    expect(decodeTwccFeedback(feedback)).toEqual({ ok: false, reason: 'missing-delta' });
  });

  it('rejects a header out of range', () => {
    const feedback = new TransportWideCC({
      baseSequenceNumber: 70_000,
      packetStatusCount: 0,
      referenceTime: 0,
      fbPktCount: 0,
    });
    expect(decodeTwccFeedback(feedback)).toEqual({ ok: false, reason: 'bad-header' });
  });
});
