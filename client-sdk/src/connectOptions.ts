import type { FramewayError } from '@frameway/protocol';
import type { InputControllerOptions } from './input/InputController.js';
import { consoleLogger, type Logger } from './log/Logger.js';
import { DEFAULT_VIDEO_CODECS, type VideoCodecName } from './media/orderVideoCodecs.js';
import type { QualityThresholds } from './media/QualityMonitor.js';
import { signalingUrlFor } from './signaling/signalingUrl.js';
import type { WebSocketFactory } from './signaling/WebSocketLike.js';

/** The player's place in the gateway's placement queue. */
export interface QueueInfo {
  /** 1 = next to be placed. */
  position: number;
  queueLength: number;
  waitedMs: number;
  /** Placement fails after this much more waiting. */
  remainingMs: number;
}

export interface ConnectOptions {
  /** The gateway's base URL, e.g. `https://eu1.frameway.example`. */
  gatewayUrl: string;
  /** The player token the studio's backend got for this session. */
  token: string;
  /**
   * Called while `connect()` is still pending when the player waits in the
   * gateway's placement queue (every node within its latency budget is full);
   * the session's `queued` event carries the same later on.
   */
  onQueued?: (info: QueueInfo) => void;
  /** The player socket URL; default: gatewayUrl with ws(s) and `/ws/player`. */
  signalingUrl?: string;
  /**
   * Play on the nearest free node even when it is over the title's latency
   * budget. Default false: such a join fails with FW_ERR_NO_NODE_IN_BUDGET,
   * whose `details.best` names that node and its RTT, so the page can ask the
   * player and connect again with this set.
   */
  acceptOverBudget?: boolean;
  /** Lock the pointer on a click of the video and send relative motion. Default false. */
  pointerLock?: boolean;
  /** `KeyboardEvent.code`s the page keeps for itself (not sent to the game). Default none. */
  ignoredKeyCodes?: readonly string[];
  /** Period of the `stats` event; 0 turns it off. Default 1000. */
  statsIntervalMs?: number;
  /** Socket open plus join. Default 10 000. */
  connectTimeoutMs?: number;
  /** Offer to answer; the gateway may answer only once the node is ready. Default 60 000. */
  negotiationTimeoutMs?: number;
  /** Answer to a connected peer connection. Default 20 000. */
  mediaTimeoutMs?: number;
  /**
   * How long a `disconnected` peer connection may take to recover on its own
   * before the SDK renegotiates (or, with `reconnect: false`, ends). Default 2 000.
   */
  disconnectGraceMs?: number;
  /**
   * Resume the session automatically when the signaling socket or the media
   * connection drops (network blip, node failover): rejoin with the same token,
   * renegotiate, emit `reconnecting` / `resumed`. Default true.
   */
  reconnect?: boolean;
  /** How long one outage may last before the session ends as `connection_lost`. Default 15 000. */
  reconnectTimeoutMs?: number;
  /**
   * Frozen video with no media bytes arriving for this long counts as a dead
   * media path (ICE itself notices only after several seconds): the SDK
   * renegotiates. 0 turns it off. Default 2 000.
   */
  mediaStallMs?: number;
  /**
   * Playout tuned for the lowest delay: zero jitter-buffer target, the
   * playout-delay extension offered, audio in its own sync group. Default true;
   * false leaves the browser's smoothing on (comparisons, passive viewers).
   */
  lowLatency?: boolean;
  /** Video codecs in order of preference. Default H264 (constrained baseline first), AV1, VP9, VP8. */
  videoCodecs?: readonly VideoCodecName[];
  /** Fingers as touch events (default) or the first finger as the mouse. */
  touch?: 'touch' | 'mouse';
  /** Read physical gamepads while input is captured. Default true. */
  gamepads?: boolean;
  /** Send the clipboard with the paste shortcut. Default true. */
  clipboard?: boolean;
  /** Where `qualityWarning` fires. Defaults in DEFAULT_QUALITY_THRESHOLDS. */
  qualityThresholds?: Partial<QualityThresholds>;
  logger?: Logger;
  /** Platform seams, for tests and non-browser runtimes. */
  createWebSocket?: WebSocketFactory;
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  keyboardTarget?: EventTarget;
  requestFrame?: InputControllerOptions['requestFrame'];
  getGamepads?: InputControllerOptions['getGamepads'];
}

type Seams =
  | 'onQueued'
  | 'createWebSocket'
  | 'createPeerConnection'
  | 'createMediaStream'
  | 'keyboardTarget'
  | 'requestFrame'
  | 'getGamepads';

export type ResolvedConnectOptions = Required<Omit<ConnectOptions, Seams>> & Pick<ConnectOptions, Seams>;

const defaults = {
  acceptOverBudget: false,
  pointerLock: false,
  ignoredKeyCodes: [] as readonly string[],
  statsIntervalMs: 1000,
  connectTimeoutMs: 10_000,
  negotiationTimeoutMs: 60_000,
  mediaTimeoutMs: 20_000,
  disconnectGraceMs: 2_000,
  reconnect: true,
  reconnectTimeoutMs: 15_000,
  mediaStallMs: 2_000,
  lowLatency: true,
  videoCodecs: DEFAULT_VIDEO_CODECS,
  touch: 'touch' as 'touch' | 'mouse',
  gamepads: true,
  clipboard: true,
  qualityThresholds: {} as Partial<QualityThresholds>,
};

const knownKeys = new Set<string>([
  'gatewayUrl',
  'token',
  'signalingUrl',
  ...Object.keys(defaults),
  'logger',
  'onQueued',
  'createWebSocket',
  'createPeerConnection',
  'createMediaStream',
  'keyboardTarget',
  'requestFrame',
  'getGamepads',
]);

/** Applies defaults and checks the options once; a typo in a key is an error, not a silent default. */
export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const unknown = Object.keys(options).filter((key) => !knownKeys.has(key));
  if (unknown.length > 0) throw new TypeError(`unknown connect option(s): ${unknown.join(', ')}`);
  if (typeof options.token !== 'string' || options.token.length === 0) {
    throw new TypeError('connect needs a non-empty token');
  }
  const resolved: ResolvedConnectOptions = {
    ...defaults,
    logger: consoleLogger(),
    ...withoutUndefined(options),
    signalingUrl: signalingUrlFor(options.gatewayUrl, options.signalingUrl),
  };
  for (const key of [
    'connectTimeoutMs',
    'negotiationTimeoutMs',
    'mediaTimeoutMs',
    'disconnectGraceMs',
    'reconnectTimeoutMs',
  ] as const) {
    if (!(resolved[key] > 0)) throw new TypeError(`${key} must be a positive number of milliseconds`);
  }
  if (resolved.touch !== 'touch' && resolved.touch !== 'mouse') throw new TypeError("touch must be 'touch' or 'mouse'");
  const unknownCodecs = resolved.videoCodecs.filter((codec) => !DEFAULT_VIDEO_CODECS.includes(codec));
  if (unknownCodecs.length > 0) {
    throw new TypeError(
      `unknown video codec(s): ${unknownCodecs.join(', ')} (known: ${DEFAULT_VIDEO_CODECS.join(', ')})`,
    );
  }
  if (!(resolved.statsIntervalMs >= 0)) throw new TypeError('statsIntervalMs must be 0 (off) or positive');
  if (!(resolved.mediaStallMs >= 0)) throw new TypeError('mediaStallMs must be 0 (off) or positive');
  return resolved;
}

/** The InputController settings a session's options imply. */
export function inputControllerOptions(
  options: ResolvedConnectOptions,
  onError: (error: FramewayError) => void,
): InputControllerOptions {
  return {
    pointerLock: options.pointerLock,
    ignoredCodes: options.ignoredKeyCodes,
    touch: options.touch,
    gamepads: options.gamepads,
    clipboard: options.clipboard,
    onError,
    ...(options.keyboardTarget ? { keyboardTarget: options.keyboardTarget } : {}),
    ...(options.requestFrame ? { requestFrame: options.requestFrame } : {}),
    ...(options.getGamepads ? { getGamepads: options.getGamepads } : {}),
  };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
