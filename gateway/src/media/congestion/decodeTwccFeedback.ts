import type { RunLengthChunk, StatusVectorChunk, TransportWideCC } from 'werift';

/** The fields of werift's parsed TransportWideCC that the decoder reads. */
export type TwccFeedbackLike = Pick<
  TransportWideCC,
  'baseSequenceNumber' | 'packetStatusCount' | 'referenceTime' | 'fbPktCount' | 'recvDeltas'
> & { packetChunks: readonly (RunLengthChunk | StatusVectorChunk)[] };

/** One packet of a feedback message; `seq` is the 16-bit transport-wide sequence number. */
export interface TwccPacketStatus {
  seq: number;
  /** Arrival after the message's reference time, in ms; undefined: not received. */
  arrivalOffsetMs: number | undefined;
}

export interface DecodedTwcc {
  baseSeq: number;
  /** 24-bit, in units of 64 ms on the receiver's clock; it wraps (the caller unwraps). */
  referenceTime: number;
  /** 8-bit feedback message counter. */
  fbPktCount: number;
  packets: TwccPacketStatus[];
}

export type TwccDecodeFailure = 'bad-header' | 'bad-chunk' | 'short-chunks' | 'missing-delta';

export type TwccDecodeResult = { ok: true; feedback: DecodedTwcc } | { ok: false; reason: TwccDecodeFailure };

// Packet status symbols (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.1).
const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

/**
 * Expands a transport-wide feedback message into one status per packet.
 * werift parses the chunks but its own `packetResults` skips status-vector
 * chunks and counts each run one packet too long, so the chunks are walked
 * here. Receive deltas are consumed in packet order, one per packet whose
 * symbol carries a delta, exactly as werift's parser allotted them. A
 * "received without delta" symbol (reserved in the draft) gives no timing
 * and is left out rather than counted as lost.
 */
export function decodeTwccFeedback(feedback: TwccFeedbackLike): TwccDecodeResult {
  const { baseSequenceNumber: baseSeq, packetStatusCount: count, referenceTime, fbPktCount } = feedback;
  if (!isUint(baseSeq, 0xffff) || !isUint(count, 0xffff) || !isUint(referenceTime, 0xffffff)) {
    return { ok: false, reason: 'bad-header' };
  }
  const symbols = expandSymbols(feedback.packetChunks, count);
  if (typeof symbols === 'string') return { ok: false, reason: symbols };

  const packets: TwccPacketStatus[] = [];
  let deltaIndex = 0;
  let offsetUs = 0;
  for (let i = 0; i < count; i++) {
    const symbol = symbols[i];
    const seq = (baseSeq + i) & 0xffff;
    if (symbol === NOT_RECEIVED) {
      packets.push({ seq, arrivalOffsetMs: undefined });
    } else if (symbol === SMALL_DELTA || symbol === LARGE_DELTA) {
      const delta = feedback.recvDeltas[deltaIndex++]?.delta;
      if (typeof delta !== 'number' || !Number.isFinite(delta)) return { ok: false, reason: 'missing-delta' };
      // Each delta is relative to the previous received packet (the first to the reference time).
      offsetUs += delta;
      packets.push({ seq, arrivalOffsetMs: offsetUs / 1000 });
    }
  }
  return { ok: true, feedback: { baseSeq, referenceTime, fbPktCount: fbPktCount & 0xff, packets } };
}

/** The status symbol of each of the `count` packets the chunks describe. */
function expandSymbols(
  chunks: readonly (RunLengthChunk | StatusVectorChunk)[],
  count: number,
): Uint8Array | 'bad-chunk' | 'short-chunks' {
  const symbols = new Uint8Array(count);
  let filled = 0;
  for (const chunk of chunks) {
    if (filled >= count) break;
    if ('runLength' in chunk) {
      if (!isUint(chunk.runLength, 0x1fff) || !isUint(chunk.packetStatus, 3)) return 'bad-chunk';
      const end = Math.min(count, filled + chunk.runLength);
      symbols.fill(chunk.packetStatus, filled, end);
      filled = end;
    } else {
      // A 1-bit vector holds 14 symbols (1 = received, small delta), a 2-bit vector 7.
      if (chunk.symbolSize !== 0 && chunk.symbolSize !== 1) return 'bad-chunk';
      const max = chunk.symbolSize === 0 ? 1 : 3;
      for (const symbol of chunk.symbolList) {
        if (filled >= count) break;
        if (!isUint(symbol, max)) return 'bad-chunk';
        symbols[filled++] = symbol;
      }
    }
  }
  return filled < count ? 'short-chunks' : symbols;
}

function isUint(value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;
}
