import type { InputControllerOptions } from './input/InputController.js';
import { consoleLogger, type Logger } from './log/Logger.js';
import { signalingUrlFor } from './signaling/signalingUrl.js';
import type { WebSocketFactory } from './signaling/WebSocketLike.js';

export interface ConnectOptions {
  /** The gateway's base URL, e.g. `https://eu1.frameway.example`. */
  gatewayUrl: string;
  /** The player token the studio's backend got for this session. */
  token: string;
  /** The player socket URL; default: gatewayUrl with ws(s) and `/ws/player`. */
  signalingUrl?: string;
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
  /** How long a `disconnected` peer connection may take to recover. Default 5 000. */
  disconnectGraceMs?: number;
  logger?: Logger;
  /** Platform seams, for tests and non-browser runtimes. */
  createWebSocket?: WebSocketFactory;
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  keyboardTarget?: EventTarget;
  requestFrame?: InputControllerOptions['requestFrame'];
}

type Seams = 'createWebSocket' | 'createPeerConnection' | 'createMediaStream' | 'keyboardTarget' | 'requestFrame';

export type ResolvedConnectOptions = Required<Omit<ConnectOptions, Seams>> & Pick<ConnectOptions, Seams>;

const defaults = {
  pointerLock: false,
  ignoredKeyCodes: [] as readonly string[],
  statsIntervalMs: 1000,
  connectTimeoutMs: 10_000,
  negotiationTimeoutMs: 60_000,
  mediaTimeoutMs: 20_000,
  disconnectGraceMs: 5_000,
};

const knownKeys = new Set<string>([
  'gatewayUrl',
  'token',
  'signalingUrl',
  ...Object.keys(defaults),
  'logger',
  'createWebSocket',
  'createPeerConnection',
  'createMediaStream',
  'keyboardTarget',
  'requestFrame',
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
  for (const key of ['connectTimeoutMs', 'negotiationTimeoutMs', 'mediaTimeoutMs', 'disconnectGraceMs'] as const) {
    if (!(resolved[key] > 0)) throw new TypeError(`${key} must be a positive number of milliseconds`);
  }
  if (!(resolved.statsIntervalMs >= 0)) throw new TypeError('statsIntervalMs must be 0 (off) or positive');
  return resolved;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
