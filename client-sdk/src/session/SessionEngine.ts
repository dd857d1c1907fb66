import { type AnyMessage, FramewayError, type IceServer, SessionEndReason, TypedEmitter } from '@frameway/protocol';
import type { ResolvedConnectOptions } from '../connectOptions.js';
import type { StatsEntry } from '../media/deriveStats.js';
import type { IceCandidateMessage, MediaConnection } from '../media/MediaConnection.js';
import type { SessionEndInfo } from '../SessionEndInfo.js';
import { type JoinedSession, joinSession, leaveSession, pingGateway } from '../signaling/gatewayApi.js';
import { SignalingSocket, type SocketClosedInfo } from '../signaling/SignalingSocket.js';
import { SDK_VERSION } from '../version.js';
import type { Clock } from './Clock.js';
import { MediaLink } from './MediaLink.js';
import { ResumeController } from './ResumeController.js';
import type { ReconnectingInfo, ResumedInfo } from './sessionEvents.js';
import { toFramewayError } from './toFramewayError.js';

/** The gateway closes a player socket with this code when the same player joined from elsewhere. */
const REPLACED_CLOSE_CODE = 4000;
/** One resume step (socket, join, offer, media) may take this long before the next attempt. */
const RESUME_STEP_TIMEOUT_MS = 5_000;
/** A live socket must answer a ping this fast to be kept through a media-only outage. */
const SOCKET_PROBE_TIMEOUT_MS = 1_000;

export type SessionEngineEvents = {
  /** A new peer connection replaced the old one (the owner plays it). */
  media: [media: MediaConnection];
  /** The first peer connection is up. */
  connected: [];
  /** The connection dropped and resuming starts (before the first `reconnecting`). */
  outage: [];
  reconnecting: [info: ReconnectingInfo];
  /** A fresh socket rejoined mid-resume: bindings made per socket must be renewed. */
  rejoined: [];
  resumed: [info: ResumedInfo];
  /** The session must end with this; the owner ends it and closes the engine. */
  end: [info: SessionEndInfo];
  /** Something went wrong that does not end the session. */
  error: [error: FramewayError];
};

export interface SessionEngineOptions {
  options: ResolvedConnectOptions;
  clock: Clock;
  /** Every message the gateway sends, on whichever socket of this session carries it. */
  onMessage: (message: AnyMessage, socket: SignalingSocket) => void;
}

/**
 * The session's connection to the gateway (livekit's RTCEngine): the player
 * socket, the join, the peer connection (MediaLink), and the resume work the
 * ResumeController decides on. It tells its owner what happened; ending the
 * session is the owner's call (`end`), after which it closes the engine.
 */
export class SessionEngine extends TypedEmitter<SessionEngineEvents> {
  readonly #options: ResolvedConnectOptions;
  readonly #clock: Clock;
  readonly #onMessage: SessionEngineOptions['onMessage'];
  readonly #link: MediaLink;
  readonly #resume: ResumeController;
  #socket: SignalingSocket;
  #iceServers: readonly IceServer[] = [];
  #sessionId = '';
  #connected = false;
  #closed = false;

  constructor({ options, clock, onMessage }: SessionEngineOptions) {
    super((error, event) => options.logger.error(`an engine '${String(event)}' listener threw`, error));
    this.#options = options;
    this.#clock = clock;
    this.#onMessage = onMessage;
    this.#link = new MediaLink({
      lowLatency: options.lowLatency,
      videoCodecs: options.videoCodecs,
      disconnectGraceMs: options.disconnectGraceMs,
      mediaStallMs: options.mediaStallMs,
      ...(options.createPeerConnection ? { createPeerConnection: options.createPeerConnection } : {}),
      ...(options.createMediaStream ? { createMediaStream: options.createMediaStream } : {}),
      clock,
      logger: options.logger,
      socket: () => this.#socket,
    });
    this.#link.on('connected', () => this.#onMediaConnected());
    this.#link.on('lost', (message) => this.#lost('media', message));
    this.#link.on('timeout', (message) => {
      if (this.#resume.active) this.#resume.fail(new FramewayError('FW_ERR_TIMEOUT', message));
      else this.emit('end', { reason: SessionEndReason.MediaFailed, code: 'FW_ERR_TIMEOUT', message });
    });
    this.#link.on('error', (error) => this.emit('error', error));
    this.#resume = new ResumeController({
      timeoutMs: options.reconnectTimeoutMs,
      clock,
      logger: options.logger,
      onAttempt: (info) => this.emit('reconnecting', info),
      onGiveUp: (info) => this.emit('end', info),
      steps: {
        socketAnswers: async () => {
          if (!this.#socket.isOpen) return false;
          await pingGateway(this.#socket, SOCKET_PROBE_TIMEOUT_MS);
          return true;
        },
        rejoin: (isCurrent) => this.#rejoin(isCurrent),
        renegotiate: async (isCurrent) => {
          const media = this.#newMedia();
          await this.#link.negotiate(media, RESUME_STEP_TIMEOUT_MS);
          if (this.#closed || !isCurrent() || media !== this.#link.media) return;
          this.#link.armTimeout(media, RESUME_STEP_TIMEOUT_MS);
        },
        dropMedia: () => this.#link.drop(),
      },
    });
    this.#socket = this.#openSocket();
  }

  /** The current player socket; replaced when a resume opens a fresh one. */
  get socket(): SignalingSocket {
    return this.#socket;
  }

  /** The current peer connection; undefined until joined and after a failed resume attempt. */
  get media(): MediaConnection | undefined {
    return this.#link.media;
  }

  /** True while an outage is being resumed. */
  get reconnecting(): boolean {
    return this.#resume.active;
  }

  /** Opens the first socket and joins within `timeoutMs` (both together). */
  async join(timeoutMs: number): Promise<JoinedSession> {
    const startedAt = this.#clock.now();
    await this.#socket.opened;
    const joined = await this.#join(Math.max(1000, timeoutMs - (this.#clock.now() - startedAt)));
    this.#sessionId = joined.sessionId;
    this.#iceServers = joined.iceServers;
    return joined;
  }

  /** The first peer connection: offered, answered, then it must connect in time, or the session ends. */
  startMedia(): void {
    const media = this.#newMedia();
    this.#link.negotiate(media, this.#options.negotiationTimeoutMs).then(
      () => this.#link.armTimeout(media, this.#options.mediaTimeoutMs),
      (error: unknown) => {
        if (this.#closed || media !== this.#link.media) return;
        const fwError = toFramewayError(error, 'FW_ERR_MEDIA_NEGOTIATION_FAILED');
        this.emit('end', { reason: SessionEndReason.MediaFailed, code: fwError.code, message: fwError.message });
      },
    );
  }

  /** The current peer connection's raw stats; FW_ERR_INVALID_STATE when there is none (mid-resume). */
  async readStats(): Promise<Iterable<StatsEntry>> {
    const media = this.#link.media;
    if (!media) throw new FramewayError('FW_ERR_INVALID_STATE', 'the session has no media connection now');
    return (await media.getStats()).values() as Iterable<StatsEntry>;
  }

  sendInput(bytes: Uint8Array, reliable: boolean): void {
    this.#link.sendInput(bytes, reliable);
  }

  addRemoteCandidate(candidate: IceCandidateMessage): void {
    this.#link.addRemoteCandidate(candidate);
  }

  /** The picture froze: resume if no video bytes arrive while `stillStalled()` holds (see MediaLink). */
  watchStall(frozenForMs: number, stillStalled: () => boolean): void {
    void this.#link.watchStall(frozenForMs, () => this.#resume.active, stillStalled);
  }

  cancelStallWatch(): void {
    this.#link.cancelStallWatch();
  }

  /** First step of ending: no more resuming, and input goes to the live connection (its last key-ups). */
  stopResuming(): void {
    this.#resume.close();
    this.#link.outageEnded();
  }

  /** Closes socket and media (telling the gateway when the player leaves). Idempotent. */
  close(leaving: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stopResuming();
    if (leaving) leaveSession(this.#socket);
    this.#socket.close(1000, 'session ended');
    this.#link.close();
  }

  #join(timeoutMs: number): Promise<JoinedSession> {
    return joinSession(this.#socket, this.#options.token, SDK_VERSION, timeoutMs, this.#options.acceptOverBudget);
  }

  /** A player socket with every gateway message routed to the owner; replaced on a reconnect. */
  #openSocket(): SignalingSocket {
    const o = this.#options;
    const socket = new SignalingSocket({
      url: o.signalingUrl,
      openTimeoutMs: o.connectTimeoutMs,
      ...(o.createWebSocket ? { createWebSocket: o.createWebSocket } : {}),
    });
    socket.on('message', (message) => this.#onMessage(message, socket));
    socket.on('protocolError', (error) => this.emit('error', error));
    socket.on('closed', (info) => this.#onSocketClosed(socket, info));
    return socket;
  }

  async #rejoin(isCurrent: () => boolean): Promise<void> {
    this.#socket.close(1000, 'reconnecting');
    this.#socket = this.#openSocket();
    await this.#socket.opened;
    const joined = await this.#join(RESUME_STEP_TIMEOUT_MS);
    if (this.#closed || !isCurrent()) return;
    this.#iceServers = joined.iceServers;
    this.emit('rejoined');
  }

  /** A new peer connection (replacing any previous one), played by the owner before held input goes out. */
  #newMedia(): MediaConnection {
    const media = this.#link.create(this.#iceServers);
    this.emit('media', media);
    this.#link.deliverHeldInput(media);
    return media;
  }

  #onMediaConnected(): void {
    if (this.#resume.active) {
      this.#finishResume();
      return;
    }
    if (this.#connected) return;
    this.#connected = true;
    this.emit('connected');
  }

  #onSocketClosed(socket: SignalingSocket, info: SocketClosedInfo): void {
    if (info.local || this.#closed || socket !== this.#socket) return;
    const detail = `code ${info.code}${info.reason ? `: ${info.reason}` : ''}`;
    if (info.code === REPLACED_CLOSE_CODE) {
      // Another tab or device took the session over; taking it back would only start a tug of war.
      this.emit('end', {
        reason: SessionEndReason.ConnectionLost,
        code: 'FW_ERR_CONNECTION_CLOSED',
        message: `the gateway handed this session to a newer connection (${detail})`,
      });
      return;
    }
    if (this.#resume.active) {
      // Mid-resume: the attempt waiting on this socket fails and retries on a fresh one.
      this.#resume.socketClosed();
      return;
    }
    this.#lost('signaling', `the signaling connection closed without the session ending (${detail})`);
  }

  /** Something dropped: resume when allowed, otherwise end the way the walking skeleton always did. */
  #lost(what: 'media' | 'signaling', message: string): void {
    if (this.#closed || this.#resume.active) return;
    if (!this.#options.reconnect || this.#sessionId === '') {
      this.emit('end', {
        reason: what === 'media' ? SessionEndReason.MediaFailed : SessionEndReason.ConnectionLost,
        code: 'FW_ERR_CONNECTION_CLOSED',
        message,
      });
      return;
    }
    this.#link.outageBegan();
    this.#options.logger.warn(`session ${this.#sessionId} lost its connection (${message}); resuming`);
    this.emit('outage');
    this.#resume.begin(message, what === 'signaling');
  }

  #finishResume(): void {
    const resumed = this.#resume.finish();
    if (!resumed) return;
    this.#link.outageEnded();
    const { attempts, downtimeMs } = resumed;
    this.#options.logger.info(
      `session ${this.#sessionId} resumed after ${downtimeMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'})`,
    );
    this.emit('resumed', resumed);
    // The socket may have died while the new media came up; the gateway would end the session without it.
    if (!this.#socket.isOpen && !this.#closed) {
      this.#lost('signaling', 'the signaling connection closed while the session was resuming');
    }
  }
}
