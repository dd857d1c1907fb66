import { VIDEO_CLOCK_RATE } from '@frameway/protocol';
import { RTP_PACKET_SIZE } from '../encoder/buildEncoderArgs.js';

/** Fixed RTP header the publisher writes: no CSRCs, no extensions. */
export const RTP_HEADER_BYTES = 12;
/**
 * Payload budget of one RTP packet: RTP_PACKET_SIZE is the plaintext size, so
 * the SRTP datagram (plus its 10-byte tag) stays at 1210 bytes, under every MTU.
 */
export const MAX_RTP_PAYLOAD_BYTES = RTP_PACKET_SIZE - RTP_HEADER_BYTES;

/** RFC 6184 payload structures (NAL types 24 and 28). */
const STAP_A = 24;
const FU_A = 28;
const FU_A_OVERHEAD = 2;
const STAP_A_HEADER = 1;
const STAP_A_LENGTH_FIELD = 2;

export interface H264PacketizerOptions {
  /** RTP timestamp of the first access unit; random in production (RFC 3550 §5.1). */
  initialTimestamp: number;
  /** RTP payload budget in bytes; MAX_RTP_PAYLOAD_BYTES by default. */
  maxPayloadBytes?: number;
  clockRate?: number;
  /** Aggregate consecutive small NAL units (SPS, PPS, SEI...) into STAP-A packets; true by default. */
  aggregate?: boolean;
}

/**
 * Receives one packet's payload. `payload` may be a view into the
 * packetizer's scratch buffer: copy it before the callback returns.
 */
export type EmitPayload = (payload: Uint8Array, marker: boolean) => void;

export interface PacketizeResult {
  packets: number;
  /** NAL units left out: empty, or of a type (0, 24–31) that would be misread as an RTP payload structure. */
  nalsDropped: number;
}

/**
 * RFC 6184 packetization mode 1 for one H.264 stream: a NAL unit that fits
 * goes alone, a larger one as FU-A fragments of equal size, and consecutive
 * small ones (SPS+PPS before an IDR) share a STAP-A. The marker bit is set on
 * the access unit's last packet. Pure: no sockets, no clock.
 */
export class H264Packetizer {
  readonly maxPayloadBytes: number;
  readonly clockRate: number;
  readonly #aggregate: boolean;
  readonly #initialTimestamp: number;
  #firstCaptureMs: number | undefined;
  // One payload's worth of scratch: FU-A and STAP-A payloads are assembled here, never allocated.
  readonly #scratch: Uint8Array;

  constructor(options: H264PacketizerOptions) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_RTP_PAYLOAD_BYTES;
    if (!Number.isInteger(this.maxPayloadBytes) || this.maxPayloadBytes < FU_A_OVERHEAD + 1) {
      throw new RangeError(`maxPayloadBytes must be an integer of at least ${FU_A_OVERHEAD + 1}`);
    }
    this.clockRate = options.clockRate ?? VIDEO_CLOCK_RATE;
    this.#aggregate = options.aggregate ?? true;
    this.#initialTimestamp = options.initialTimestamp >>> 0;
    this.#scratch = new Uint8Array(this.maxPayloadBytes);
  }

  /**
   * The RTP timestamp of a frame captured at `captureMs`: the clock runs from
   * the first frame seen, so timestamps keep the capture spacing (jitter
   * buffers pace playout by it) whatever the encoder's delay.
   */
  timestampFor(captureMs: number): number {
    this.#firstCaptureMs ??= captureMs;
    const ticks = Math.round(((captureMs - this.#firstCaptureMs) * this.clockRate) / 1000);
    return (this.#initialTimestamp + ticks) >>> 0;
  }

  /** Splits one Annex-B access unit into RTP payloads, in order, through `emit`. */
  packetize(accessUnit: Uint8Array, emit: EmitPayload): PacketizeResult {
    const all = splitAnnexB(accessUnit);
    const nals = all.filter(isPacketizable);
    const result: PacketizeResult = { packets: 0, nalsDropped: all.length - nals.length };
    const max = this.maxPayloadBytes;
    let i = 0;
    while (i < nals.length) {
      const nal = nals[i]!;
      if (nal.length > max) {
        result.packets += this.#fragment(nal, i === nals.length - 1, emit);
        i++;
        continue;
      }
      const end = this.#aggregate ? this.#aggregateEnd(nals, i) : i + 1;
      const last = end === nals.length;
      if (end - i === 1) {
        emit(nal, last);
      } else {
        emit(this.#stapA(nals, i, end), last);
      }
      result.packets++;
      i = end;
    }
    return result;
  }

  /** One past the last NAL unit, from `start`, that fits into one STAP-A with its predecessors. */
  #aggregateEnd(nals: Uint8Array[], start: number): number {
    let size = STAP_A_HEADER + STAP_A_LENGTH_FIELD + nals[start]!.length;
    let end = start + 1;
    while (end < nals.length) {
      const next = size + STAP_A_LENGTH_FIELD + nals[end]!.length;
      if (next > this.maxPayloadBytes) break;
      size = next;
      end++;
    }
    return end;
  }

  #stapA(nals: Uint8Array[], start: number, end: number): Uint8Array {
    const out = this.#scratch;
    let forbidden = 0;
    let nri = 0;
    let at = STAP_A_HEADER;
    for (let i = start; i < end; i++) {
      const nal = nals[i]!;
      const header = nal[0]!;
      forbidden |= header & 0x80;
      nri = Math.max(nri, header & 0x60);
      out[at] = nal.length >> 8;
      out[at + 1] = nal.length & 0xff;
      out.set(nal, at + STAP_A_LENGTH_FIELD);
      at += STAP_A_LENGTH_FIELD + nal.length;
    }
    // RFC 6184 §5.7.1: F is the OR of the aggregated F bits, NRI their maximum.
    out[0] = forbidden | nri | STAP_A;
    return out.subarray(0, at);
  }

  #fragment(nal: Uint8Array, lastNal: boolean, emit: EmitPayload): number {
    const header = nal[0]!;
    const body = nal.length - 1;
    const room = this.maxPayloadBytes - FU_A_OVERHEAD;
    const count = Math.ceil(body / room);
    // Equal fragments rather than full ones plus a runt: same packet count, and
    // no tiny trailing packet that costs a header for a few bytes.
    const base = Math.floor(body / count);
    const longer = body % count;
    const out = this.#scratch;
    out[0] = (header & 0xe0) | FU_A;
    let offset = 1;
    for (let k = 0; k < count; k++) {
      const size = base + (k < longer ? 1 : 0);
      const start = k === 0 ? 0x80 : 0;
      const end = k === count - 1 ? 0x40 : 0;
      out[1] = start | end | (header & 0x1f);
      out.set(nal.subarray(offset, offset + size), FU_A_OVERHEAD);
      offset += size;
      emit(out.subarray(0, FU_A_OVERHEAD + size), lastNal && end !== 0);
    }
    return count;
  }
}

/**
 * The NAL units of an Annex-B byte stream, as views into it (start codes
 * removed). A zero byte before `00 00 01` belongs to a 4-byte start code, as
 * in libwebrtc; bytes before the first start code are not a NAL unit.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let nalStart = -1;
  let i = 0;
  while (i + 2 < data.length) {
    if (data[i + 2]! > 1) {
      i += 3;
    } else if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      if (nalStart >= 0) {
        const end = i > nalStart && data[i - 1] === 0 ? i - 1 : i;
        if (end > nalStart) nals.push(data.subarray(nalStart, end));
      }
      i += 3;
      nalStart = i;
    } else {
      i++;
    }
  }
  if (nalStart >= 0 && nalStart < data.length) nals.push(data.subarray(nalStart));
  return nals;
}

function isPacketizable(nal: Uint8Array): boolean {
  const type = nal[0]! & 0x1f;
  return type !== 0 && type < STAP_A;
}
