const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;

/**
 * True when an H.264 RTP payload (RFC 6184, packetization mode 1) starts a
 * keyframe: a single IDR or SPS NAL unit, a STAP-A aggregating an IDR or SPS,
 * or the first fragment (S bit) of an FU-A carrying an IDR. Encoders send the
 * SPS right before the IDR, so a keyframe may be seen twice per access unit;
 * the caller counts one per RTP timestamp. Truncated payloads give false.
 */
export function detectH264Keyframe(payload: Uint8Array): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  const type = first & 0x1f;
  if (type === NAL_IDR || type === NAL_SPS) return true;
  if (type === NAL_FU_A) {
    const fuHeader = payload[1];
    return fuHeader !== undefined && (fuHeader & 0x80) !== 0 && (fuHeader & 0x1f) === NAL_IDR;
  }
  if (type === NAL_STAP_A) return stapContainsKeyframe(payload);
  return false;
}

/** Walks STAP-A's (16-bit size, NAL unit) entries; a size running past the end stops the walk. */
function stapContainsKeyframe(payload: Uint8Array): boolean {
  let offset = 1;
  while (offset + 2 < payload.length) {
    const size = (payload[offset]! << 8) | payload[offset + 1]!;
    const nalStart = offset + 2;
    if (size === 0 || nalStart + size > payload.length) return false;
    const nalType = payload[nalStart]! & 0x1f;
    if (nalType === NAL_IDR || nalType === NAL_SPS) return true;
    offset = nalStart + size;
  }
  return false;
}
