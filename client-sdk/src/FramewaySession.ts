import {
  type AnyMessage,
  FramewayError,
  isErrorCode,
  SessionEndReason,
  SessionStateName,
  TypedEmitter,
  type VideoParams,
} from '@frameway/protocol';
import {
  type ConnectOptions,
  inputControllerOptions,
  type ResolvedConnectOptions,
  resolveConnectOptions,
} from './connectOptions.js';
import { InputController } from './input/InputController.js';
import type { SessionStats } from './media/deriveStats.js';
import type { FreezeEvent } from './media/FreezeDetector.js';
import type { QualityLevel, QualityWarning } from './media/QualityMonitor.js';
import { ClientQos } from './qos/ClientQos.js';
import type { SessionEndInfo } from './SessionEndInfo.js';
import { systemClock } from './session/Clock.js';
import { MediaPlayout } from './session/MediaPlayout.js';
import { SessionEngine } from './session/SessionEngine.js';
import { SessionHealth } from './session/SessionHealth.js';
import type { AttachOptions, FramewaySessionEvents, SessionState } from './session/sessionEvents.js';
import { toFramewayError } from './session/toFramewayError.js';
import { handleGatewayMessage } from './signaling/gatewayHandlers.js';
import type { SignalingSocket } from './signaling/SignalingSocket.js';

export type {
  AttachOptions,
  FailoverInfo,
  FramewaySessionEvents,
  ReconnectingInfo,
  ResumedInfo,
  SessionState,
  StreamQualityInfo,
} from './session/sessionEvents.js';

/**
 * One cloud-gaming session as the player sees it: signaling, the WebRTC
 * connection, input and stats. Usually made by `connect()`; constructing it
 * directly starts the same work, and `ready` settles once the gateway has
 * accepted the player. When the socket or the media drops, the session
 * resumes by itself (`reconnecting`, `resumed`); it always ends with exactly
 * one `ended` event, whatever fails first.
 *
 * A façade (livekit's Room): socket, peer connection and resuming live in
 * SessionEngine (its reconnect policy in ResumeController), the `<video>` and
 * `<audio>` in MediaPlayout; this class keeps the state, stats and events.
 */
export class FramewaySession extends TypedEmitter<FramewaySessionEvents> {
  /** Keyboard, pointer, touch, wheel and gamepad capture; text, clipboard and phone keys; `send()` injects events. */
  readonly input: InputController;
  /** Resolves with this session once the gateway accepted the player; rejects with the reason it did not. */
  readonly ready: Promise<FramewaySession>;
  readonly #options: ResolvedConnectOptions;
  readonly #health: SessionHealth;
  readonly #engine: SessionEngine;
  readonly #playout: MediaPlayout;
  #sessionId = '';
  #video: VideoParams | undefined;
  #qos: ClientQos | undefined;
  #state: SessionState = 'connecting';
  #connected = false;
  #endInfo: SessionEndInfo | undefined;

  constructor(options: ConnectOptions) {
    super((error, event) => this.#options.logger.error(`a '${String(event)}' listener threw`, error));
    this.#options = resolveConnectOptions(options);
    const o = this.#options;
    this.input = new InputController(
      {
        send: (bytes, reliable) => {
          if (reliable) this.#qos?.inputSent();
          this.#engine.sendInput(bytes, reliable);
        },
      },
      inputControllerOptions(o, (error) => this.#reportError(error)),
    );
    this.#health = new SessionHealth({
      intervalMs: o.statsIntervalMs,
      thresholds: o.qualityThresholds,
      logger: o.logger,
      read: () => this.#engine.readStats(),
      playout: () => this.#playout.stats(),
      resuming: () => this.#engine.reconnecting,
      onStats: (stats) => {
        this.#qos?.stats(stats);
        this.emit('stats', stats);
      },
      onWarning: (warning) => this.emit('qualityWarning', warning),
    });
    this.#engine = this.#createEngine();
    this.#playout = new MediaPlayout({
      input: this.input,
      logger: o.logger,
      media: () => this.#engine.media,
      rttMs: () => this.#health.latest?.rttMs,
      onFrame: (frame) => this.emit('frame', frame),
      wantsFrames: () => this.listenerCount('frame') > 0,
      onFreeze: (event) => this.#onFreeze(event),
    });
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
    return this.#engine.reconnecting;
  }

  /** Why the session ended; undefined while it runs. */
  get endInfo(): SessionEndInfo | undefined {
    return this.#endInfo;
  }

  /** Video and audio as one stream (lip-synced); undefined until joined. Prefer `videoStream` for play. */
  get stream(): MediaStream | undefined {
    return this.#engine.media?.stream;
  }

  /** The received video alone; what `attach()` plays. */
  get videoStream(): MediaStream | undefined {
    return this.#engine.media?.videoStream;
  }

  /** The received audio alone; `attach()` plays it in an `<audio>` of its own. */
  get audioStream(): MediaStream | undefined {
    return this.#engine.media?.audioStream;
  }

  /** The underlying peer connection, for diagnostics; undefined until joined and during a resume. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.#engine.media?.peer;
  }

  /** good / fair / poor from the active quality warnings; undefined until joined. */
  get quality(): QualityLevel | undefined {
    return this.#health.level;
  }

  /** The quality problems active now. */
  get qualityWarnings(): QualityWarning[] {
    return this.#health.warnings;
  }

  /** Sound is off until a user gesture turns it on (autoplay rules). */
  get muted(): boolean {
    return this.#playout.muted;
  }

  /** Turns sound on or off; turning it on must happen in a user gesture (a click handler). */
  set muted(muted: boolean) {
    this.#playout.muted = muted;
  }

  /**
   * Plays the session in a `<video>`: muted video (so autoplay is allowed),
   * sound in an `<audio>` of its own, inline, and, unless turned off,
   * capturing input. Per-frame latency and freezes are watched on it.
   */
  attach(element: HTMLVideoElement, options: AttachOptions = {}): void {
    if (this.#endInfo) return;
    this.#playout.attach(element, options);
  }

  /** Stats now; the periodic `stats` event carries the same shape. After the end (or mid-resume), the last sample. */
  async getStats(): Promise<SessionStats> {
    if (this.#endInfo || (!this.#engine.media && this.#health.latest)) {
      const latest = this.#health.latest;
      if (latest) return latest;
      throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session has ended');
    }
    return this.#health.sample();
  }

  /** Leaves the session: tells the gateway, closes media and socket, emits `ended`. Idempotent. */
  close(): void {
    this.#end({ reason: SessionEndReason.PlayerLeft });
  }

  /** The engine's news, turned into the session's state and events. */
  #createEngine(): SessionEngine {
    const engine = new SessionEngine({
      options: this.#options,
      clock: systemClock,
      onMessage: (message, socket) => this.#route(message, socket),
    });
    engine.on('media', (media) => this.#playout.mediaChanged(media));
    engine.on('connected', () => {
      this.#connected = true;
      this.#health.connected();
      this.#options.logger.info(`media connected for session ${this.#sessionId}`);
      this.emit('connected');
    });
    engine.on('outage', () => this.#health.outage());
    engine.on('reconnecting', (info) => this.emit('reconnecting', info));
    engine.on('rejoined', () => void this.#qos?.bind());
    engine.on('resumed', (info) => {
      this.#health.resumed();
      this.input.resync();
      this.emit('resumed', info);
    });
    engine.on('end', (info) => this.#end(info));
    engine.on('error', (error) => this.#reportError(error));
    return engine;
  }

  /** Every gateway message: the session's handlers, then the QoS reporter. */
  #route(message: AnyMessage, socket: SignalingSocket): void {
    handleGatewayMessage(message, socket, {
      sessionState: (payload) => this.#setState(payload.state),
      sessionEnded: (payload) =>
        this.#end({
          reason: payload.reason,
          ...(payload.code === undefined ? {} : { code: payload.code }),
          ...(payload.message === undefined ? {} : { message: payload.message }),
        }),
      iceCandidate: (payload) => this.#engine.addRemoteCandidate(payload),
      error: (error) => this.#reportError(error),
      sessionFailover: (payload) => this.#onFailover(payload),
      queuePosition: ({ sessionId: _, ...info }) => {
        this.#options.onQueued?.(info);
        this.emit('queued', info);
      },
      streamQuality: ({ sessionId: _, ...quality }) => {
        this.#health.streamQuality = quality;
        this.emit('streamQuality', quality);
      },
      linkStats: () => this.#health.latest,
    });
    this.#qos?.handleMessage(message);
  }

  async #start(): Promise<FramewaySession> {
    try {
      const joined = await this.#engine.join(this.#options.connectTimeoutMs);
      if (this.#endInfo) throw endedError(this.#endInfo);
      this.#sessionId = joined.sessionId;
      this.#qos = new ClientQos({
        sessionId: joined.sessionId,
        socket: () => this.#engine.socket,
        video: () => this.#playout.element,
        logger: this.#options.logger,
      });
      void this.#qos.bind();
      this.#video = joined.video;
      this.#health.joined(joined.video.fps);
      this.#options.logger.info(`joined session ${joined.sessionId}`);
      this.#engine.startMedia();
      return this;
    } catch (error) {
      if (this.#endInfo) throw endedError(this.#endInfo);
      const fwError = toFramewayError(error, 'FW_ERR_CONNECTION_CLOSED');
      this.#end({ reason: SessionEndReason.StartFailed, code: fwError.code, message: fwError.message });
      throw fwError;
    }
  }

  #onFailover(payload: { fromNodeId: string; toNodeId: string; reason: string; message?: string | undefined }): void {
    if (this.#endInfo) return;
    this.#engine.cancelStallWatch();
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

  #onFreeze(event: FreezeEvent): void {
    if (this.#endInfo || this.#engine.reconnecting || !this.#connected) return;
    this.#health.freeze(event);
    this.#engine.cancelStallWatch();
    if (event.type !== 'start') return;
    this.#engine.watchStall(
      event.gapMs,
      // While the gateway moves the session to another node it says 'starting': that freeze is expected.
      () => this.#state === SessionStateName.Streaming && this.#playout.frozen,
    );
  }

  #reportError(error: FramewayError): void {
    if (this.listenerCount('error') === 0) this.#options.logger.warn(error.message, error.code);
    else this.emit('error', error);
  }

  #end(info: SessionEndInfo): void {
    if (this.#endInfo) return;
    this.#endInfo = info;
    // Keys and buttons still held are released on the live connection, which closes after them.
    this.#engine.stopResuming();
    this.#health.close();
    this.#qos?.close();
    this.input.close();
    this.#engine.close(info.reason === SessionEndReason.PlayerLeft);
    this.#playout.close();
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

function endedError(info: SessionEndInfo): FramewayError {
  const code = isErrorCode(info.code) ? info.code : 'FW_ERR_SESSION_ENDED';
  return new FramewayError(code, info.message ?? `the session ended: ${info.reason}`, { reason: info.reason });
}
