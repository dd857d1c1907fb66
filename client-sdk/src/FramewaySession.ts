import {
  type ErrorCode,
  FramewayError,
  type IceServer,
  isErrorCode,
  SessionEndReason,
  SessionStateName,
  TypedEmitter,
  type VideoParams,
} from '@frameway/protocol';
import { type ConnectOptions, type ResolvedConnectOptions, resolveConnectOptions } from './connectOptions.js';
import { InputController, type InputTarget } from './input/InputController.js';
import type { SessionStats, StatsEntry } from './media/deriveStats.js';
import { type IceCandidateMessage, MediaConnection } from './media/MediaConnection.js';
import { StatsMonitor } from './media/StatsMonitor.js';
import type { SessionEndInfo } from './SessionEndInfo.js';
import { exchangeOffer, joinSession, leaveSession, sendIceCandidate } from './signaling/gatewayApi.js';
import { handleGatewayMessage } from './signaling/gatewayHandlers.js';
import { SignalingSocket, type SocketClosedInfo } from './signaling/SignalingSocket.js';
import { SDK_VERSION } from './version.js';

export type FramewaySessionEvents = {
  /** The gateway's view of the session moved on: placing, starting, streaming, ended. */
  state: [state: SessionStateName];
  /** The peer connection is up: media and input can flow. Emitted once. */
  connected: [];
  /** The session is over; every resource is released. Emitted once. */
  ended: [info: SessionEndInfo];
  /** A periodic stats sample (`statsIntervalMs`). */
  stats: [stats: SessionStats];
  /** Something went wrong that did not end the session (a rejected message, a bad candidate). */
  error: [error: FramewayError];
};

/** The session's state: `connecting` until the gateway first reports one. */
export type SessionState = SessionStateName | 'connecting';

/** Settings of `attach()`. */
export interface AttachOptions {
  /** Start capturing keyboard, pointer and wheel input on this element. Default true. */
  captureInput?: boolean;
}

/**
 * One cloud-gaming session as the player sees it: signaling, the WebRTC
 * connection, input and stats. Usually made by `connect()`; constructing it
 * directly starts the same work, and `ready` settles once the gateway has
 * accepted the player. The session always ends with exactly one `ended`
 * event, whatever fails first.
 */
export class FramewaySession extends TypedEmitter<FramewaySessionEvents> {
  /** Keyboard, pointer and wheel capture; `send()` injects events directly. */
  readonly input: InputController;
  /** Resolves with this session once the gateway accepted the player; rejects with the reason it did not. */
  readonly ready: Promise<FramewaySession>;
  readonly #options: ResolvedConnectOptions;
  readonly #socket: SignalingSocket;
  readonly #stats: StatsMonitor;
  readonly #localCandidates: IceCandidateMessage[] = [];
  #media: MediaConnection | undefined;
  #sessionId = '';
  #video: VideoParams | undefined;
  #element: HTMLVideoElement | undefined;
  #captureOnAttach = true;
  #state: SessionState = 'connecting';
  #connected = false;
  #answered = false;
  #endInfo: SessionEndInfo | undefined;
  #mediaTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConnectOptions) {
    super((error, event) => this.#options.logger.error(`a '${String(event)}' listener threw`, error));
    this.#options = resolveConnectOptions(options);
    const inputOptions = {
      pointerLock: this.#options.pointerLock,
      ignoredCodes: this.#options.ignoredKeyCodes,
      ...(this.#options.keyboardTarget ? { keyboardTarget: this.#options.keyboardTarget } : {}),
      ...(this.#options.requestFrame ? { requestFrame: this.#options.requestFrame } : {}),
    };
    this.input = new InputController(
      { send: (bytes, reliable) => this.#media?.input.send(bytes, reliable) },
      inputOptions,
    );
    this.#stats = new StatsMonitor({
      read: async () => (await this.#requireMedia().getStats()).values() as Iterable<StatsEntry>,
      onStats: (stats) => this.emit('stats', stats),
      onError: (error) => this.#options.logger.debug('stats sample failed', error),
      intervalMs: this.#options.statsIntervalMs,
    });
    this.#socket = new SignalingSocket({
      url: this.#options.signalingUrl,
      openTimeoutMs: this.#options.connectTimeoutMs,
      ...(this.#options.createWebSocket ? { createWebSocket: this.#options.createWebSocket } : {}),
    });
    this.#socket.on('message', (message) =>
      handleGatewayMessage(message, this.#socket, {
        sessionState: (payload) => this.#setState(payload.state),
        sessionEnded: (payload) =>
          this.#end({
            reason: payload.reason,
            ...(payload.code === undefined ? {} : { code: payload.code }),
            ...(payload.message === undefined ? {} : { message: payload.message }),
          }),
        iceCandidate: (payload) => this.#addRemoteCandidate(payload),
        error: (error) => this.#reportError(error),
      }),
    );
    this.#socket.on('protocolError', (error) => this.#reportError(error));
    this.#socket.on('closed', (info) => this.#onSocketClosed(info));
    this.ready = this.#start();
    // `connect()` hands `ready` to the caller; a session made directly may leave it unobserved.
    this.ready.catch(() => undefined);
  }

  /** The session id from the gateway; empty until joined. */
  get sessionId(): string {
    return this.#sessionId;
  }

  /** The stream shape announced by the gateway, once joined. */
  get video(): VideoParams | undefined {
    return this.#video;
  }

  get state(): SessionState {
    return this.#state;
  }

  /** True once the peer connection has connected (it stays true through a brief disconnection). */
  get connected(): boolean {
    return this.#connected;
  }

  /** Why the session ended; undefined while it runs. */
  get endInfo(): SessionEndInfo | undefined {
    return this.#endInfo;
  }

  /** The received media; undefined until joined. */
  get stream(): MediaStream | undefined {
    return this.#media?.stream;
  }

  /** The underlying peer connection, for diagnostics; undefined until joined. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#media?.peer;
  }

  /**
   * Plays the session in a `<video>`: muted (so autoplay is allowed; unmute
   * from a user gesture), inline, and, unless turned off, capturing input.
   */
  attach(element: HTMLVideoElement, options: AttachOptions = {}): void {
    if (this.#endInfo) return;
    this.#element = element;
    this.#captureOnAttach = options.captureInput ?? true;
    element.muted = true;
    element.playsInline = true;
    element.autoplay = true;
    if (this.#media) this.#play(element, this.#media);
  }

  /** Stats now; the periodic `stats` event carries the same shape. After the end, the last sample. */
  async getStats(): Promise<SessionStats> {
    if (this.#endInfo) {
      const latest = this.#stats.latest;
      if (latest) return latest;
      throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session has ended');
    }
    return this.#stats.sample();
  }

  /** Leaves the session: tells the gateway, closes media and socket, emits `ended`. Idempotent. */
  close(): void {
    this.#end({ reason: SessionEndReason.PlayerLeft });
  }

  async #start(): Promise<FramewaySession> {
    const startedAt = Date.now();
    try {
      await this.#socket.opened;
      const remaining = Math.max(1000, this.#options.connectTimeoutMs - (Date.now() - startedAt));
      const joined = await joinSession(this.#socket, this.#options.token, SDK_VERSION, remaining);
      if (this.#endInfo) throw endedError(this.#endInfo);
      this.#sessionId = joined.sessionId;
      this.#video = joined.video;
      this.#options.logger.info(`joined session ${joined.sessionId}`);
      this.#media = this.#createMedia(joined.iceServers);
      if (this.#element) this.#play(this.#element, this.#media);
      void this.#negotiate(this.#media);
      return this;
    } catch (error) {
      if (this.#endInfo) throw endedError(this.#endInfo);
      const fwError = toFramewayError(error, 'FW_ERR_CONNECTION_CLOSED');
      this.#end({ reason: SessionEndReason.StartFailed, code: fwError.code, message: fwError.message });
      throw fwError;
    }
  }

  #createMedia(iceServers: readonly IceServer[]): MediaConnection {
    const media = new MediaConnection({
      iceServers,
      ...(this.#options.createPeerConnection ? { createPeerConnection: this.#options.createPeerConnection } : {}),
      ...(this.#options.createMediaStream ? { createMediaStream: this.#options.createMediaStream } : {}),
    });
    media.on('localCandidate', (candidate) => {
      // Held until the answer is in: the gateway has no transport for this player before it answers.
      if (this.#answered) sendIceCandidate(this.#socket, candidate);
      else this.#localCandidates.push(candidate);
    });
    media.on('connectionState', (state) => this.#onConnectionState(state));
    return media;
  }

  async #negotiate(media: MediaConnection): Promise<void> {
    try {
      const offer = await media.createOffer();
      const answer = await exchangeOffer(this.#socket, offer, this.#options.negotiationTimeoutMs);
      if (this.#endInfo) return;
      await media.applyAnswer(answer);
      this.#answered = true;
      for (const candidate of this.#localCandidates.splice(0)) sendIceCandidate(this.#socket, candidate);
      if (!this.#connected) {
        this.#mediaTimer = setTimeout(
          () =>
            this.#end({
              reason: SessionEndReason.MediaFailed,
              code: 'FW_ERR_TIMEOUT',
              message: `the media connection did not come up within ${this.#options.mediaTimeoutMs} ms`,
            }),
          this.#options.mediaTimeoutMs,
        );
      }
    } catch (error) {
      if (this.#endInfo) return;
      const fwError = toFramewayError(error, 'FW_ERR_MEDIA_NEGOTIATION_FAILED');
      this.#end({ reason: SessionEndReason.MediaFailed, code: fwError.code, message: fwError.message });
    }
  }

  #addRemoteCandidate(candidate: IceCandidateMessage): void {
    this.#media?.addRemoteCandidate(candidate).catch((error: unknown) => {
      if (this.#endInfo) return;
      const message = `remote ICE candidate rejected: ${error instanceof Error ? error.message : String(error)}`;
      this.#reportError(new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', message, undefined, { cause: error }));
    });
  }

  #onConnectionState(state: RTCPeerConnectionState): void {
    if (this.#endInfo) return;
    this.#options.logger.debug(`peer connection ${state}`);
    if (state === 'connected') {
      clearTimeout(this.#mediaTimer);
      clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
      if (this.#connected) return;
      this.#connected = true;
      this.#stats.start();
      this.#options.logger.info(`media connected for session ${this.#sessionId}`);
      this.emit('connected');
    } else if (state === 'disconnected') {
      // ICE often recovers from a short outage on its own; give it a moment before giving up.
      this.#graceTimer ??= setTimeout(
        () =>
          this.#end({
            reason: SessionEndReason.MediaFailed,
            code: 'FW_ERR_CONNECTION_CLOSED',
            message: `the media connection was lost for more than ${this.#options.disconnectGraceMs} ms`,
          }),
        this.#options.disconnectGraceMs,
      );
    } else if (state === 'failed' || state === 'closed') {
      this.#end({
        reason: SessionEndReason.MediaFailed,
        code: 'FW_ERR_CONNECTION_CLOSED',
        message: `the media connection ${state === 'failed' ? 'failed (ICE or DTLS)' : 'was closed'}`,
      });
    }
  }

  #onSocketClosed(info: SocketClosedInfo): void {
    if (info.local || this.#endInfo) return;
    this.#end({
      reason: SessionEndReason.ConnectionLost,
      code: 'FW_ERR_CONNECTION_CLOSED',
      message: `the signaling connection closed without the session ending (code ${info.code}${info.reason ? `: ${info.reason}` : ''})`,
    });
  }

  #setState(state: SessionStateName): void {
    if (this.#endInfo || state === this.#state) return;
    this.#state = state;
    this.#options.logger.info(`session ${this.#sessionId || '(joining)'} ${state}`);
    this.emit('state', state);
  }

  #play(element: HTMLVideoElement, media: MediaConnection): void {
    if (element.srcObject !== media.stream) element.srcObject = media.stream;
    element.play()?.catch((error: unknown) => this.#options.logger.warn('video playback did not start', error));
    if (this.#captureOnAttach) this.input.capture(element as InputTarget);
  }

  #requireMedia(): MediaConnection {
    if (!this.#media) throw new FramewayError('FW_ERR_INVALID_STATE', 'the session has not joined yet');
    return this.#media;
  }

  #reportError(error: FramewayError): void {
    if (this.listenerCount('error') === 0) this.#options.logger.warn(error.message, error.code);
    else this.emit('error', error);
  }

  #end(info: SessionEndInfo): void {
    if (this.#endInfo) return;
    this.#endInfo = info;
    clearTimeout(this.#mediaTimer);
    clearTimeout(this.#graceTimer);
    this.#stats.close();
    this.input.close();
    if (info.reason === SessionEndReason.PlayerLeft) leaveSession(this.#socket);
    this.#socket.close(1000, 'session ended');
    this.#media?.close();
    const level = info.code ? 'warn' : 'info';
    this.#options.logger[level](
      `session ${this.#sessionId || '(not joined)'} ended: ${info.reason}${info.code ? ` ${info.code}` : ''}${info.message ? ` (${info.message})` : ''}`,
    );
    if (this.#state !== SessionStateName.Ended) {
      this.#state = SessionStateName.Ended;
      this.emit('state', SessionStateName.Ended);
    }
    this.emit('ended', info);
  }
}

function toFramewayError(error: unknown, fallback: ErrorCode): FramewayError {
  if (error instanceof FramewayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FramewayError(fallback, message, undefined, { cause: error });
}

function endedError(info: SessionEndInfo): FramewayError {
  const code = isErrorCode(info.code) ? info.code : 'FW_ERR_SESSION_ENDED';
  return new FramewayError(code, info.message ?? `the session ended: ${info.reason}`, { reason: info.reason });
}
