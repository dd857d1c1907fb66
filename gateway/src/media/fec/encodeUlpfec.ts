import { FramewayError } from '@frameway/protocol';

/**
 * A media packet as the receiver holds it when it decodes FEC: the RTP packet
 * after RED is removed (payload type = the media's), header extensions as on
 * the wire except the ones the receiver zeroes (see protectedPacketBytes), then
 * the media payload.
 */
export interface ProtectedPacket {
  /** RTP sequence number; the same as bytes[2..3]. */
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** The fixed RTP header: what ULPFEC handles field by field; everything after it is XORed as payload. */
export const RTP_HEADER_BYTES = 12;
/** ULPFEC header (RFC 5109 §7.3). */
export const ULPFEC_HEADER_BYTES = 10;
/** Level-0 header with a 16-bit mask (L = 0, RFC 5109 §7.4). */
export const ULPFEC_LEVEL0_HEADER_BYTES = 4;
/** Sequence numbers one FEC packet's 16-bit mask can reach, from its base. */
export const ULPFEC_MASK_SPAN = 16;

/**
 * The ULPFEC payload (RFC 5109, one level-0 protection, L = 0) protecting
 * `packets` with sequence number base `seqBase`: the XOR of each packet's
 * first two bytes, length (size − 12), timestamp and everything after the
 * 12-byte fixed header (CSRCs, extensions, payload), over the longest of them.
 * The payload goes inside RED (block PT = ulpfec) on the media SSRC.
 *
 * @example encodeUlpfec([{ seq: 7, bytes: a }, { seq: 9, bytes: b }], 7) // mask 1010 0000 0000 0000
 */
export function encodeUlpfec(packets: readonly ProtectedPacket[], seqBase: number): Buffer {
  if (packets.length === 0) throw new FramewayError('FW_ERR_INTERNAL', 'ULPFEC needs at least one media packet');
  let protectionLength = 0;
  for (const packet of packets) {
    if (packet.bytes.length < RTP_HEADER_BYTES) {
      throw new FramewayError('FW_ERR_INTERNAL', `packet ${packet.seq} is shorter than an RTP header`);
    }
    protectionLength = Math.max(protectionLength, packet.bytes.length - RTP_HEADER_BYTES);
  }
  const headerBytes = ULPFEC_HEADER_BYTES + ULPFEC_LEVEL0_HEADER_BYTES;
  const out = Buffer.alloc(headerBytes + protectionLength);
  let mask = 0;
  for (const { seq, bytes } of packets) {
    const offset = (seq - seqBase) & 0xffff;
    const bit = 0x8000 >>> offset;
    if (offset >= ULPFEC_MASK_SPAN || (mask & bit) !== 0) {
      throw new FramewayError('FW_ERR_INTERNAL', `seq ${seq} is out of the mask from ${seqBase} or repeated`);
    }
    mask |= bit;
    // P, X, CC (and the version bits, overwritten below), then M and PT.
    out[0] = (out[0] ?? 0) ^ (bytes[0] ?? 0);
    out[1] = (out[1] ?? 0) ^ (bytes[1] ?? 0);
    // Timestamp recovery.
    for (let i = 4; i < 8; i++) out[i] = (out[i] ?? 0) ^ (bytes[i] ?? 0);
    // Length recovery: the protected packet's length past the fixed header.
    const length = bytes.length - RTP_HEADER_BYTES;
    out[8] = (out[8] ?? 0) ^ (length >>> 8);
    out[9] = (out[9] ?? 0) ^ (length & 0xff);
    for (let i = RTP_HEADER_BYTES; i < bytes.length; i++) {
      const at = headerBytes + i - RTP_HEADER_BYTES;
      out[at] = (out[at] ?? 0) ^ (bytes[i] ?? 0);
    }
  }
  // E = 0 (no extension), L = 0 (16-bit mask): the top two bits held the XOR of the version fields.
  out[0] = (out[0] ?? 0) & 0x3f;
  out.writeUInt16BE(seqBase & 0xffff, 2);
  out.writeUInt16BE(protectionLength, 10);
  out.writeUInt16BE(mask, 12);
  return out;
}
