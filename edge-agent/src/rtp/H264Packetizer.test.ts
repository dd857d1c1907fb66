import { describe, expect, it } from 'vitest';
import { H264Packetizer, MAX_RTP_PAYLOAD_BYTES, splitAnnexB } from './H264Packetizer.js';

const START4 = [0, 0, 0, 1];
const START3 = [0, 0, 1];
const SPS = Uint8Array.of(0x67, 0x42, 0xe0, 0x1f, 0x8c, 0x68, 0x05);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);

function annexB(...nals: Uint8Array[]): Uint8Array {
  return Uint8Array.from(nals.flatMap((nal, i) => [...(i % 2 === 0 ? START4 : START3), ...nal]));
}

/** A NAL unit of `size` bytes with header `header` and a body that never forms a start code. */
function nal(header: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = header;
  for (let i = 1; i < size; i++) out[i] = 2 + (i % 250);
  return out;
}

function packetize(packetizer: H264Packetizer, data: Uint8Array) {
  const packets: Array<{ payload: Uint8Array; marker: boolean }> = [];
  const result = packetizer.packetize(data, (payload, marker) => packets.push({ payload: payload.slice(), marker }));
  return { ...result, packets };
}

/** A minimal RFC 6184 depacketizer: the NAL units a receiver rebuilds. */
function depacketize(payloads: Uint8Array[]): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let fu: number[] | undefined;
  for (const p of payloads) {
    const type = p[0]! & 0x1f;
    if (type === 24) {
      let at = 1;
      while (at < p.length) {
        const size = (p[at]! << 8) | p[at + 1]!;
        nals.push(p.slice(at + 2, at + 2 + size));
        at += 2 + size;
      }
    } else if (type === 28) {
      if (p[1]! & 0x80) fu = [(p[0]! & 0xe0) | (p[1]! & 0x1f)];
      fu!.push(...p.subarray(2));
      if (p[1]! & 0x40) {
        nals.push(Uint8Array.from(fu!));
        fu = undefined;
      }
    } else {
      nals.push(p.slice());
    }
  }
  return nals;
}

describe('H264Packetizer', () => {
  it('sends a small NAL unit alone as a single NAL unit packet with the marker', () => {
    const slice = nal(0x41, 300);
    const { packets } = packetize(new H264Packetizer({ initialTimestamp: 0 }), annexB(slice));
    expect(packets).toEqual([{ payload: slice, marker: true }]);
  });

  it('fragments a NAL unit over the payload budget into FU-A packets with S/E bits and the NAL header split', () => {
    const idr = nal(0x65, 3000);
    const { packets } = packetize(new H264Packetizer({ initialTimestamp: 0 }), annexB(idr));
    expect(packets).toHaveLength(3); // 2999 body bytes over 1186-byte fragments
    for (const [i, { payload, marker }] of packets.entries()) {
      expect(payload.length).toBeLessThanOrEqual(MAX_RTP_PAYLOAD_BYTES);
      // FU indicator: F and NRI of the NAL, type 28; FU header: S, E, R=0, the NAL's type.
      expect(payload[0]).toBe(0x60 | 28);
      expect(payload[1]! & 0x1f).toBe(5);
      expect(payload[1]! & 0x20).toBe(0);
      expect(Boolean(payload[1]! & 0x80)).toBe(i === 0);
      expect(Boolean(payload[1]! & 0x40)).toBe(i === 2);
      expect(marker).toBe(i === 2);
    }
    // Equal fragments: 2999 = 1000 + 1000 + 999.
    expect(packets.map((p) => p.payload.length)).toEqual([1002, 1002, 1001]);
    expect(depacketize(packets.map((p) => p.payload))).toEqual([idr]);
  });

  it('aggregates SPS and PPS into one STAP-A ahead of the IDR', () => {
    const idr = nal(0x65, 2000);
    const { packets } = packetize(new H264Packetizer({ initialTimestamp: 0 }), annexB(SPS, PPS, idr));
    const stap = packets[0]!.payload;
    expect(Array.from(stap)).toEqual([
      // F=0, NRI = max of the two (3), type 24
      0x78,
      0,
      SPS.length,
      ...SPS,
      0,
      PPS.length,
      ...PPS,
    ]);
    expect(packets[0]!.marker).toBe(false);
    expect(packets.slice(1).every((p) => (p.payload[0]! & 0x1f) === 28)).toBe(true);
    expect(packets.map((p) => p.marker)).toEqual([false, false, true]);
  });

  it('sends SPS and PPS as single NAL unit packets when aggregation is off', () => {
    const slice = nal(0x41, 100);
    const { packets } = packetize(
      new H264Packetizer({ initialTimestamp: 0, aggregate: false }),
      annexB(SPS, PPS, slice),
    );
    expect(packets.map((p) => p.payload)).toEqual([SPS, PPS, slice]);
    expect(packets.map((p) => p.marker)).toEqual([false, false, true]);
  });

  it('puts the marker only on the last packet when the last NAL unit is aggregated', () => {
    const { packets } = packetize(
      new H264Packetizer({ initialTimestamp: 0 }),
      annexB(nal(0x65, 1500), nal(0x06, 20), nal(0x41, 30)),
    );
    expect(packets.map((p) => [p.payload[0]! & 0x1f, p.marker])).toEqual([
      [28, false],
      [28, false],
      [24, true],
    ]);
  });

  it('rebuilds every NAL unit of a full access unit, start code lengths and sizes mixed', () => {
    const nals = [SPS, PPS, nal(0x06, 40), nal(0x65, 5000), nal(0x65, 1188), nal(0x65, 1189), nal(0x41, 7)];
    const result = packetize(new H264Packetizer({ initialTimestamp: 0 }), annexB(...nals));
    expect(result.packets.every((p) => p.payload.length <= MAX_RTP_PAYLOAD_BYTES)).toBe(true);
    expect(result.packets.filter((p) => p.marker)).toHaveLength(1);
    expect(result.packets.at(-1)!.marker).toBe(true);
    expect(depacketize(result.packets.map((p) => p.payload))).toEqual(nals);
    expect(result.nalsDropped).toBe(0);
  });

  it('respects a smaller payload budget', () => {
    const idr = nal(0x65, 1000);
    const { packets } = packetize(new H264Packetizer({ initialTimestamp: 0, maxPayloadBytes: 100 }), annexB(idr));
    expect(packets.every((p) => p.payload.length <= 100)).toBe(true);
    expect(depacketize(packets.map((p) => p.payload))).toEqual([idr]);
  });

  it('drops NAL units whose type a receiver would read as an RTP payload structure, and empty input', () => {
    const packetizer = new H264Packetizer({ initialTimestamp: 0 });
    const bogus = packetize(packetizer, annexB(nal(0x18, 10), nal(0x1c, 10), nal(0x00, 10), nal(0x41, 10)));
    expect(bogus.packets).toHaveLength(1);
    expect(bogus.nalsDropped).toBe(3);
    expect(packetize(packetizer, new Uint8Array(0)).packets).toEqual([]);
    expect(packetize(packetizer, Uint8Array.of(1, 2, 3, 4, 5)).packets).toEqual([]);
  });

  it('derives 90 kHz timestamps from capture time relative to the first unit plus the initial offset', () => {
    const packetizer = new H264Packetizer({ initialTimestamp: 0xffff_ff00 });
    expect(packetizer.timestampFor(5000)).toBe(0xffff_ff00);
    expect(packetizer.timestampFor(5000 + 1000 / 60)).toBe(0xffff_ff00 + 1500 - 2 ** 32);
    // Wraps modulo 2^32.
    expect(packetizer.timestampFor(6000)).toBe((0xffff_ff00 + 90_000) % 2 ** 32);
    const audio = new H264Packetizer({ initialTimestamp: 10, clockRate: 48_000 });
    audio.timestampFor(0);
    expect(audio.timestampFor(20)).toBe(10 + 960);
  });
});

describe('splitAnnexB', () => {
  it('finds NAL units after 3- and 4-byte start codes and ignores leading garbage', () => {
    const data = Uint8Array.of(9, 9, 0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 0, 1, 0x65, 3, 4);
    expect(splitAnnexB(data)).toEqual([Uint8Array.of(0x67, 1), Uint8Array.of(0x68, 2), Uint8Array.of(0x65, 3, 4)]);
  });

  it('skips empty NAL units between consecutive start codes', () => {
    expect(splitAnnexB(Uint8Array.of(0, 0, 1, 0, 0, 1, 0x41, 7))).toEqual([Uint8Array.of(0x41, 7)]);
  });
});
