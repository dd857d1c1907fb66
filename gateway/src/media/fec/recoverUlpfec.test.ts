import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeUlpfec, type ProtectedPacket } from './encodeUlpfec.js';
import { readUlpfecHeader, recoverUlpfec } from './recoverUlpfec.js';

const SSRC = 0x0a0b0c0d;

/** An RTP packet with the given header fields, optional one-byte extensions, and payload. */
function rtp(
  seq: number,
  fields: { marker: boolean; pt: number; ts: number; ext: number[]; payload: number[] },
): Buffer {
  const extWords = Math.ceil(fields.ext.length / 4);
  const header = Buffer.alloc(12 + (extWords > 0 ? 4 + extWords * 4 : 0));
  header[0] = 0x80 | (extWords > 0 ? 0x10 : 0);
  header[1] = (fields.marker ? 0x80 : 0) | fields.pt;
  header.writeUInt16BE(seq, 2);
  header.writeUInt32BE(fields.ts >>> 0, 4);
  header.writeUInt32BE(SSRC, 8);
  if (extWords > 0) {
    header.writeUInt16BE(0xbede, 12);
    header.writeUInt16BE(extWords, 14);
    Buffer.from(fields.ext).copy(header, 16);
  }
  return Buffer.concat([header, Buffer.from(fields.payload)]);
}

const packetFields = fc.record({
  marker: fc.boolean(),
  pt: fc.integer({ min: 0, max: 127 }),
  ts: fc.integer({ min: 0, max: 0xffff_ffff }),
  ext: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }),
  payload: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 1200 }),
});

describe('recoverUlpfec', () => {
  it('rebuilds any one lost packet of a group byte for byte (any sizes, headers, extensions, seq wrap)', () => {
    fc.assert(
      fc.property(
        fc.array(packetFields, { minLength: 1, maxLength: 16 }),
        fc.integer({ min: 0, max: 0xffff }),
        fc.nat(),
        (groups, base, pick) => {
          const packets: ProtectedPacket[] = groups.map((fields, i) => {
            const seq = (base + i) & 0xffff;
            return { seq, bytes: rtp(seq, fields) };
          });
          const fec = encodeUlpfec(packets, base);
          const lost = pick % packets.length;
          const received = packets.filter((_, i) => i !== lost);
          const rebuilt = recoverUlpfec(fec, received, SSRC);
          expect(rebuilt?.seq).toBe(packets[lost]?.seq);
          expect(Buffer.from(rebuilt?.bytes ?? []).equals(Buffer.from(packets[lost]?.bytes ?? []))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rebuilds nothing when nothing or two packets of the group are missing', () => {
    const packets = [0, 1, 2].map((i) => ({
      seq: 40 + i,
      bytes: rtp(40 + i, { marker: false, pt: 102, ts: 9, ext: [], payload: [i, i] }),
    }));
    const fec = encodeUlpfec(packets, 40);
    expect(recoverUlpfec(fec, packets, SSRC)).toBeUndefined();
    expect(recoverUlpfec(fec, packets.slice(0, 1), SSRC)).toBeUndefined();
  });

  it('reads a mask with gaps and refuses truncated or empty-mask FEC', () => {
    const a = { seq: 10, bytes: rtp(10, { marker: false, pt: 1, ts: 1, ext: [], payload: [1] }) };
    const b = { seq: 13, bytes: rtp(13, { marker: true, pt: 1, ts: 1, ext: [], payload: [2, 3] }) };
    const fec = encodeUlpfec([a, b], 10);
    expect(readUlpfecHeader(fec)).toMatchObject({ seqBase: 10, protectedSeqs: [10, 13], protectionLength: 2 });
    expect(readUlpfecHeader(fec.subarray(0, 15))).toBeUndefined();
    const empty = Buffer.from(fec);
    empty.writeUInt16BE(0, 12);
    expect(readUlpfecHeader(empty)).toBeUndefined();
  });
});
