import * as v from 'valibot';
import { MessageType } from './messageTypes.js';

const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'an id of 1-64 characters [A-Za-z0-9._:-]'));
const Uint = v.pipe(v.number(), v.integer(), v.minValue(0));
const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
const ShortText = v.pipe(v.string(), v.maxLength(1024));

/** Why a session ended; sent to the player and recorded by the gateway. */
export const SessionEndReason = {
  PlayerLeft: 'player_left',
  AgentLost: 'agent_lost',
  RuntimeExited: 'runtime_exited',
  EncoderFailed: 'encoder_failed',
  MediaFailed: 'media_failed',
  Terminated: 'terminated',
  StartFailed: 'start_failed',
  GatewayShutdown: 'gateway_shutdown',
  AgentShutdown: 'agent_shutdown',
  /** The player's signaling socket dropped without a SessionEnded (seen by the client). */
  ConnectionLost: 'connection_lost',
} as const;
export type SessionEndReason = (typeof SessionEndReason)[keyof typeof SessionEndReason];
const SessionEndReasonSchema = v.picklist(Object.values(SessionEndReason));

export const RuntimeKind = { Scene: 'scene', X11: 'x11', Docker: 'docker', Android: 'android' } as const;
export type RuntimeKind = (typeof RuntimeKind)[keyof typeof RuntimeKind];
const RuntimeKindSchema = v.picklist(Object.values(RuntimeKind));

export const VideoCodec = { H264: 'h264', HEVC: 'hevc', AV1: 'av1', VP8: 'vp8', VP9: 'vp9' } as const;
export type VideoCodec = (typeof VideoCodec)[keyof typeof VideoCodec];
const VideoCodecSchema = v.picklist(Object.values(VideoCodec));

export const SessionStateName = {
  Placing: 'placing',
  Starting: 'starting',
  Streaming: 'streaming',
  Ended: 'ended',
} as const;
export type SessionStateName = (typeof SessionStateName)[keyof typeof SessionStateName];

const VideoParams = v.object({
  width: v.pipe(Uint, v.minValue(16), v.maxValue(7680)),
  height: v.pipe(Uint, v.minValue(16), v.maxValue(4320)),
  fps: v.pipe(Uint, v.minValue(1), v.maxValue(240)),
});

const EncoderInfo = v.object({
  codec: VideoCodecSchema,
  /** ffmpeg encoder name, e.g. h264_nvenc or libx264. */
  name: v.pipe(v.string(), v.regex(/^[a-z0-9_]{1,32}$/)),
  hardware: v.boolean(),
});

const GpuInfo = v.object({
  vendor: v.pipe(v.string(), v.maxLength(64)),
  model: v.pipe(v.string(), v.maxLength(128)),
  memoryMiB: v.optional(Uint),
});

export const ErrorPayload = v.object({
  code: v.pipe(v.string(), v.maxLength(64)),
  message: ShortText,
  details: v.optional(v.record(v.string(), v.unknown())),
});

export const EmptyPayload = v.object({});
export const PingPayload = v.object({ ts: v.number() });

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
  }),
});

export const SessionStartedPayload = v.object({
  sessionId: Id,
  encoder: EncoderInfo,
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

export const KeyframeRequestPayload = v.object({ sessionId: Id });

export const PlayerJoinPayload = v.object({
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  sdkVersion: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

const IceServer = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

export const PlayerJoinedPayload = v.object({
  sessionId: Id,
  iceServers: v.array(IceServer),
  video: VideoParams,
});

const Sdp = v.pipe(v.string(), v.minLength(1), v.maxLength(60_000));
export const SdpPayload = v.object({ sdp: Sdp });

export const IceCandidatePayload = v.object({
  /** End of candidates is `{ candidate: '' }` with no sdpMid/sdpMLineIndex. */
  candidate: v.pipe(v.string(), v.maxLength(1024)),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  sdpMLineIndex: v.optional(v.nullable(Uint)),
});

export const SessionStatePayload = v.object({
  sessionId: Id,
  state: v.picklist(Object.values(SessionStateName)),
  nodeId: v.optional(Id),
});

export const SessionEndedPayload = v.object({
  sessionId: Id,
  reason: SessionEndReasonSchema,
  code: v.optional(v.pipe(v.string(), v.maxLength(64))),
  message: v.optional(ShortText),
});

/** The payload schema of every message type: the single source of truth. */
export const payloadSchemas = {
  [MessageType.Error]: ErrorPayload,
  [MessageType.Ack]: EmptyPayload,
  [MessageType.Ping]: PingPayload,
  [MessageType.Pong]: PingPayload,
  [MessageType.AgentRegister]: AgentRegisterPayload,
  [MessageType.AgentRegistered]: AgentRegisteredPayload,
  [MessageType.AgentHeartbeat]: AgentHeartbeatPayload,
  [MessageType.SessionStart]: SessionStartPayload,
  [MessageType.SessionStarted]: SessionStartedPayload,
  [MessageType.SessionStop]: SessionStopPayload,
  [MessageType.AgentSessionEnded]: AgentSessionEndedPayload,
  [MessageType.KeyframeRequest]: KeyframeRequestPayload,
  [MessageType.PlayerJoin]: PlayerJoinPayload,
  [MessageType.PlayerJoined]: PlayerJoinedPayload,
  [MessageType.PlayerOffer]: SdpPayload,
  [MessageType.PlayerAnswer]: SdpPayload,
  [MessageType.IceCandidate]: IceCandidatePayload,
  [MessageType.PlayerLeave]: EmptyPayload,
  [MessageType.SessionState]: SessionStatePayload,
  [MessageType.SessionEnded]: SessionEndedPayload,
} as const satisfies Record<MessageType, v.GenericSchema>;

export type PayloadOf<T extends MessageType> = v.InferOutput<(typeof payloadSchemas)[T]>;
export type EncoderInfo = v.InferOutput<typeof EncoderInfo>;
export type GpuInfo = v.InferOutput<typeof GpuInfo>;
export type VideoParams = v.InferOutput<typeof VideoParams>;
export type IceServer = v.InferOutput<typeof IceServer>;
