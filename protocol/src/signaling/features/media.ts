import * as v from 'valibot';
import { Id, Uint } from '../common.js';
import type { FeatureMessages } from './FeatureMessages.js';

/**
 * Media control, 340–359: the gateway's control loops steering the agent's
 * encoder (bitrate, resolution, frame rate) and telling the player what it
 * is being sent. Keyframe requests stay in the agent feature (114).
 */
export const MediaMessageType = {
  EncoderTarget: 340,
  StreamQuality: 341,
} as const;

/** Even dimension of a stepped-down picture (4:2:0 needs even sizes). */
const EvenDimension = v.pipe(
  Uint,
  v.minValue(16),
  v.maxValue(7680),
  v.check((n) => n % 2 === 0, 'must be even'),
);

/**
 * Gateway → agent: what the encoder should produce from now on. Bitrate moves
 * live; a new size or frame rate is applied at the next frame with an IDR, on
 * the same RTP stream. An encoder that cannot do one of them says so in
 * SessionStarted.encoderControls, and the gateway does not ask.
 */
export const EncoderTargetPayload = v.object({
  sessionId: Id,
  bitrateKbps: v.pipe(Uint, v.minValue(100), v.maxValue(200_000)),
  width: EvenDimension,
  height: EvenDimension,
  fps: v.pipe(Uint, v.minValue(1), v.maxValue(240)),
});

/** Gateway → player: the stream the player is being sent, for the stats overlay. */
export const StreamQualityPayload = v.object({
  sessionId: Id,
  /** Encoder target bitrate. */
  targetKbps: Uint,
  /** The gateway's bandwidth estimate of the player's downlink; 0 while it has none. */
  estimateKbps: Uint,
  width: Uint,
  height: Uint,
  fps: Uint,
  /** Forward error correction packets are being sent alongside the video. */
  fec: v.boolean(),
  /** Fraction of the player's packets lost before repair over the last report interval, 0..1. */
  loss: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
});

export type EncoderTarget = v.InferOutput<typeof EncoderTargetPayload>;
export type StreamQuality = v.InferOutput<typeof StreamQualityPayload>;

export const mediaMessages = {
  types: MediaMessageType,
  schemas: {
    [MediaMessageType.EncoderTarget]: EncoderTargetPayload,
    [MediaMessageType.StreamQuality]: StreamQualityPayload,
  },
  replies: {},
  agentToGateway: [],
  gatewayToAgent: [MediaMessageType.EncoderTarget],
  playerToGateway: [],
  gatewayToPlayer: [MediaMessageType.StreamQuality],
} as const satisfies FeatureMessages;
