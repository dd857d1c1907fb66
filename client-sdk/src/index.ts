// Re-exported so a page needs one import for error handling and state names.
export {
  type ErrorCode,
  FramewayError,
  isFramewayError,
  SessionEndReason,
  SessionStateName,
} from '@frameway/protocol';
export { connect } from './connect.js';
export { type ConnectOptions, type QueueInfo, resolveConnectOptions } from './connectOptions.js';
export {
  DEMO_SESSION_PATH,
  type DemoSession,
  type RequestDemoSessionOptions,
  requestDemoSession,
} from './demo/requestDemoSession.js';
export {
  type AttachOptions,
  type FailoverInfo,
  FramewaySession,
  type FramewaySessionEvents,
  type ReconnectingInfo,
  type ResumedInfo,
  type SessionState,
  type StreamQualityInfo,
} from './FramewaySession.js';
export { GamepadPoller, type GamepadPollerEvents, type PadInfo } from './input/GamepadPoller.js';
export { type DataChannelLike, InputChannels, type InputSink } from './input/InputChannels.js';
export {
  InputController,
  type InputControllerOptions,
  type InputTarget,
  isPasteShortcut,
} from './input/InputController.js';
export { keyboardEventToInput, modifierBits } from './input/keyboardEventToInput.js';
export {
  mapClientToVideo,
  type ObjectFit,
  type ObjectPosition,
  type Rect,
  type Size,
  type VideoGeometry,
  type VideoPoint,
  videoContentRect,
} from './input/mapClientToVideo.js';
export { type GamepadLike, type GamepadSnapshot, mapStandardGamepad } from './input/mapStandardGamepad.js';
export { type TextFieldLike, TextInputBridge, type TextSink } from './input/TextInputBridge.js';
export { VirtualGamepad, type VirtualGamepadOptions, type VirtualGamepadSink } from './input/VirtualGamepad.js';
export { wheelEventToInput } from './input/wheelEventToInput.js';
export { consoleLogger, type Logger, silentLogger } from './log/Logger.js';
export { deriveStats, type SessionStats, type StatsEntry, type StatsSample } from './media/deriveStats.js';
export type { FrameTiming } from './media/FrameMonitor.js';
export { DEFAULT_VIDEO_CODECS, orderVideoCodecs, type VideoCodecName } from './media/orderVideoCodecs.js';
export {
  DEFAULT_QUALITY_THRESHOLDS,
  type QualityLevel,
  type QualityThresholds,
  type QualityWarning,
  type QualityWarningKind,
} from './media/QualityMonitor.js';
export type { SessionEndInfo } from './SessionEndInfo.js';
export { PLAYER_SOCKET_PATH, signalingUrlFor } from './signaling/signalingUrl.js';
export type { WebSocketFactory, WebSocketLike } from './signaling/WebSocketLike.js';
export { SDK_VERSION } from './version.js';
