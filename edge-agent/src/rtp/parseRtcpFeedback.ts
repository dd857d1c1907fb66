/** RFC 3550 / 4585 / 5104 packet types and feedback formats the publisher acts on. */
const RTCP_SR = 200;
const RTCP_RR = 201;
const RTCP_RTPFB = 205;
const RTCP_PSFB = 206;
const FMT_GENERIC_NACK = 1;
const FMT_PLI = 1;
const FMT_FIR = 4;
const REPORT_BLOCK_BYTES = 24;

/** One reception report block (RFC 3550 §6.4.1) about our stream. */
export interface ReportBlock {
  /** Fraction of packets lost since the previous report, 0..1. */
  fractionLost: number;
  /** Packets lost since the start (signed 24 bits: duplicates can make it negative). */
  cumulativeLost: number;
  highestSequence: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP time of our last SR they received; 0 if none. */
  lastSr: number;
  /** Delay since that SR, in 1/65536 s. */
  delaySinceLastSr: number;
}

/** What a compound RTCP packet asks of the sender of `ssrc`; everything about other streams is left out. */
export interface RtcpFeedback {
  /** Sequence numbers NACKed, in packet order, one list per Generic NACK message. */
  nacks: number[][];
  pli: boolean;
  /** FIR command sequence numbers addressed to us (RFC 5104 §4.3.1). */
  firSequenceNumbers: number[];
  reports: ReportBlock[];
}

/**
 * Reads a (decrypted) compound RTCP packet with strict bounds checks;
 * undefined if any part is malformed. werift's converter reads each
 * feedback message to the end of the compound and throws on truncation, so
 * the agent's one untrusted-input parser is this one.
 */
export function parseRtcpFeedback(packet: Uint8Array, ssrc: number): RtcpFeedback | undefined {
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const feedback: RtcpFeedback = { nacks: [], pli: false, firSequenceNumbers: [], reports: [] };
  let at = 0;
  if (packet.length < 4) return undefined;
  while (at < packet.length) {
    if (packet.length - at < 4) return undefined;
    const first = packet[at]!;
    if (first >> 6 !== 2) return undefined;
    const count = first & 0x1f;
    const type = packet[at + 1]!;
    const size = (view.getUint16(at + 2) + 1) * 4;
    if (at + size > packet.length) return undefined;
    let end = at + size;
    if (first & 0x20) {
      // Padding: the last octet counts the padding octets, itself included.
      const padding = packet[end - 1]!;
      if (padding === 0 || padding > size - 4) return undefined;
      end -= padding;
    }
    const ok = readOne(view, type, count, at + 4, end, ssrc, feedback);
    if (!ok) return undefined;
    at += size;
  }
  return feedback;
}

function readOne(
  view: DataView,
  type: number,
  count: number,
  body: number,
  end: number,
  ssrc: number,
  out: RtcpFeedback,
): boolean {
  switch (type) {
    case RTCP_SR:
      return readReportBlocks(view, body + 4 + 20, count, end, ssrc, out);
    case RTCP_RR:
      return readReportBlocks(view, body + 4, count, end, ssrc, out);
    case RTCP_RTPFB: {
      if (end - body < 8) return false;
      if (count !== FMT_GENERIC_NACK) return true;
      if ((end - body - 8) % 4 !== 0) return false;
      if (view.getUint32(body + 4) !== ssrc) return true;
      const lost: number[] = [];
      for (let at = body + 8; at < end; at += 4) {
        const pid = view.getUint16(at);
        const blp = view.getUint16(at + 2);
        lost.push(pid);
        for (let bit = 0; bit < 16; bit++) if ((blp >> bit) & 1) lost.push((pid + bit + 1) & 0xffff);
      }
      out.nacks.push(lost);
      return true;
    }
    case RTCP_PSFB: {
      if (end - body < 8) return false;
      if (count === FMT_PLI) {
        if (view.getUint32(body + 4) === ssrc) out.pli = true;
        return true;
      }
      if (count === FMT_FIR) {
        if ((end - body - 8) % 8 !== 0) return false;
        for (let at = body + 8; at < end; at += 8) {
          if (view.getUint32(at) === ssrc) out.firSequenceNumbers.push(view.getUint8(at + 4));
        }
      }
      return true;
    }
    default:
      // SDES, BYE, APP, XR, and feedback we do not act on: well-formed enough to skip.
      return true;
  }
}

function readReportBlocks(
  view: DataView,
  start: number,
  count: number,
  end: number,
  ssrc: number,
  out: RtcpFeedback,
): boolean {
  if (start + count * REPORT_BLOCK_BYTES > end) return false;
  for (let i = 0; i < count; i++) {
    const at = start + i * REPORT_BLOCK_BYTES;
    if (view.getUint32(at) !== ssrc) continue;
    const lostWord = view.getUint32(at + 4);
    const cumulative = lostWord & 0xffffff;
    out.reports.push({
      fractionLost: (lostWord >>> 24) / 256,
      cumulativeLost: cumulative & 0x800000 ? cumulative - 0x1000000 : cumulative,
      highestSequence: view.getUint32(at + 8),
      jitter: view.getUint32(at + 12),
      lastSr: view.getUint32(at + 16),
      delaySinceLastSr: view.getUint32(at + 20),
    });
  }
  return true;
}
