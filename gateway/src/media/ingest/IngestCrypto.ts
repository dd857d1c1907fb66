import { decodeSrtpKeying, FramewayError, SRTP_PROFILE, type SrtpKeying } from '@frameway/protocol';
import { ProtectionProfileAes128CmHmacSha1_80, type RtpHeader, SrtcpSession, SrtpSession } from 'werift';

/** SRTCP trailer: E flag + 31-bit index, then the 80-bit tag. */
const SRTCP_INDEX_BYTES = 4;
const AUTH_TAG_BYTES = 10;

/** A decrypted, authenticated RTP packet and its parsed header. */
export interface PlainRtp {
  packet: Buffer;
  header: RtpHeader;
}

/**
 * The ingest leg's SRTP/SRTCP contexts for one master key. Both directions
 * use the same key (the agent and the gateway hold one per session; RFC 3711
 * keeps them apart by SSRC in the keystream). Unprotecting never throws: a
 * packet that fails authentication, or is too short to carry a tag, gives
 * undefined.
 */
export class IngestCrypto {
  readonly #srtp: SrtpSession;
  readonly #srtcp: SrtcpSession;

  private constructor(key: Buffer, salt: Buffer) {
    const keys = { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt };
    this.#srtp = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
    this.#srtcp = new SrtcpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
  }

  /** Throws FramewayError FW_ERR_INVALID_PAYLOAD for another profile or a malformed key. */
  static fromKeying(keying: SrtpKeying): IngestCrypto {
    if (keying.profile !== SRTP_PROFILE) {
      throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `unsupported SRTP profile ${String(keying.profile)}`, {
        field: 'rtp.srtp.profile',
      });
    }
    try {
      const { key, salt } = decodeSrtpKeying(keying.masterKey);
      return new IngestCrypto(Buffer.from(key), Buffer.from(salt));
    } catch (error) {
      throw new FramewayError(
        'FW_ERR_INVALID_PAYLOAD',
        'malformed SRTP master key',
        { field: 'rtp.srtp.masterKey' },
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Authenticates and decrypts an SRTP packet under the roll-over counter the
   * caller derived from its replay window. werift's own ROC guess is bypassed:
   * it only recognises a wrap within 100 packets of 65535, so a loss burst
   * across the wrap would fail every packet after it.
   */
  unprotectRtp(packet: Buffer, rolloverCounter: number): PlainRtp | undefined {
    try {
      const [plain, header] = this.#srtp.remoteContext.cipher.decryptRtp(packet, rolloverCounter);
      return { packet: plain, header };
    } catch {
      return undefined;
    }
  }

  /** Authenticates and decrypts an SRTCP packet; its SRTCP index is `srtcpIndex(packet)`. */
  unprotectRtcp(packet: Buffer): Buffer | undefined {
    try {
      return this.#srtcp.decrypt(packet);
    } catch {
      return undefined;
    }
  }

  protectRtcp(rtcp: Buffer): Buffer {
    return this.#srtcp.encrypt(rtcp);
  }
}

/** The 31-bit SRTCP index of a protected packet (valid only once it authenticated). */
export function srtcpIndex(packet: Buffer): number {
  return packet.readUInt32BE(packet.length - AUTH_TAG_BYTES - SRTCP_INDEX_BYTES) & 0x7fff_ffff;
}
