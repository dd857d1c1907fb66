import { decodeSrtpKeying, FramewayError, type SrtpKeying } from '@frameway/protocol';
import {
  ProtectionProfileAes128CmHmacSha1_80,
  RtpHeader,
  SrtcpSession,
  SrtpAuthenticationError,
  SrtpSession,
} from 'werift';

/** Bytes SRTCP appends: E flag + 31-bit index, then the 80-bit tag. */
const SRTCP_TRAILER_BYTES = 4 + 10;
/** Smallest SRTCP packet: an 8-byte RTCP header and SSRC, then the trailer. */
const MIN_SRTCP_BYTES = 8 + SRTCP_TRAILER_BYTES;

/** Why unprotectRtcp() refused a packet. */
export type UnprotectFailure = 'auth' | 'malformed';

/**
 * SRTP/SRTCP for one ingest stream with the session's master key, used in
 * both directions (the SSRCs differ, so the keystreams do too). The agent is
 * the only sender of its SSRC and knows each packet's exact index, so RTP is
 * protected with an explicit rollover counter rather than werift's guess from
 * the last sequence number, which is wrong for a retransmission more than
 * 100 packets behind a wrap.
 */
export class SrtpTransform {
  readonly #rtp: SrtpSession;
  readonly #rtcp: SrtcpSession;

  constructor(keying: SrtpKeying) {
    let master: { key: Uint8Array; salt: Uint8Array };
    try {
      master = decodeSrtpKeying(keying.masterKey);
    } catch (error) {
      throw new FramewayError('FW_ERR_INVALID_PAYLOAD', 'SessionStart.rtp.srtp.masterKey is malformed', undefined, {
        cause: error,
      });
    }
    const key = Buffer.from(master.key);
    const salt = Buffer.from(master.salt);
    const config = {
      keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
      profile: ProtectionProfileAes128CmHmacSha1_80,
    };
    this.#rtp = new SrtpSession(config);
    this.#rtcp = new SrtcpSession(config);
  }

  /**
   * Protects a plaintext RTP packet with a 12-byte header (no CSRC, no
   * extension) sent as extended sequence number `index`. Protecting the same
   * packet at the same index again (a retransmission) yields the same bytes,
   * so no keystream is ever reused on different plaintext.
   */
  protectRtp(packet: Uint8Array, index: number): Buffer {
    const bytes = Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
    const header = RtpHeader.deSerialize(bytes);
    const payload = bytes.subarray(header.payloadOffset);
    return this.#rtp.localContext.cipher.encryptRtp(header, payload, Math.floor(index / 0x1_0000));
  }

  /** Protects one (compound) RTCP packet. */
  protectRtcp(packet: Uint8Array): Buffer {
    return this.#rtcp.encrypt(Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
  }

  /** Authenticates and decrypts an SRTCP packet; its SRTCP index comes back for replay checks. */
  unprotectRtcp(packet: Buffer): { rtcp: Buffer; index: number; senderSsrc: number } | UnprotectFailure {
    if (packet.length < MIN_SRTCP_BYTES) return 'malformed';
    try {
      const rtcp = this.#rtcp.decrypt(packet);
      const index = packet.readUInt32BE(packet.length - SRTCP_TRAILER_BYTES) & 0x7fff_ffff;
      return { rtcp, index, senderSsrc: packet.readUInt32BE(4) };
    } catch (error) {
      return error instanceof SrtpAuthenticationError ? 'auth' : 'malformed';
    }
  }
}
