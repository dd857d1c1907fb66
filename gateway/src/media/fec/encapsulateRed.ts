/**
 * One block of RED (RFC 2198) with its 1-byte header (F = 0: the only and
 * primary block): what Chromium's ULPFEC receiver expects of every media and
 * FEC packet on a stream that negotiated RED, with no redundant blocks.
 *
 * @example encapsulateRed(108, h264Payload) // [0x6c, ...h264Payload]
 */
export function encapsulateRed(blockPayloadType: number, block: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(block.length + 1);
  out[0] = blockPayloadType & 0x7f;
  out.set(block, 1);
  return out;
}

/** The payload type of a single-block RED payload; undefined when empty or when it has redundant blocks (F = 1). */
export function redBlockPayloadType(red: Uint8Array): number | undefined {
  const first = red[0];
  if (first === undefined || (first & 0x80) !== 0) return undefined;
  return first;
}
