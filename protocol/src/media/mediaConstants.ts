/** RTP header extension that tells the receiver the allowed playout delay (min/max in 10 ms units). */
export const PLAYOUT_DELAY_EXTENSION_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** H.264 constrained baseline, packetization mode 1: what every WebRTC browser decodes. */
export const H264_FMTP = 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f';

export const VIDEO_CLOCK_RATE = 90_000;

/**
 * The ingest leg's SRTP protection profile (RFC 3711's default suite, what
 * every SRTP stack and ffmpeg's srtp protocol speak).
 */
export const SRTP_PROFILE = 'AES_CM_128_HMAC_SHA1_80';

/** DataChannel labels the player opens; the gateway relays both to the agent. */
export const InputChannelLabel = {
  /** Ordered and reliable: key and button edges must arrive, in order. */
  Reliable: 'input',
  /** Unordered, no retransmits: a late pointer move is worse than a lost one. */
  Motion: 'input-motion',
} as const;

/** Default stream shape of the walking skeleton. */
export const DefaultVideo = { width: 1280, height: 720, fps: 60, bitrateKbps: 8000, gop: 60 } as const;

/** Encodes the playout-delay extension body: 12-bit min and max, in 10 ms units. */
export function encodePlayoutDelay(minMs: number, maxMs: number): Uint8Array {
  const min = Math.max(0, Math.min(0xfff, Math.round(minMs / 10)));
  const max = Math.max(min, Math.min(0xfff, Math.round(maxMs / 10)));
  return Uint8Array.of(min >> 4, ((min & 0xf) << 4) | (max >> 8), max & 0xff);
}

/**
 * The agent secret both processes fall back to in demo mode (FRAMEWAY_DEMO=1),
 * so a local gateway and agent pair up with no configuration. Never accepted
 * outside demo mode.
 */
export const DEMO_AGENT_SECRET = 'frameway-demo-agent-secret';
