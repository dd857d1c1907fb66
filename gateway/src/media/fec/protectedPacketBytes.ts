import { TRANSPORT_CC_URI } from '../werift/recordWireSend.js';
import { RTP_HEADER_BYTES } from './encodeUlpfec.js';

/**
 * Header extensions a libwebrtc receiver zeroes in every received media
 * packet before it XORs it into FEC (RtpPacket::ZeroMutableExtensions): a
 * sender's pacer writes them after FEC was computed, so they cannot be
 * protected. FEC over their real values would rebuild garbage. video-timing
 * is only partly zeroed there; it is not negotiated here.
 */
export const MUTABLE_EXTENSION_URIS: readonly string[] = [
  'urn:ietf:params:rtp-hdrext:toffset',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  TRANSPORT_CC_URI,
  'http://www.webrtc.org/experiments/rtp-hdrext/transport-wide-cc-02',
];

const ONE_BYTE_PROFILE = 0xbede;
/** RFC 8285 two-byte profile: 0x100 in the top 12 bits, app bits below. */
const TWO_BYTE_PROFILE_MASK = 0xfff0;
const TWO_BYTE_PROFILE = 0x1000;

/**
 * The receiver's view of a media packet sent as RED: the wire header
 * (`header`, as serialized, extensions included) with the payload type set
 * back to the media's and the mutable extensions zeroed, followed by the RED
 * block's media payload (`mediaPayload`, the RED header already removed).
 * This is exactly what Chromium's ULPFEC receiver XORs, so it is what the
 * FEC is computed over.
 */
export function protectedPacketBytes(
  header: Uint8Array,
  mediaPayload: Uint8Array,
  mediaPayloadType: number,
  mutableExtensionIds: ReadonlySet<number>,
): Buffer {
  const out = Buffer.allocUnsafe(header.length + mediaPayload.length);
  out.set(header, 0);
  out.set(mediaPayload, header.length);
  out[1] = ((out[1] ?? 0) & 0x80) | (mediaPayloadType & 0x7f);
  if (mutableExtensionIds.size > 0) zeroExtensions(out, header.length, mutableExtensionIds);
  return out;
}

/**
 * Zeroes, in place, the payload of each header extension whose id is in
 * `ids` (one-byte and two-byte profiles, RFC 8285); `headerLength` bounds the
 * walk. Other profiles and malformed blocks are left alone.
 */
export function zeroExtensions(packet: Buffer, headerLength: number, ids: ReadonlySet<number>): void {
  const first = packet[0] ?? 0;
  if ((first & 0x10) === 0) return;
  const start = RTP_HEADER_BYTES + (first & 0x0f) * 4;
  if (start + 4 > headerLength) return;
  const profile = packet.readUInt16BE(start);
  const end = Math.min(headerLength, start + 4 + packet.readUInt16BE(start + 2) * 4);
  const oneByte = profile === ONE_BYTE_PROFILE;
  if (!oneByte && (profile & TWO_BYTE_PROFILE_MASK) !== TWO_BYTE_PROFILE) return;
  let at = start + 4;
  while (at < end) {
    const byte = packet[at] ?? 0;
    if (byte === 0) {
      at++; // padding between elements
      continue;
    }
    let id: number;
    let length: number;
    if (oneByte) {
      id = byte >>> 4;
      if (id === 15) return; // reserved: stop parsing (RFC 8285 §4.2)
      length = (byte & 0x0f) + 1;
      at += 1;
    } else {
      id = byte;
      length = packet[at + 1] ?? 0;
      at += 2;
    }
    if (at + length > end) return;
    if (ids.has(id)) packet.fill(0, at, at + length);
    at += length;
  }
}
