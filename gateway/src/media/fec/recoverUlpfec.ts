import { type ProtectedPacket, RTP_HEADER_BYTES, ULPFEC_HEADER_BYTES } from './encodeUlpfec.js';

/** What a ULPFEC payload says it protects (level 0 only; RFC 5109 §7.3–7.4). */
export interface UlpfecHeader {
  seqBase: number;
  /** Bytes of level-0 payload, past the FEC headers. */
  protectionLength: number;
  /** Sequence numbers the mask covers, in order. */
  protectedSeqs: number[];
  /** FEC header + level-0 header: where the XORed payload starts. */
  headerLength: number;
}

/** Reads a ULPFEC payload's headers; undefined when it is truncated or protects nothing. */
export function readUlpfecHeader(fec: Uint8Array): UlpfecHeader | undefined {
  if (fec.length < ULPFEC_HEADER_BYTES + 4) return undefined;
  const longMask = ((fec[0] ?? 0) & 0x40) !== 0;
  const maskBytes = longMask ? 6 : 2;
  const headerLength = ULPFEC_HEADER_BYTES + 2 + maskBytes;
  if (fec.length < headerLength) return undefined;
  const view = Buffer.from(fec.buffer, fec.byteOffset, fec.byteLength);
  const seqBase = view.readUInt16BE(2);
  const protectionLength = view.readUInt16BE(10);
  if (fec.length < headerLength + protectionLength) return undefined;
  const protectedSeqs: number[] = [];
  for (let byte = 0; byte < maskBytes; byte++) {
    const bits = fec[12 + byte] ?? 0;
    for (let bit = 0; bit < 8; bit++) {
      if (bits & (0x80 >>> bit)) protectedSeqs.push((seqBase + byte * 8 + bit) & 0xffff);
    }
  }
  if (protectedSeqs.length === 0) return undefined;
  return { seqBase, protectionLength, protectedSeqs, headerLength };
}

/**
 * Rebuilds the one packet a ULPFEC payload protects that is not among
 * `received` (the receiver's view of each, see ProtectedPacket), the way a
 * receiver does: undefined when none or more than one is missing, or the FEC
 * payload is malformed. `ssrc` is the media SSRC (ULPFEC does not carry it).
 */
export function recoverUlpfec(
  fec: Uint8Array,
  received: readonly ProtectedPacket[],
  ssrc: number,
): ProtectedPacket | undefined {
  const header = readUlpfecHeader(fec);
  if (!header) return undefined;
  const bySeq = new Map(received.map((packet) => [packet.seq & 0xffff, packet]));
  const missing = header.protectedSeqs.filter((seq) => !bySeq.has(seq));
  const lostSeq = missing[0];
  if (lostSeq === undefined || missing.length > 1) return undefined;
  const work = Buffer.alloc(RTP_HEADER_BYTES + header.protectionLength);
  // The FEC header carries the XOR of bytes 0-1, the length at 8-9 and the timestamp at 4-7.
  work[0] = fec[0] ?? 0;
  work[1] = fec[1] ?? 0;
  let length = ((fec[8] ?? 0) << 8) | (fec[9] ?? 0);
  for (let i = 4; i < 8; i++) work[i] = fec[i] ?? 0;
  work.set(fec.subarray(header.headerLength, header.headerLength + header.protectionLength), RTP_HEADER_BYTES);
  for (const seq of header.protectedSeqs) {
    const packet = bySeq.get(seq);
    if (!packet) continue;
    const bytes = packet.bytes;
    work[0] = (work[0] ?? 0) ^ (bytes[0] ?? 0);
    work[1] = (work[1] ?? 0) ^ (bytes[1] ?? 0);
    for (let i = 4; i < 8; i++) work[i] = (work[i] ?? 0) ^ (bytes[i] ?? 0);
    length ^= bytes.length - RTP_HEADER_BYTES;
    const end = Math.min(bytes.length, work.length);
    for (let i = RTP_HEADER_BYTES; i < end; i++) work[i] = (work[i] ?? 0) ^ (bytes[i] ?? 0);
  }
  if (length > header.protectionLength) return undefined;
  const out = work.subarray(0, RTP_HEADER_BYTES + length);
  out[0] = ((out[0] ?? 0) & 0x3f) | 0x80; // RTP version 2
  out.writeUInt16BE(lostSeq, 2);
  out.writeUInt32BE(ssrc >>> 0, 8);
  return { seq: lostSeq, bytes: out };
}
