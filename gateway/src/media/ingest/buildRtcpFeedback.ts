/** RTCP packet types (RFC 3550, RFC 4585). */
const RTCP_RR = 201;
const RTCP_RTPFB = 205;
const RTCP_PSFB = 206;
const FMT_GENERIC_NACK = 1;
const FMT_PLI = 1;
/** FCI entries per NACK packet: 12 + 4·64 bytes stays far below any MTU. */
const MAX_NACK_ITEMS = 64;

/** One RFC 3550 report block, fields as they go on the wire. */
export interface ReportBlock {
  /** SSRC of the stream reported on (the agent's). */
  ssrc: number;
  /** Loss since the last report, 0..255 (fixed point /256). */
  fractionLost: number;
  /** Packets lost since the start, clamped to the 24-bit field. */
  cumulativeLost: number;
  /** Cycles·2^16 + highest sequence number received (mod 2^32). */
  extendedHighest: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR, 0 if none. */
  lsr: number;
  /** Delay since that SR in 1/65536 s, 0 if none. */
  dlsr: number;
}

/** A receiver report (RR) from `senderSsrc` carrying one report block. */
export function buildReceiverReport(senderSsrc: number, block: ReportBlock): Buffer {
  const packet = Buffer.alloc(32);
  writeHeader(packet, 1, RTCP_RR);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(block.ssrc >>> 0, 8);
  packet.writeUInt8(clamp(Math.floor(block.fractionLost), 0, 255), 12);
  packet.writeIntBE(clamp(Math.round(block.cumulativeLost), -0x80_0000, 0x7f_ffff), 13, 3);
  packet.writeUInt32BE(block.extendedHighest >>> 0, 16);
  packet.writeUInt32BE(clamp(Math.floor(block.jitter), 0, 0xffff_ffff), 20);
  packet.writeUInt32BE(block.lsr >>> 0, 24);
  packet.writeUInt32BE(clamp(Math.round(block.dlsr), 0, 0xffff_ffff), 28);
  return packet;
}

/**
 * Generic NACKs (RTPFB fmt 1) for 16-bit sequence numbers given oldest first
 * (they may wrap past 65535): one PID + 16-bit BLP per run of 17, split into
 * several packets when there are many.
 */
export function buildGenericNacks(senderSsrc: number, mediaSsrc: number, seqs: readonly number[]): Buffer[] {
  const items: Array<{ pid: number; blp: number }> = [];
  let current: { pid: number; blp: number } | undefined;
  for (const seq of seqs) {
    const distance = current === undefined ? 0 : (seq - current.pid) & 0xffff;
    if (current !== undefined && distance >= 1 && distance <= 16) {
      current.blp |= 1 << (distance - 1);
    } else {
      current = { pid: seq & 0xffff, blp: 0 };
      items.push(current);
    }
  }
  const packets: Buffer[] = [];
  for (let start = 0; start < items.length; start += MAX_NACK_ITEMS) {
    const chunk = items.slice(start, start + MAX_NACK_ITEMS);
    const packet = Buffer.alloc(12 + 4 * chunk.length);
    writeHeader(packet, FMT_GENERIC_NACK, RTCP_RTPFB);
    packet.writeUInt32BE(senderSsrc >>> 0, 4);
    packet.writeUInt32BE(mediaSsrc >>> 0, 8);
    chunk.forEach((item, i) => {
      packet.writeUInt16BE(item.pid, 12 + 4 * i);
      packet.writeUInt16BE(item.blp, 14 + 4 * i);
    });
    packets.push(packet);
  }
  return packets;
}

/** A Picture Loss Indication (PSFB fmt 1): the sender should send a keyframe. */
export function buildPictureLossIndication(senderSsrc: number, mediaSsrc: number): Buffer {
  const packet = Buffer.alloc(12);
  writeHeader(packet, FMT_PLI, RTCP_PSFB);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  return packet;
}

/** Version 2, no padding, count/format, type, and the length in 32-bit words minus one. */
function writeHeader(packet: Buffer, countOrFormat: number, type: number): void {
  packet.writeUInt8(0x80 | countOrFormat, 0);
  packet.writeUInt8(type, 1);
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
