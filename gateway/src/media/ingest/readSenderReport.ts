const RTCP_SR = 200;
/** Header (4) + SSRC (4) + sender info (20). */
const SR_MIN_BYTES = 28;

/** A compound RTCP packet read for what the ingest needs: the SR of the stream's SSRC. */
export type SenderReportReading =
  | { valid: false }
  | {
      valid: true;
      /** Middle 32 bits of the SR's NTP timestamp (the RR's LSR), when the compound holds an SR from the SSRC. */
      lsr: number | undefined;
    };

/**
 * Walks a (decrypted) compound RTCP packet, checking every header's version
 * and length, and returns the LSR of the last sender report from `ssrc`.
 * Other packet types are skipped. Anything that does not tile the buffer
 * exactly is invalid: the ingest counts it and drops the whole datagram.
 */
export function readSenderReport(compound: Buffer, ssrc: number): SenderReportReading {
  let offset = 0;
  let lsr: number | undefined;
  if (compound.length < 4) return { valid: false };
  while (offset < compound.length) {
    if (offset + 4 > compound.length) return { valid: false };
    if (compound[offset]! >> 6 !== 2) return { valid: false };
    const type = compound[offset + 1]!;
    const bytes = (compound.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + bytes > compound.length) return { valid: false };
    if (type === RTCP_SR) {
      if (bytes < SR_MIN_BYTES) return { valid: false };
      if (compound.readUInt32BE(offset + 4) === ssrc >>> 0) lsr = compound.readUInt32BE(offset + 10);
    }
    offset += bytes;
  }
  return { valid: true, lsr };
}
