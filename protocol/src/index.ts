export { type ErrorCode, ErrorCodes, errorCodeList, isErrorCode } from './errors/errorCodes.js';
export { FramewayError, isFramewayError } from './errors/FramewayError.js';
export { type EventMap, TypedEmitter } from './events/TypedEmitter.js';
export {
  AGENT_FRAME_HEADER_BYTES,
  AgentFrameKind,
  decodeAgentFrame,
  encodeAgentInputFrame,
} from './input/agentInputFrame.js';
export {
  clampInt16,
  decodeInputEvents,
  encodedEventSize,
  encodeInputEvents,
  GamepadButton,
  type InputEvent,
  InputEventType,
  isReliableInputEvent,
  MAX_EVENTS_PER_MESSAGE,
  MAX_GAMEPADS,
  MAX_INPUT_MESSAGE_BYTES,
  MAX_TEXT_BYTES,
  MAX_TOUCH_POINTS,
  Modifier,
  NavKey,
  Orientation,
  PointerButton,
  toNormalizedCoordinate,
} from './input/inputCodec.js';
export { CodeByHidUsage, HidUsageByCode, hidUsageFromCode } from './input/keyCodes.js';
export {
  DEMO_AGENT_SECRET,
  DefaultVideo,
  encodePlayoutDelay,
  H264_FMTP,
  InputChannelLabel,
  PLAYOUT_DELAY_EXTENSION_URI,
  SRTP_PROFILE,
  VIDEO_CLOCK_RATE,
} from './media/mediaConstants.js';
export {
  decodeSrtpKeying,
  encodeSrtpKeying,
  SRTP_MASTER_KEY_BYTES,
  SRTP_MASTER_SALT_BYTES,
  type SrtpMasterKey,
} from './media/srtpKeying.js';
export { type FitCoordinateOptions, fitCoordinate, type RttObservation } from './placement/fitCoordinate.js';
export {
  type MeasureProbesOptions,
  measureProbes,
  PROBE_MAX_MESSAGE_BYTES,
  PROBE_MAX_MESSAGES_PER_SOCKET,
  PROBE_PATH,
  type ProbeSocket,
  summarizeRtt,
} from './placement/measureProbes.js';
export {
  type Coordinate,
  coordinateDistance,
  coordinateStride,
  DEFAULT_VIVALDI_PARAMS,
  originCoordinate,
  readCoordinate,
  type VivaldiParams,
  vivaldiUpdate,
  writeCoordinate,
} from './placement/vivaldiUpdate.js';
export {
  type AnyMessage,
  decodeMessage,
  type Envelope,
  encodeMessage,
  MAX_SIGNALING_MESSAGE_BYTES,
} from './signaling/envelope.js';
export type { EncoderControls, SrtpKeying } from './signaling/features/agent.js';
export {
  type AgentIdentity,
  agentChallengeMessage,
  type NodeLocation,
} from './signaling/features/fleet.js';
export {
  FailoverReason,
  type LinkStats,
  MAX_PROBE_TARGETS,
  type ProbeResult,
  type ProbeTarget,
} from './signaling/features/placement.js';
export {
  AgentToGateway,
  GatewayToAgent,
  GatewayToPlayer,
  isMessageType,
  isReplyType,
  MessageType,
  type MessageTypeName,
  messageTypeName,
  PlayerToGateway,
  type ReplyType,
  ReplyTypeOf,
  type RequestType,
} from './signaling/messageTypes.js';
export {
  type EncoderInfo,
  type EncoderTarget,
  type GpuInfo,
  type IceServer,
  type PayloadOf,
  payloadSchemas,
  RuntimeKind,
  SessionEndReason,
  SessionStateName,
  type StreamQuality,
  VideoCodec,
  type VideoParams,
} from './signaling/payloads.js';
export { type ReplyPayloadOf, SignalingChannel, type SignalingChannelOptions } from './signaling/SignalingChannel.js';
