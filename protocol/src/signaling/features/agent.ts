import * as v from 'valibot';
import { SRTP_PROFILE } from '../../media/mediaConstants.js';
import {
  EncoderInfo,
  GpuInfo,
  Id,
  Port,
  RuntimeKindSchema,
  SessionEndReasonSchema,
  ShortText,
  Uint,
  VideoCodecSchema,
  VideoParams,
} from '../common.js';
import { CoreMessageType } from './core.js';
import type { FeatureMessages } from './FeatureMessages.js';
import { AgentFleetFields } from './fleet.js';

/** Edge agent <-> gateway, 100–119: registration, heartbeats, session control. */
export const AgentMessageType = {
  AgentRegister: 100,
  AgentRegistered: 101,
  AgentHeartbeat: 102,
  SessionStart: 110,
  SessionStarted: 111,
  SessionStop: 112,
  AgentSessionEnded: 113,
  KeyframeRequest: 114,
} as const;

export const AgentRegisterPayload = v.object({
  agentId: Id,
  /** Proof of the agent's right to join: the fleet's shared secret for now. */
  secret: v.pipe(v.string(), v.minLength(1), v.maxLength(512)),
  version: v.pipe(v.string(), v.maxLength(64)),
  slots: v.pipe(Uint, v.minValue(1), v.maxValue(1024)),
  runtimes: v.pipe(v.array(RuntimeKindSchema), v.minLength(1), v.maxLength(8)),
  encoders: v.pipe(v.array(EncoderInfo), v.minLength(1), v.maxLength(16)),
  gpus: v.pipe(v.array(GpuInfo), v.maxLength(16)),
  region: v.optional(v.pipe(v.string(), v.maxLength(64))),
  ...AgentFleetFields,
});

export const AgentRegisteredPayload = v.object({
  nodeId: Id,
  heartbeatIntervalMs: v.pipe(Uint, v.minValue(100)),
});

export const AgentHeartbeatPayload = v.object({
  activeSessions: Uint,
  /** 1-minute load average divided by core count; 1.0 = all cores busy. */
  cpuLoad: v.optional(v.pipe(v.number(), v.minValue(0))),
});

/** SRTP protection profile and master key + salt (base64 of 16 + 14 bytes). */
export const SrtpKeying = v.object({
  profile: v.literal(SRTP_PROFILE),
  masterKey: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{40}$/, 'base64 of 30 bytes')),
});

/** What the running encoder can be asked to do mid-stream; the gateway's control loops adapt to it. */
export const EncoderControls = v.object({
  /** An IDR within one frame of a KeyframeRequest. */
  keyframeOnDemand: v.boolean(),
  /** EncoderTarget.bitrateKbps applies live. */
  liveBitrate: v.boolean(),
  /** EncoderTarget.width/height/fps apply live (an IDR on the same stream). */
  liveResize: v.boolean(),
  /** Answers NACK from a packet history and sends sender reports. */
  retransmits: v.boolean(),
});

export const SessionStartPayload = v.object({
  sessionId: Id,
  /** Small integer that tags this session's binary input frames on the agent link. */
  channel: v.pipe(Uint, v.maxValue(0xffff_ffff)),
  runtime: RuntimeKindSchema,
  runtimeOptions: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()]))),
  video: v.object({
    ...VideoParams.entries,
    // 4:2:0 chroma subsampling needs even dimensions.
    width: v.pipe(
      VideoParams.entries.width,
      v.check((n) => n % 2 === 0, 'width must be even'),
    ),
    height: v.pipe(
      VideoParams.entries.height,
      v.check((n) => n % 2 === 0, 'height must be even'),
    ),
    codec: VideoCodecSchema,
    bitrateKbps: v.pipe(Uint, v.minValue(100), v.maxValue(200_000)),
    /** Frames between keyframes; short so a joining player starts fast. */
    gop: v.pipe(Uint, v.minValue(1), v.maxValue(1200)),
  }),
  /** Where to send RTP. RTCP sender reports go to the same port (rtcp-mux), never port+1. */
  rtp: v.object({
    host: v.pipe(v.string(), v.maxLength(255)),
    port: Port,
    payloadType: v.pipe(Uint, v.minValue(96), v.maxValue(127)),
    // 0 would make ffmpeg pick a random SSRC, which the gateway's ingest would then reject.
    ssrc: v.pipe(Uint, v.minValue(1), v.maxValue(0xffff_ffff)),
    /**
     * SRTP keying for this stream, fresh per session and per failover: the
     * ingest crosses the internet between a provider's node and the gateway,
     * and this socket is the authenticated channel that carries the key. The
     * gateway's RTCP back to the agent (NACK, PLI, receiver reports) is SRTCP
     * under the same master key.
     */
    srtp: SrtpKeying,
  }),
  /**
   * Where to send the session's Opus audio as a second RTP stream (its own
   * port and SSRC, so audio never holds up video). Absent: the gateway takes
   * no audio and the agent sends none.
   */
  audioRtp: v.optional(
    v.object({
      host: v.pipe(v.string(), v.maxLength(255)),
      port: Port,
      payloadType: v.pipe(Uint, v.minValue(96), v.maxValue(127)),
      ssrc: v.pipe(Uint, v.minValue(1), v.maxValue(0xffff_ffff)),
      /** Its own master key: the two streams never share SRTP keystream. */
      srtp: SrtpKeying,
    }),
  ),
});

export const SessionStartedPayload = v.object({
  sessionId: Id,
  encoder: EncoderInfo,
  /** Absent from agents that predate it: treated as none. */
  encoderControls: v.optional(EncoderControls),
});

export const SessionStopPayload = v.object({
  sessionId: Id,
  reason: SessionEndReasonSchema,
});

export const AgentSessionEndedPayload = v.object({
  sessionId: Id,
  reason: SessionEndReasonSchema,
  message: v.optional(ShortText),
});

export type SrtpKeying = v.InferOutput<typeof SrtpKeying>;
export type EncoderControls = v.InferOutput<typeof EncoderControls>;

export const KeyframeRequestPayload = v.object({ sessionId: Id });

export const agentMessages = {
  types: AgentMessageType,
  schemas: {
    [AgentMessageType.AgentRegister]: AgentRegisterPayload,
    [AgentMessageType.AgentRegistered]: AgentRegisteredPayload,
    [AgentMessageType.AgentHeartbeat]: AgentHeartbeatPayload,
    [AgentMessageType.SessionStart]: SessionStartPayload,
    [AgentMessageType.SessionStarted]: SessionStartedPayload,
    [AgentMessageType.SessionStop]: SessionStopPayload,
    [AgentMessageType.AgentSessionEnded]: AgentSessionEndedPayload,
    [AgentMessageType.KeyframeRequest]: KeyframeRequestPayload,
  },
  replies: {
    [AgentMessageType.AgentRegister]: AgentMessageType.AgentRegistered,
    [AgentMessageType.SessionStart]: AgentMessageType.SessionStarted,
    [AgentMessageType.SessionStop]: CoreMessageType.Ack,
  },
  agentToGateway: [
    AgentMessageType.AgentRegister,
    AgentMessageType.AgentHeartbeat,
    AgentMessageType.SessionStarted,
    AgentMessageType.AgentSessionEnded,
  ],
  gatewayToAgent: [
    AgentMessageType.AgentRegistered,
    AgentMessageType.SessionStart,
    AgentMessageType.SessionStop,
    AgentMessageType.KeyframeRequest,
  ],
  playerToGateway: [],
  gatewayToPlayer: [],
} as const satisfies FeatureMessages;
