import { describe, expect, it } from 'vitest';
import {
  RecvDelta,
  RtcpPacketConverter,
  RtcpTransportLayerFeedback,
  RunLengthChunk,
  StatusVectorChunk,
  TransportWideCC,
} from 'werift';
import { createRandom } from '../../random/createRandom.js';
import type { TransportFeedback } from './PacketResult.js';
import { TwccFeedbackAdapter } from './TwccFeedbackAdapter.js';

/**
 * A feedback message as Chromium would write it: `arrivals[i]` is packet
 * baseSeq+i's arrival in ms after the reference time, undefined if lost.
 * 2-bit status vectors throughout; deltas in 250 µs steps.
 */
function feedback(baseSeq: number, arrivals: readonly (number | undefined)[], referenceTime = 0, fbPktCount = 0) {
  const packetChunks: StatusVectorChunk[] = [];
  const recvDeltas: RecvDelta[] = [];
  let previousMs = 0;
  for (let i = 0; i < arrivals.length; i += 7) {
    const symbolList = arrivals.slice(i, i + 7).map((arrival) => {
      if (arrival === undefined) return 0;
      const deltaUs = Math.round((arrival - previousMs) * 4) * 250;
      previousMs = arrival;
      const small = deltaUs >= 0 && deltaUs <= 255 * 250;
      recvDeltas.push(new RecvDelta({ type: small ? 1 : 2, delta: deltaUs }));
      return small ? 1 : 2;
    });
    while (symbolList.length < 7) symbolList.push(0);
    packetChunks.push(new StatusVectorChunk({ type: 1, symbolSize: 1, symbolList }));
  }
  return new TransportWideCC({
    senderSsrc: 1,
    mediaSourceSsrc: 2,
    baseSequenceNumber: baseSeq & 0xffff,
    packetStatusCount: arrivals.length,
    referenceTime,
    fbPktCount,
    packetChunks,
    recvDeltas,
  });
}

/** Through werift's serializer and parser: what the sender's handleRtcpPacket would hand over. */
function overTheWire(twcc: TransportWideCC): TransportWideCC {
  // RTCP packets are whole 32-bit words; werift pads only when asked to.
  twcc.header.padding = twcc.serialize().length % 4 !== 0;
  const bytes = new RtcpTransportLayerFeedback({ feedback: twcc }).serialize();
  const [packet] = RtcpPacketConverter.deSerialize(bytes);
  if (!(packet instanceof RtcpTransportLayerFeedback) || !(packet.feedback instanceof TransportWideCC)) {
    throw new Error('not a transport-wide feedback');
  }
  return packet.feedback;
}

function setup() {
  let now = 1000;
  const adapter = new TwccFeedbackAdapter({ now: () => now, historySize: 1024 });
  const events: TransportFeedback[] = [];
  adapter.on('feedback', (f) => events.push(f));
  return {
    adapter,
    events,
    send(wideSeq: number, size = 1200, atMs = now) {
      now = atMs;
      adapter.rtpPacketSent({ wideSeq, size });
    },
    at(ms: number) {
      now = ms;
    },
  };
}

describe('TwccFeedbackAdapter', () => {
  it('settles each reported packet with its send time and size from the gateway clock and its arrival', () => {
    const t = setup();
    t.send(1, 1200, 1000);
    t.send(2, 1100, 1005);
    t.send(3, 900, 1010);
    t.at(1100);
    t.adapter.receiveTWCC(overTheWire(feedback(1, [20, 25.5, undefined], 10)));
    expect(t.events).toEqual([
      {
        atMs: 1100,
        packets: [
          { wideSeq: 1, sendMs: 1000, sizeBytes: 1200, arrivalMs: 640 + 20 },
          { wideSeq: 2, sendMs: 1005, sizeBytes: 1100, arrivalMs: 640 + 25.5 },
          { wideSeq: 3, sendMs: 1010, sizeBytes: 900, arrivalMs: undefined },
        ],
      },
    ]);
  });

  it('counts on past 65535: sequence numbers wrap to 0 but results keep growing', () => {
    const t = setup();
    for (const seq of [65534, 65535, 0, 1]) t.send(seq);
    t.adapter.receiveTWCC(overTheWire(feedback(65534, [1, 2, 3, 4])));
    expect(t.events[0]?.packets.map((p) => p.wideSeq)).toEqual([65534, 65535, 65536, 65537]);
    expect(t.events[0]?.packets.map((p) => p.arrivalMs)).toEqual([1, 2, 3, 4]);
  });

  it('passes a repeated feedback on once and counts the repeats', () => {
    const t = setup();
    for (let seq = 10; seq < 15; seq++) t.send(seq);
    const twcc = feedback(10, [1, 2, 3, 4, 5]);
    t.adapter.receiveTWCC(twcc);
    t.adapter.receiveTWCC(twcc);
    expect(t.events).toHaveLength(1);
    expect(t.adapter.counters.packetsRepeated).toBe(5);
  });

  it('takes feedback that arrives out of order, each packet once', () => {
    const t = setup();
    for (let seq = 0; seq < 6; seq++) t.send(seq);
    t.adapter.receiveTWCC(feedback(3, [4, 5, 6], 0, 2));
    t.adapter.receiveTWCC(feedback(0, [1, 2, 3], 0, 1));
    t.adapter.receiveTWCC(feedback(0, [1, 2, 3, 4, 5, 6], 0, 3));
    expect(t.events.map((e) => e.packets.map((p) => p.wideSeq))).toEqual([
      [3, 4, 5],
      [0, 1, 2],
    ]);
  });

  it('passes on as received a packet first reported lost that turns up in a later feedback', () => {
    const t = setup();
    for (let seq = 0; seq < 3; seq++) t.send(seq);
    t.adapter.receiveTWCC(feedback(0, [1, undefined, 3]));
    t.adapter.receiveTWCC(feedback(1, [4]));
    t.adapter.receiveTWCC(feedback(1, [undefined]));
    expect(t.events.map((e) => e.packets.map((p) => [p.wideSeq, p.arrivalMs]))).toEqual([
      [
        [0, 1],
        [1, undefined],
        [2, 3],
      ],
      [[1, 4]],
    ]);
  });

  it('skips and counts reported packets it did not send (audio shares the sequence space)', () => {
    const t = setup();
    t.send(1);
    t.send(3);
    t.adapter.receiveTWCC(feedback(1, [1, 2, 3]));
    expect(t.events[0]?.packets.map((p) => p.wideSeq)).toEqual([1, 3]);
    expect(t.adapter.counters.packetsUnknown).toBe(1);
  });

  it('keeps the first of two sends that report the same sequence number, and rejects bad values', () => {
    const t = setup();
    t.send(5, 1000, 1000);
    t.send(5, 1100, 1001);
    t.adapter.rtpPacketSent({ wideSeq: -1, size: 10 });
    t.adapter.rtpPacketSent({ wideSeq: 70_000, size: 10 });
    t.adapter.rtpPacketSent({ wideSeq: 6, size: Number.NaN });
    t.adapter.receiveTWCC(feedback(5, [1]));
    expect(t.events[0]?.packets).toEqual([{ wideSeq: 5, sendMs: 1000, sizeBytes: 1000, arrivalMs: 1 }]);
    expect(t.adapter.counters).toMatchObject({ packetsSent: 1, sentRejected: 4 });
  });

  it('follows the sequence forward across a long gap (video paused while audio went on)', () => {
    const t = setup();
    t.send(100);
    t.send(100 + 40_000);
    t.send(100 + 40_001);
    t.send(100 + 39_990);
    t.adapter.receiveTWCC(feedback(100 + 40_000, [1, 2]));
    expect(t.events[0]?.packets.map((p) => p.wideSeq)).toEqual([40_100, 40_101]);
    expect(t.adapter.counters).toMatchObject({ packetsSent: 3, sentRejected: 1 });
  });

  it('drops and counts malformed feedback without an event', () => {
    const t = setup();
    t.send(1);
    const short = new TransportWideCC({
      baseSequenceNumber: 1,
      packetStatusCount: 20,
      referenceTime: 0,
      fbPktCount: 0,
      packetChunks: [new RunLengthChunk({ packetStatus: 1, runLength: 1 })],
      recvDeltas: [new RecvDelta({ delta: 250 })],
    });
    t.adapter.receiveTWCC(short);
    expect(t.events).toEqual([]);
    expect(t.adapter.counters.feedbacksMalformed['short-chunks']).toBe(1);
  });

  it('carries arrival times on across the 24-bit reference time wrap', () => {
    const t = setup();
    t.send(1);
    t.send(2);
    t.adapter.receiveTWCC(feedback(1, [10], 0xffffff));
    t.adapter.receiveTWCC(feedback(2, [10], 0));
    const [first, second] = t.events.map((e) => e.packets[0]?.arrivalMs ?? Number.NaN);
    expect(second! - first!).toBe(64);
  });

  it('reads back what werift serialized: random loss and arrival patterns round-trip', () => {
    const random = createRandom(42);
    const t = setup();
    const base = 65_000;
    const arrivals: (number | undefined)[] = [];
    let at = 0;
    for (let i = 0; i < 200; i++) {
      t.send((base + i) & 0xffff);
      // Mostly small steps, some gaps past the 63.75 ms small-delta range, 10 % lost.
      at += random() < 0.05 ? 80 + random() * 40 : random() * 3;
      arrivals.push(random() < 0.1 ? undefined : Math.round(at * 4) / 4);
    }
    t.adapter.receiveTWCC(overTheWire(feedback(base, arrivals, 77)));
    const packets = t.events[0]?.packets ?? [];
    expect(packets.map((p) => p.wideSeq)).toEqual(arrivals.map((_, i) => base + i));
    expect(packets.map((p) => p.arrivalMs)).toEqual(arrivals.map((a) => (a === undefined ? undefined : 77 * 64 + a)));
  });
});
