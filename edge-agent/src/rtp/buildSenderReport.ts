/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const SR_BYTES = 28;

export interface SenderReportFields {
  ssrc: number;
  /** Wall-clock time of the report, Unix epoch ms. */
  unixMs: number;
  /** RTP timestamp of the same instant. */
  rtpTimestamp: number;
  packetCount: number;
  /** Payload octets sent (RTP headers excluded, RFC 3550 §6.4.1). */
  octetCount: number;
}

/** 64-bit NTP timestamp of a Unix epoch time, as seconds and fraction words. */
export function ntpTimestamp(unixMs: number): { seconds: number; fraction: number } {
  const totalSeconds = unixMs / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(totalSeconds);
  const fraction = Math.min(0xffff_ffff, Math.round((totalSeconds - seconds) * 0x1_0000_0000));
  return { seconds: seconds >>> 0, fraction: fraction >>> 0 };
}

/** The middle 32 bits of an NTP timestamp: what a receiver echoes as LSR. */
export function compactNtp(ntp: { seconds: number; fraction: number }): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/**
 * An RTCP sender report with no report blocks (the agent receives no RTP).
 * Sent alone (RFC 5506 reduced size, no SDES): the gateway knows the stream
 * by SSRC from SessionStart, so a CNAME would tell it nothing.
 */
export function buildSenderReport(fields: SenderReportFields): Buffer {
  const out = Buffer.alloc(SR_BYTES);
  const ntp = ntpTimestamp(fields.unixMs);
  out[0] = 0x80; // V=2, P=0, RC=0
  out[1] = 200;
  out.writeUInt16BE(SR_BYTES / 4 - 1, 2);
  out.writeUInt32BE(fields.ssrc >>> 0, 4);
  out.writeUInt32BE(ntp.seconds, 8);
  out.writeUInt32BE(ntp.fraction, 12);
  out.writeUInt32BE(fields.rtpTimestamp >>> 0, 16);
  out.writeUInt32BE(fields.packetCount >>> 0, 20);
  out.writeUInt32BE(fields.octetCount >>> 0, 24);
  return out;
}
