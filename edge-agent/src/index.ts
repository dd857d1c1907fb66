export { ConfigError } from './ConfigError.js';
export { type AgentConfig, type AgentConfigInput, DEFAULT_GATEWAY_URL, loadConfig } from './config.js';
export { EdgeAgent, type EdgeAgentEvents, type EdgeAgentOptions } from './EdgeAgent.js';
export {
  buildCodecArgs,
  buildEncoderArgs,
  type EncoderArgsInput,
  type EncoderVideo,
  RTP_PACKET_SIZE,
  type RtpTarget,
  yuv420pFrameBytes,
} from './encoder/buildEncoderArgs.js';
export { ENCODER_CATALOG, type EncoderName, encoderInfo, isEncoderName } from './encoder/encoderCatalog.js';
export {
  type NodeCapabilities,
  type ProbeEncodersOptions,
  parseNvidiaSmiGpus,
  probeEncoders,
} from './encoder/probeEncoders.js';
export type {
  EncodedAccessUnit,
  EncoderTargetSettings,
  SessionVideoEncoder,
  SessionVideoEncoderEvents,
  VideoEncoderStats,
} from './encoder/SessionVideoEncoder.js';
export { VideoEncoder, type VideoEncoderOptions } from './encoder/VideoEncoder.js';
export { type ResolvedFfmpeg, type ResolveFfmpegOptions, resolveFfmpeg } from './ffmpeg/resolveFfmpeg.js';
export { createLogger } from './logging/logger.js';
export { AndroidRuntime, type AndroidRuntimeOptions } from './runtime/android/AndroidRuntime.js';
export {
  createRuntime,
  createRuntimeFactory,
  implementedRuntimes,
  type RuntimeContext,
  type RuntimeFactory,
} from './runtime/createRuntime.js';
export { buildContainerSpec, type ContainerSpecInput } from './runtime/docker/buildContainerSpec.js';
export { DockerRuntime, type DockerRuntimeOptions } from './runtime/docker/DockerRuntime.js';
export { FrameClock, type FrameClockOptions } from './runtime/FrameClock.js';
export type {
  AudioCapture,
  EncodedVideoSink,
  FrameSink,
  RuntimeCapture,
  RuntimeLimits,
  RuntimeState,
  RuntimeVideo,
  SessionRuntime,
  SessionRuntimeEvents,
  VideoCapture,
  VideoSink,
} from './runtime/SessionRuntime.js';
export { type Rgb, rgbToYuv601Limited, type Yuv } from './runtime/scene/colour.js';
export { MARKER_PALETTE, MARKER_SIZE } from './runtime/scene/markerPalette.js';
export { SceneRenderer } from './runtime/scene/SceneRenderer.js';
export { SceneRuntime, type SceneRuntimeOptions, type SceneRuntimeStats } from './runtime/scene/SceneRuntime.js';
export { SceneState } from './runtime/scene/SceneState.js';
export { X11Runtime, type X11RuntimeOptions } from './runtime/x11/X11Runtime.js';
export { AgentSession, type SessionEnd, type SessionEndOrigin } from './session/AgentSession.js';
export { AGENT_VERSION } from './version.js';
