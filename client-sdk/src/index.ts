// Re-exported so a page needs one import for error handling and state names.
export {
  type ErrorCode,
  FramewayError,
  isFramewayError,
  SessionEndReason,
  SessionStateName,
} from '@frameway/protocol';
export { connect } from './connect.js';
export { type ConnectOptions, resolveConnectOptions } from './connectOptions.js';
export {
  DEMO_SESSION_PATH,
  type DemoSession,
  type RequestDemoSessionOptions,
  requestDemoSession,
} from './demo/requestDemoSession.js';
export {
  type AttachOptions,
  FramewaySession,
  type FramewaySessionEvents,
  type SessionState,
} from './FramewaySession.js';
export { type DataChannelLike, InputChannels, type InputSink } from './input/InputChannels.js';
export { InputController, type InputControllerOptions, type InputTarget } from './input/InputController.js';
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
export { wheelEventToInput } from './input/wheelEventToInput.js';
export { consoleLogger, type Logger, silentLogger } from './log/Logger.js';
export { deriveStats, type SessionStats, type StatsEntry, type StatsSample } from './media/deriveStats.js';
export type { SessionEndInfo } from './SessionEndInfo.js';
export { PLAYER_SOCKET_PATH, signalingUrlFor } from './signaling/signalingUrl.js';
export type { WebSocketFactory, WebSocketLike } from './signaling/WebSocketLike.js';
export { SDK_VERSION } from './version.js';
