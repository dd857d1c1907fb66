import * as v from 'valibot';

export const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'an id of 1-64 characters [A-Za-z0-9._:-]'));
export const Uint = v.pipe(v.number(), v.integer(), v.minValue(0));
export const Port = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(65535));
export const ShortText = v.pipe(v.string(), v.maxLength(1024));

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
export const SessionEndReasonSchema = v.picklist(Object.values(SessionEndReason));

export const RuntimeKind = { Scene: 'scene', X11: 'x11', Docker: 'docker', Android: 'android' } as const;
export type RuntimeKind = (typeof RuntimeKind)[keyof typeof RuntimeKind];
export const RuntimeKindSchema = v.picklist(Object.values(RuntimeKind));

export const VideoCodec = { H264: 'h264', HEVC: 'hevc', AV1: 'av1', VP8: 'vp8', VP9: 'vp9' } as const;
export type VideoCodec = (typeof VideoCodec)[keyof typeof VideoCodec];
export const VideoCodecSchema = v.picklist(Object.values(VideoCodec));

export const SessionStateName = {
  Placing: 'placing',
  Starting: 'starting',
  Streaming: 'streaming',
  Ended: 'ended',
} as const;
export type SessionStateName = (typeof SessionStateName)[keyof typeof SessionStateName];

export const VideoParams = v.object({
  width: v.pipe(Uint, v.minValue(16), v.maxValue(7680)),
  height: v.pipe(Uint, v.minValue(16), v.maxValue(4320)),
  fps: v.pipe(Uint, v.minValue(1), v.maxValue(240)),
});

export const EncoderInfo = v.object({
  codec: VideoCodecSchema,
  /** ffmpeg encoder name, e.g. h264_nvenc or libx264. */
  name: v.pipe(v.string(), v.regex(/^[a-z0-9_]{1,32}$/)),
  hardware: v.boolean(),
});

export const GpuInfo = v.object({
  vendor: v.pipe(v.string(), v.maxLength(64)),
  model: v.pipe(v.string(), v.maxLength(128)),
  memoryMiB: v.optional(Uint),
});

export type EncoderInfo = v.InferOutput<typeof EncoderInfo>;
export type GpuInfo = v.InferOutput<typeof GpuInfo>;
export type VideoParams = v.InferOutput<typeof VideoParams>;
