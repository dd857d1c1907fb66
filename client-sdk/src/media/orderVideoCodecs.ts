/** A codec as `RTCRtpReceiver.getCapabilities()` lists it. */
export interface CodecCapability {
  mimeType: string;
  clockRate: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/** Video codecs the SDK knows how to rank, in the order it prefers them by default. */
export type VideoCodecName = 'H264' | 'AV1' | 'VP9' | 'VP8';

export const DEFAULT_VIDEO_CODECS: readonly VideoCodecName[] = ['H264', 'AV1', 'VP9', 'VP8'];

/** Retransmission and FEC "codecs" ride along with the media codecs; removing them would turn NACK-by-RTX off. */
const RESILIENCE = new Set(['rtx', 'red', 'ulpfec', 'flexfec-03']);

/**
 * Orders the receiver's video codecs for `setCodecPreferences`: the codecs in
 * `preferred` in that order, H.264 ranked constrained baseline first
 * (profile-level-id 42e0xx, packetization-mode 1: what every hardware and
 * software encoder we run emits, and every WebRTC browser decodes), then the
 * other H.264 profiles; codecs not named are dropped, RTX/RED/FEC kept last.
 * Returns an empty list when none of the preferred codecs is available (then
 * leave the browser's own order alone).
 *
 * @example transceiver.setCodecPreferences(orderVideoCodecs(RTCRtpReceiver.getCapabilities('video')!.codecs))
 */
export function orderVideoCodecs<C extends CodecCapability>(
  codecs: readonly C[],
  preferred: readonly VideoCodecName[] = DEFAULT_VIDEO_CODECS,
): C[] {
  const ranked = codecs
    .map((codec, index) => ({ codec, index, rank: rankCodec(codec, preferred) }))
    .filter((entry) => entry.rank !== undefined)
    .sort((a, b) => (a.rank as number) - (b.rank as number) || a.index - b.index)
    .map((entry) => entry.codec);
  if (!ranked.some((codec) => !RESILIENCE.has(subtype(codec)))) return [];
  const resilience = codecs.filter((codec) => RESILIENCE.has(subtype(codec)));
  return [...ranked, ...resilience];
}

function rankCodec(codec: CodecCapability, preferred: readonly VideoCodecName[]): number | undefined {
  const name = subtype(codec);
  const position = preferred.findIndex((p) => p.toLowerCase() === name);
  if (position < 0) return undefined;
  // Ten slots per codec leave room for the H.264 profile order inside its slot.
  const base = position * 10;
  if (name !== 'h264') return base;
  const fmtp = (codec.sdpFmtpLine ?? '').toLowerCase();
  const packetizationMode1 = /(^|;)\s*packetization-mode=1/.test(fmtp);
  const profile = /profile-level-id=([0-9a-f]{6})/.exec(fmtp)?.[1] ?? '';
  if (!packetizationMode1) return base + 5;
  if (profile.startsWith('42e0')) return base;
  if (profile.startsWith('4200')) return base + 1;
  return base + 2;
}

function subtype(codec: CodecCapability): string {
  return codec.mimeType.replace(/^video\//i, '').toLowerCase();
}
