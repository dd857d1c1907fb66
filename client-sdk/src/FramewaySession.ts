import {
  decodeInputEvents,
  type ErrorCode,
  FramewayError,
  type IceServer,
  InputEventType,
  isErrorCode,
  SessionEndReason,
  SessionStateName,
  type StreamQuality,
  TypedEmitter,
  type VideoParams,
} from '@frameway/protocol';
import {
  type ConnectOptions,
  type QueueInfo,
  type ResolvedConnectOptions,
  resolveConnectOptions,
} from './connectOptions.js';
import { InputController, type InputTarget } from './input/InputController.js';
import type { SessionStats, StatsEntry } from './media/deriveStats.js';
import { FrameMonitor, type FrameSource, type FrameTiming } from './media/FrameMonitor.js';
import type { FreezeEvent } from './media/FreezeDetector.js';
import { type IceCandidateMessage, MediaConnection } from './media/MediaConnection.js';
import { type QualityLevel, QualityMonitor, type QualityWarning } from './media/QualityMonitor.js';
import { StatsMonitor } from './media/StatsMonitor.js';
import { ClientQos } from './qos/ClientQos.js';
import type { SessionEndInfo } from './SessionEndInfo.js';
import { exchangeOffer, joinSession, leaveSession, pingGateway, sendIceCandidate } from './signaling/gatewayApi.js';
import { handleGatewayMessage } from './signaling/gatewayHandlers.js';
import { SignalingSocket, type SocketClosedInfo } from './signaling/SignalingSocket.js';
import { SDK_VERSION } from './version.js';

/** What the gateway sends now (its StreamQuality message without the session id). */
export type StreamQualityInfo = Omit<StreamQuality, 'sessionId'>;

/** An outage began, or another attempt to end it starts. */
export interface ReconnectingInfo {
  /** 1 for the first attempt of this outage. */
  attempt: number;
  /** What dropped, in words. */
  reason: string;
  /** FW_ERR_CONNECTION_CLOSED for the drop itself; the last attempt's code on later attempts. */
  code: ErrorCode;
}

/** The gateway moved the session from one node to another. */
export interface FailoverInfo {
  fromNodeId: string;
  toNodeId: string;
  /** `node_lost` or `degraded`. */
  reason: string;
  message?: string;
}

/** The session is back: media flows again on a new peer connection. */
export interface ResumedInfo {
  attempts: number;
  /** From the drop to the new peer connection being up. */
  downtimeMs: number;
}

export type FramewaySessionEvents = {
  /** The gateway's view of the session moved on: placing, starting, streaming, ended. */
  state: [state: SessionStateName];
  /** The peer connection is up: media and input can flow. Emitted once. */
  connected: [];
  /** The connection dropped and the SDK is resuming the session (once per attempt). */
  reconnecting: [info: ReconnectingInfo];
  /** The session resumed after `reconnecting`. */
  resumed: [info: ResumedInfo];
  /** The session is over; every resource is released. Emitted once. */
  ended: [info: SessionEndInfo];
  /** A periodic stats sample (`statsIntervalMs`). */
  stats: [stats: SessionStats];
  /**
   * The gateway moves the session to another node (the old one died or
   * degraded): the connection stays, the picture freezes until the new node
   * streams, and `state` goes `starting` → `streaming` again.
   */
  failover: [info: FailoverInfo];
  /** Waiting in the gateway's placement queue (every node within budget is full); also `onQueued` in connect(). */
  queued: [info: QueueInfo];
  /** The gateway changed what it sends: target bitrate, picture size or rate (congestion control). */
  streamQuality: [quality: StreamQualityInfo];
  /** A quality problem started (`active`) or cleared: freeze, latency, RTT, loss, frame rate. */
  qualityWarning: [warning: QualityWarning];
  /** Every presented frame with its latency estimate (only computed for listeners of the attached `<video>`). */
  frame: [frame: FrameTiming];
  /** Something went wrong that did not end the session (a rejected message, a bad candidate). */
  error: [error: FramewayError];
};

/** The session's state: `connecting` until the gateway first reports one. */
export type SessionState = SessionStateName | 'connecting';

/** Settings of `attach()`. */
export interface AttachOptions {
  /** Start capturing keyboard, pointer, touch, wheel and gamepad input on this element. Default true. */
  captureInput?: boolean;
}

/** Rejoin answers after which retrying cannot help. */
const FINAL_REJOIN_CODES: ReadonlySet<string> = new Set([
  'FW_ERR_SESSION_ENDED',
  'FW_ERR_SESSION_NOT_FOUND',
  'FW_ERR_UNAUTHORIZED',
  'FW_ERR_TOKEN_EXPIRED',
  'FW_ERR_FORBIDDEN',
]);
/** The gateway closes a player socket with this code when the same player joined from elsewhere. */
const REPLACED_CLOSE_CODE = 4000;
/** Key, button and pad edges kept during an outage, for the new connection. */
const MAX_HELD_INPUT_MESSAGES = 64;
/** One resume step (socket, join, offer, media) may take this long before the next attempt. */
const RESUME_STEP_TIMEOUT_MS = 5_000;
/** A live socket must answer a ping this fast to be kept through a media-only outage. */
const SOCKET_PROBE_TIMEOUT_MS = 1_000;
const RETRY_BACKOFF_MS = [0, 250, 500, 1000, 2000] as const;

interface Outage {
  /** The peer connection that was live when the outage began; input sent to it now is lost. */
  brokenMedia: MediaConnection | undefined;
  since: number;
  attempts: number;
  reason: string;
  lastError: FramewayError;
  /** The current socket is suspect: open a fresh one next attempt. */
  freshSocket: boolean;
}

/**
 * One cloud-gaming session as the player sees it: signaling, the WebRTC
 * connection, input and stats. Usually made by `connect()`; constructing it
 * directly starts the same work, and `ready` settles once the gateway has
 * accepted the player. When the socket or the media drops, the session
 * resumes by itself (`reconnecting`, `resumed`); it always ends with exactly
 * one `ended` event, whatever fails first.
 */
export class FramewaySession extends TypedEmitter<FramewaySessionEvents> {
  /** Keyboard, pointer, touch, wheel and gamepad capture; text, clipboard and phone keys; `send()` injects events. */
  readonly input: InputController;
  /** Resolves with this session once the gateway accepted the player; rejects with the reason it did not. */
  readonly ready: Promise<FramewaySession>;
  readonly #options: ResolvedConnectOptions;
  readonly #stats: StatsMonitor;
  #socket: SignalingSocket;
  #media: MediaConnection | undefined;
  #answered = false;
  #localCandidates: IceCandidateMessage[] = [];
  /** Reliable input sent while no usable peer connection exists (mid-resume); delivered to the next one. */
  readonly #heldInput: Uint8Array[] = [];
  #iceServers: readonly IceServer[] = [];
  #sessionId = '';
  #video: VideoParams | undefined;
  #element: HTMLVideoElement | undefined;
  #audio: HTMLAudioElement | undefined;
  #muted = true;
  #frames: FrameMonitor | undefined;
  #quality: QualityMonitor | undefined;
  #qos: ClientQos | undefined;
  #captureOnAttach = true;
  #state: SessionState = 'connecting';
  #connected = false;
  #outage: Outage | undefined;
  #reconnects = 0;
  #streamQuality: StreamQualityInfo | undefined;
  /** The first stats interval after a (re)connection covers its start-up (first keyframe, low fps): not judged. */
  #settling = true;
  #endInfo: SessionEndInfo | undefined;
  #mediaTimer: ReturnType<typeof setTimeout> | undefined;
  #graceTimer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: ConnectOptions) {
    super((error, event) => this.#options.logger.error(`a '${String(event)}' listener threw`, error));
    this.#options = resolveConnectOptions(options);
    const o = this.#options;
    this.input = new InputController(
      { send: (bytes, reliable) => this.#sendInput(bytes, reliable) },
      {
        pointerLock: o.pointerLock,
        ignoredCodes: o.ignoredKeyCodes,
        touch: o.touch,
        gamepads: o.gamepads,
        clipboard: o.clipboard,
        onError: (error) => this.#reportError(error),
        ...(o.keyboardTarget ? { keyboardTarget: o.keyboardTarget } : {}),
        ...(o.requestFrame ? { requestFrame: o.requestFrame } : {}),
        ...(o.getGamepads ? { getGamepads: o.getGamepads } : {}),
      },
    );
    this.#stats = new StatsMonitor({
      read: async () => (await this.#requireMedia().getStats()).values() as Iterable<StatsEntry>,
      augment: (stats) => this.#augmentStats(stats),
      onStats: (stats) => this.#onStats(stats),
      onError: (error) => o.logger.debug('stats sample failed', error),
      intervalMs: o.statsIntervalMs,
    });
    this.#socket = this.#openSocket();
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

  /** True once the peer connection has connected (it stays true through a brief disconnection or a resume). */
  get connected(): boolean {
    return this.#connected;
  }

  /** True while the session is resuming after a dropped connection. */
  get reconnecting(): boolean {
    return this.#outage !== undefined;
  }

  /** Why the session ended; undefined while it runs. */
  get endInfo(): SessionEndInfo | undefined {
    return this.#endInfo;
  }

  /** Video and audio as one stream (lip-synced); undefined until joined. Prefer `videoStream` for play. */
  get stream(): MediaStream | undefined {
    return this.#media?.stream;
  }

  /** The received video alone; what `attach()` plays. */
  get videoStream(): MediaStream | undefined {
    return this.#media?.videoStream;
  }

  /** The received audio alone; `attach()` plays it in an `<audio>` of its own. */
  get audioStream(): MediaStream | undefined {
    return this.#media?.audioStream;
  }

  /** The underlying peer connection, for diagnostics; undefined until joined and during a resume. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#media?.peer;
  }

  /** good / fair / poor from the active quality warnings; undefined until joined. */
  get quality(): QualityLevel | undefined {
    return this.#quality?.level;
  }

  /** The quality problems active now. */
  get qualityWarnings(): QualityWarning[] {
    return this.#quality?.active ?? [];
  }

  /** Sound is off until a user gesture turns it on (autoplay rules). */
  get muted(): boolean {
    return this.#muted;
  }

  /** Turns sound on or off; turning it on must happen in a user gesture (a click handler). */
  set muted(muted: boolean) {
    this.#muted = muted;
    const audible = this.#media?.lowLatency === false ? this.#element : this.#audio;
    if (!audible) return;
    audible.muted = muted;
    if (!muted) audible.play()?.catch((error: unknown) => this.#options.logger.warn('audio did not start', error));
  }

  /**
   * Plays the session in a `<video>`: muted video (so autoplay is allowed),
   * sound in an `<audio>` of its own, inline, and, unless turned off,
   * capturing input. Per-frame latency and freezes are watched on it.
   */
  attach(element: HTMLVideoElement, options: AttachOptions = {}): void {
    if (this.#endInfo) return;
    this.#element = element;
    this.#captureOnAttach = options.captureInput ?? true;
    element.muted = true;
    element.playsInline = true;
    element.autoplay = true;
    this.#frames?.close();
    this.#frames = new FrameMonitor({
      element: element as FrameSource,
      rttMs: () => this.#stats.latest?.rttMs,
      onFrame: (frame) => {
        if (this.listenerCount('frame') > 0) this.emit('frame', frame);
      },
      onFreeze: (event) => this.#onFreeze(event),
      isHidden: () => element.ownerDocument?.visibilityState === 'hidden',
    });
    if (this.#media) this.#play(element, this.#media);
  }

  /** Stats now; the periodic `stats` event carries the same shape. After the end (or mid-resume), the last sample. */
  async getStats(): Promise<SessionStats> {
    if (this.#endInfo || (!this.#media && this.#stats.latest)) {
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

  /** A player socket with every gateway message routed to this session; replaced on a reconnect. */
  #openSocket(): SignalingSocket {
    const socket = new SignalingSocket({
      url: this.#options.signalingUrl,
      openTimeoutMs: this.#options.connectTimeoutMs,
      ...(this.#options.createWebSocket ? { createWebSocket: this.#options.createWebSocket } : {}),
    });
    socket.on('message', (message) =>
      handleGatewayMessage(message, socket, {
        sessionState: (payload) => this.#setState(payload.state),
        sessionEnded: (payload) =>
          this.#end({
            reason: payload.reason,
            ...(payload.code === undefined ? {} : { code: payload.code }),
            ...(payload.message === undefined ? {} : { message: payload.message }),
          }),
        iceCandidate: (payload) => this.#addRemoteCandidate(payload),
        error: (error) => this.#reportError(error),
        sessionFailover: (payload) => this.#onFailover(payload),
        queuePosition: ({ sessionId: _, ...info }) => {
          this.#options.onQueued?.(info);
          this.emit('queued', info);
        },
        streamQuality: ({ sessionId: _, ...quality }) => {
          this.#streamQuality = quality;
          this.emit('streamQuality', quality);
        },
        linkStats: () => this.#stats.latest,
      }),
    );
    socket.on('message', (message) => this.#qos?.handleMessage(message));
    socket.on('protocolError', (error) => this.#reportError(error));
    socket.on('closed', (info) => this.#onSocketClosed(socket, info));
    return socket;
  }

  async #start(): Promise<FramewaySession> {
    const startedAt = Date.now();
    try {
      await this.#socket.opened;
      const remaining = Math.max(1000, this.#options.connectTimeoutMs - (Date.now() - startedAt));
      const joined = await joinSession(
        this.#socket,
        this.#options.token,
        SDK_VERSION,
        remaining,
        this.#options.acceptOverBudget,
      );
      if (this.#endInfo) throw endedError(this.#endInfo);
      this.#sessionId = joined.sessionId;
      this.#qos = new ClientQos({
        sessionId: joined.sessionId,
        socket: () => this.#socket,
        video: () => this.#element,
        logger: this.#options.logger,
      });
      void this.#qos.bind();
      this.#video = joined.video;
      this.#iceServers = joined.iceServers;
      this.#quality = new QualityMonitor({
        expectedFps: joined.video.fps,
        thresholds: this.#options.qualityThresholds,
      });
      this.#options.logger.info(`joined session ${joined.sessionId}`);
      const media = this.#createMedia();
      this.#negotiate(media, this.#options.negotiationTimeoutMs).then(
        () => this.#armMediaTimer(media, this.#options.mediaTimeoutMs),
        (error: unknown) => {
          if (this.#endInfo || media !== this.#media) return;
          const fwError = toFramewayError(error, 'FW_ERR_MEDIA_NEGOTIATION_FAILED');
          this.#end({ reason: SessionEndReason.MediaFailed, code: fwError.code, message: fwError.message });
        },
      );
      return this;
    } catch (error) {
      if (this.#endInfo) throw endedError(this.#endInfo);
      const fwError = toFramewayError(error, 'FW_ERR_CONNECTION_CLOSED');
      this.#end({ reason: SessionEndReason.StartFailed, code: fwError.code, message: fwError.message });
      throw fwError;
    }
  }

  /** A new peer connection (replacing any previous one), playing in the attached element. */
  #createMedia(): MediaConnection {
    this.#media?.close();
    const media = new MediaConnection({
      iceServers: this.#iceServers,
      lowLatency: this.#options.lowLatency,
      videoCodecs: this.#options.videoCodecs,
      ...(this.#options.createPeerConnection ? { createPeerConnection: this.#options.createPeerConnection } : {}),
      ...(this.#options.createMediaStream ? { createMediaStream: this.#options.createMediaStream } : {}),
    });
    this.#media = media;
    this.#answered = false;
    this.#localCandidates = [];
    media.on('localCandidate', (candidate) => {
      if (media !== this.#media) return;
      // Held until the answer is in: the gateway has no transport for this player before it answers.
      if (this.#answered) sendIceCandidate(this.#socket, candidate);
      else this.#localCandidates.push(candidate);
    });
    media.on('connectionState', (state) => this.#onConnectionState(media, state));
    this.#frames?.resetStream();
    if (this.#element) this.#play(this.#element, media);
    // Edges from the outage go first; the new reliable channel queues them until it opens.
    for (const bytes of this.#heldInput.splice(0)) media.input.send(bytes, true);
    return media;
  }

  #sendInput(bytes: Uint8Array, reliable: boolean): void {
    if (reliable) this.#qos?.inputSent();
    const media = this.#media;
    const outage = this.#outage;
    if (outage && (!media || media === outage.brokenMedia)) {
      // A key released during the outage must still arrive, or it sticks in the game; motion is stale by
      // then, and pad states are sent afresh on resume (input.resync), so they need no room here.
      if (reliable && this.#heldInput.length < MAX_HELD_INPUT_MESSAGES && !onlyPadStates(bytes)) {
        this.#heldInput.push(bytes);
      }
      return;
    }
    media?.input.send(bytes, reliable);
  }

  /** Offer → answer on the current socket; rejects with the reason it failed. */
  async #negotiate(media: MediaConnection, timeoutMs: number): Promise<void> {
    const offer = await media.createOffer();
    const answer = await exchangeOffer(this.#socket, offer, timeoutMs);
    if (this.#endInfo || media !== this.#media) return;
    await media.applyAnswer(answer);
    this.#answered = true;
    for (const candidate of this.#localCandidates.splice(0)) sendIceCandidate(this.#socket, candidate);
  }

  /** The answered peer connection must connect within `ms`; otherwise the session ends or the resume retries. */
  #armMediaTimer(media: MediaConnection, ms: number): void {
    if (this.#endInfo || media !== this.#media || media.peer.connectionState === 'connected') return;
    clearTimeout(this.#mediaTimer);
    this.#mediaTimer = setTimeout(() => {
      if (media !== this.#media) return;
      const message = `the media connection did not come up within ${ms} ms`;
      if (this.#outage) this.#retry(new FramewayError('FW_ERR_TIMEOUT', message));
      else this.#end({ reason: SessionEndReason.MediaFailed, code: 'FW_ERR_TIMEOUT', message });
    }, ms);
  }

  #addRemoteCandidate(candidate: IceCandidateMessage): void {
    this.#media?.addRemoteCandidate(candidate).catch((error: unknown) => {
      if (this.#endInfo) return;
      const message = `remote ICE candidate rejected: ${error instanceof Error ? error.message : String(error)}`;
      this.#reportError(new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', message, undefined, { cause: error }));
    });
  }

  #onConnectionState(media: MediaConnection, state: RTCPeerConnectionState): void {
    if (this.#endInfo || media !== this.#media) return;
    this.#options.logger.debug(`peer connection ${state}`);
    if (state === 'connected') {
      clearTimeout(this.#mediaTimer);
      clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
      if (this.#outage) {
        this.#finishResume();
        return;
      }
      if (this.#connected) return;
      this.#connected = true;
      this.#settling = true;
      this.#stats.start();
      this.#options.logger.info(`media connected for session ${this.#sessionId}`);
      this.emit('connected');
    } else if (state === 'disconnected') {
      // ICE often recovers from a short outage on its own; give it a moment before acting.
      this.#graceTimer ??= setTimeout(
        () => this.#lost('media', `the media connection was lost for more than ${this.#options.disconnectGraceMs} ms`),
        this.#options.disconnectGraceMs,
      );
    } else if (state === 'failed' || state === 'closed') {
      this.#lost('media', `the media connection ${state === 'failed' ? 'failed (ICE or DTLS)' : 'was closed'}`);
    }
  }

  #onSocketClosed(socket: SignalingSocket, info: SocketClosedInfo): void {
    if (info.local || this.#endInfo || socket !== this.#socket) return;
    const detail = `code ${info.code}${info.reason ? `: ${info.reason}` : ''}`;
    if (info.code === REPLACED_CLOSE_CODE) {
      // Another tab or device took the session over; taking it back would only start a tug of war.
      this.#end({
        reason: SessionEndReason.ConnectionLost,
        code: 'FW_ERR_CONNECTION_CLOSED',
        message: `the gateway handed this session to a newer connection (${detail})`,
      });
      return;
    }
    if (this.#outage) {
      // Mid-resume: the attempt waiting on this socket fails and retries on a fresh one.
      this.#outage.freshSocket = true;
      return;
    }
    this.#lost('signaling', `the signaling connection closed without the session ending (${detail})`);
  }

  /** Something dropped: resume when allowed, otherwise end the way the walking skeleton always did. */
  #lost(what: 'media' | 'signaling', message: string): void {
    if (this.#endInfo || this.#outage) return;
    if (!this.#options.reconnect || this.#sessionId === '') {
      this.#end({
        reason: what === 'media' ? SessionEndReason.MediaFailed : SessionEndReason.ConnectionLost,
        code: 'FW_ERR_CONNECTION_CLOSED',
        message,
      });
      return;
    }
    this.#beginOutage(message, what === 'signaling');
  }

  #beginOutage(reason: string, socketLost: boolean): void {
    clearTimeout(this.#mediaTimer);
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#stallTimer);
    this.#graceTimer = undefined;
    this.#outage = {
      brokenMedia: this.#media,
      since: Date.now(),
      attempts: 0,
      reason,
      lastError: new FramewayError('FW_ERR_CONNECTION_CLOSED', reason),
      freshSocket: socketLost,
    };
    this.#options.logger.warn(`session ${this.#sessionId} lost its connection (${reason}); resuming`);
    // Warnings about the old connection mean nothing now; the page shows the outage instead.
    this.#quality?.reset();
    this.#deadlineTimer = setTimeout(() => {
      const last = this.#outage?.lastError;
      this.#end({
        reason: SessionEndReason.ConnectionLost,
        code: last?.code ?? 'FW_ERR_CONNECTION_CLOSED',
        message: `the session could not be resumed within ${this.#options.reconnectTimeoutMs} ms: ${last?.message ?? reason}`,
      });
    }, this.#options.reconnectTimeoutMs);
    void this.#attempt();
  }

  /** One try at resuming: a live or fresh socket (rejoining with the token), then a new peer connection. */
  async #attempt(): Promise<void> {
    const outage = this.#outage;
    if (!outage || this.#endInfo) return;
    outage.attempts += 1;
    this.emit('reconnecting', { attempt: outage.attempts, reason: outage.reason, code: outage.lastError.code });
    try {
      if (!(await this.#socketAnswers(outage))) {
        this.#socket.close(1000, 'reconnecting');
        this.#socket = this.#openSocket();
        outage.freshSocket = false;
        await this.#socket.opened;
        const joined = await joinSession(
          this.#socket,
          this.#options.token,
          SDK_VERSION,
          RESUME_STEP_TIMEOUT_MS,
          this.#options.acceptOverBudget,
        );
        if (this.#endInfo || outage !== this.#outage) return;
        this.#iceServers = joined.iceServers;
        void this.#qos?.bind();
      }
      const media = this.#createMedia();
      await this.#negotiate(media, RESUME_STEP_TIMEOUT_MS);
      if (this.#endInfo || outage !== this.#outage || media !== this.#media) return;
      this.#armMediaTimer(media, RESUME_STEP_TIMEOUT_MS);
    } catch (error) {
      if (this.#endInfo || outage !== this.#outage) return;
      this.#retry(toFramewayError(error, 'FW_ERR_CONNECTION_CLOSED'));
    }
  }

  #retry(error: FramewayError): void {
    const outage = this.#outage;
    if (!outage || this.#endInfo) return;
    if (FINAL_REJOIN_CODES.has(error.code)) {
      this.#end({
        reason: SessionEndReason.ConnectionLost,
        code: error.code,
        message: `the session could not be resumed: ${error.message}`,
      });
      return;
    }
    this.#options.logger.debug(`resume attempt ${outage.attempts} failed: ${error.code} ${error.message}`);
    outage.lastError = error;
    // Whatever failed, the next attempt starts from a fresh socket: a half-dead one is the usual culprit.
    outage.freshSocket = true;
    this.#media?.close();
    this.#media = undefined;
    clearTimeout(this.#retryTimer);
    const delay = RETRY_BACKOFF_MS[Math.min(outage.attempts, RETRY_BACKOFF_MS.length - 1)] as number;
    this.#retryTimer = setTimeout(() => void this.#attempt(), delay);
  }

  /** Whether the current socket can carry the resume (a media-only outage keeps a healthy socket). */
  async #socketAnswers(outage: Outage): Promise<boolean> {
    if (outage.freshSocket || !this.#socket.isOpen) return false;
    try {
      await pingGateway(this.#socket, SOCKET_PROBE_TIMEOUT_MS);
      return true;
    } catch {
      return false;
    }
  }

  #finishResume(): void {
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = undefined;
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#retryTimer);
    this.#reconnects += 1;
    this.#settling = true;
    const downtimeMs = Date.now() - outage.since;
    this.#options.logger.info(
      `session ${this.#sessionId} resumed after ${downtimeMs} ms (${outage.attempts} attempt${outage.attempts === 1 ? '' : 's'})`,
    );
    this.input.resync();
    this.emit('resumed', { attempts: outage.attempts, downtimeMs });
    // The socket may have died while the new media came up; the gateway would end the session without it.
    if (!this.#socket.isOpen && !this.#endInfo) {
      this.#lost('signaling', 'the signaling connection closed while the session was resuming');
    }
  }

  #onFailover(payload: { fromNodeId: string; toNodeId: string; reason: string; message?: string | undefined }): void {
    if (this.#endInfo) return;
    clearTimeout(this.#stallTimer);
    this.#options.logger.info(
      `session ${this.#sessionId} moves from ${payload.fromNodeId} to ${payload.toNodeId} (${payload.reason})`,
    );
    this.emit('failover', {
      fromNodeId: payload.fromNodeId,
      toNodeId: payload.toNodeId,
      reason: payload.reason,
      ...(payload.message === undefined ? {} : { message: payload.message }),
    });
  }

  #setState(state: SessionStateName): void {
    if (this.#endInfo || state === this.#state) return;
    this.#state = state;
    this.#options.logger.info(`session ${this.#sessionId || '(joining)'} ${state}`);
    this.emit('state', state);
  }

  #play(element: HTMLVideoElement, media: MediaConnection): void {
    const stream = media.lowLatency ? media.videoStream : media.stream;
    if (element.srcObject !== stream) element.srcObject = stream;
    element.play()?.catch((error: unknown) => this.#options.logger.warn('video playback did not start', error));
    if (media.lowLatency) this.#playAudio(element, media.audioStream);
    else element.muted = this.#muted;
    if (this.#captureOnAttach && this.input.target !== element) this.input.capture(element as InputTarget);
  }

  /** Audio plays in an element of its own, so its buffering never holds the video back. */
  #playAudio(video: HTMLVideoElement, stream: MediaStream): void {
    const doc = video.ownerDocument as Document | undefined;
    if (!this.#audio) {
      if (typeof doc?.createElement !== 'function') return;
      this.#audio = doc.createElement('audio');
      this.#audio.autoplay = true;
    }
    const audio = this.#audio;
    audio.muted = this.#muted;
    if (audio.srcObject !== stream) audio.srcObject = stream;
    audio.play()?.catch(() => undefined); // autoplay may wait for the user's first gesture
  }

  #augmentStats(stats: SessionStats): SessionStats {
    const frames = this.#frames?.supported ? this.#frames.summary() : undefined;
    return {
      ...stats,
      frameLatencyMs: frames?.latencyMs,
      frameLatencyP95Ms: frames?.latencyP95Ms,
      presentedFps: frames === undefined ? undefined : Math.round(frames.fps * 10) / 10,
      presentedFreezeCount: frames?.freezeCount ?? 0,
      reconnects: this.#reconnects,
      targetKbps: this.#streamQuality?.targetKbps,
      estimateKbps: this.#streamQuality?.estimateKbps,
    };
  }

  #onStats(stats: SessionStats): void {
    this.#qos?.stats(stats);
    this.emit('stats', stats);
    if (this.#outage || !this.#quality) return;
    if (this.#settling) {
      this.#settling = false;
      return;
    }
    const warnings = this.#quality.update({
      rttMs: stats.rttMs,
      lossPercent: stats.lossPercent,
      fps: stats.presentedFps ?? stats.fps,
      latencyMs: stats.frameLatencyP95Ms ?? stats.latencyEstimateMs,
    });
    for (const warning of warnings) this.emit('qualityWarning', warning);
  }

  #onFreeze(event: FreezeEvent): void {
    if (this.#endInfo || this.#outage || !this.#connected) return;
    const warning = this.#quality?.freeze(event);
    if (warning) this.emit('qualityWarning', warning);
    clearTimeout(this.#stallTimer);
    if (event.type === 'start' && this.#options.mediaStallMs > 0 && this.#media) {
      void this.#watchStall(this.#media, event.gapMs);
    }
  }

  /**
   * A freeze with no video bytes arriving at all is a dead media path: ICE
   * would take several seconds more to say so. A freeze with bytes arriving
   * (a slow decoder, a lost keyframe) is left to the browser's own recovery.
   */
  async #watchStall(media: MediaConnection, frozenForMs: number): Promise<void> {
    const bytesAtStart = await videoBytesReceived(media);
    if (media !== this.#media || this.#outage || this.#endInfo) return;
    this.#stallTimer = setTimeout(
      async () => {
        // While the gateway moves the session to another node it says 'starting': that freeze is expected.
        const stalled = this.#state === SessionStateName.Streaming && this.#frames?.summary().frozen;
        if (media !== this.#media || this.#outage || this.#endInfo || !stalled) return;
        const bytesNow = await videoBytesReceived(media);
        if (bytesNow === undefined || bytesAtStart === undefined || bytesNow > bytesAtStart) return;
        this.#lost('media', `no video arrived for ${this.#options.mediaStallMs} ms`);
      },
      Math.max(0, this.#options.mediaStallMs - frozenForMs),
    );
  }

  #requireMedia(): MediaConnection {
    if (!this.#media) throw new FramewayError('FW_ERR_INVALID_STATE', 'the session has no media connection now');
    return this.#media;
  }

  #reportError(error: FramewayError): void {
    if (this.listenerCount('error') === 0) this.#options.logger.warn(error.message, error.code);
    else this.emit('error', error);
  }

  #end(info: SessionEndInfo): void {
    if (this.#endInfo) return;
    this.#endInfo = info;
    this.#outage = undefined;
    this.#heldInput.length = 0;
    for (const timer of [this.#mediaTimer, this.#graceTimer, this.#retryTimer, this.#deadlineTimer, this.#stallTimer]) {
      clearTimeout(timer);
    }
    this.#stats.close();
    this.#qos?.close();
    this.#frames?.close();
    this.input.close();
    if (info.reason === SessionEndReason.PlayerLeft) leaveSession(this.#socket);
    this.#socket.close(1000, 'session ended');
    this.#media?.close();
    if (this.#audio) {
      this.#audio.pause();
      this.#audio.srcObject = null;
    }
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

function onlyPadStates(bytes: Uint8Array): boolean {
  try {
    return decodeInputEvents(bytes).every((event) => event.type === InputEventType.GamepadState);
  } catch {
    return false;
  }
}

/** Bytes of inbound video so far; undefined when the stats cannot be read. */
async function videoBytesReceived(media: MediaConnection): Promise<number | undefined> {
  try {
    let bytes = 0;
    for (const entry of (await media.getStats()).values() as Iterable<StatsEntry>) {
      if (entry.type === 'inbound-rtp' && (entry.kind ?? entry.mediaType) === 'video') {
        bytes += typeof entry.bytesReceived === 'number' ? entry.bytesReceived : 0;
      }
    }
    return bytes;
  } catch {
    return undefined;
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
