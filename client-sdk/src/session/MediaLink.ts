import { decodeInputEvents, FramewayError, type IceServer, InputEventType, TypedEmitter } from '@frameway/protocol';
import type { ResolvedConnectOptions } from '../connectOptions.js';
import type { StatsEntry } from '../media/deriveStats.js';
import { type IceCandidateMessage, MediaConnection } from '../media/MediaConnection.js';
import { exchangeOffer, sendIceCandidate } from '../signaling/gatewayApi.js';
import type { SignalingSocket } from '../signaling/SignalingSocket.js';
import type { Clock, TimerHandle } from './Clock.js';

/** Key, button and pad edges kept during an outage, for the new connection. */
const MAX_HELD_INPUT_MESSAGES = 64;

export type MediaLinkEvents = {
  /** The current peer connection (re)connected. */
  connected: [];
  /** The media path is gone (failed, closed, disconnected past the grace, or stalled). */
  lost: [message: string];
  /** The answered peer connection did not connect in time. */
  timeout: [message: string];
  /** A problem that does not end the media (a remote candidate rejected). */
  error: [error: FramewayError];
};

export type MediaLinkOptions = Pick<
  ResolvedConnectOptions,
  'lowLatency' | 'videoCodecs' | 'createPeerConnection' | 'createMediaStream' | 'disconnectGraceMs' | 'mediaStallMs'
> & {
  clock: Clock;
  logger: ResolvedConnectOptions['logger'];
  /** The session's current signaling socket: offers and candidates go there. */
  socket: () => SignalingSocket;
};

/**
 * The session's peer connection across resumes (livekit's engine): makes a
 * new MediaConnection per (re)connection, negotiates it over the current
 * socket, trickles candidates once answered, times its coming up, tells a
 * dead media path from a slow one, and holds reliable input while no usable
 * connection exists. Events from a replaced connection are ignored.
 */
export class MediaLink extends TypedEmitter<MediaLinkEvents> {
  readonly #options: MediaLinkOptions;
  #media: MediaConnection | undefined;
  #answered = false;
  #localCandidates: IceCandidateMessage[] = [];
  /** Set during an outage: the connection that was live when it began (input sent to it now is lost). */
  #hold: { broken: MediaConnection | undefined } | undefined;
  /** Reliable input sent while no usable peer connection exists (mid-resume); delivered to the next one. */
  readonly #heldInput: Uint8Array[] = [];
  #mediaTimer: TimerHandle | undefined;
  #graceTimer: TimerHandle | undefined;
  #stallTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: MediaLinkOptions) {
    super((error, event) => options.logger.error(`a media '${String(event)}' listener threw`, error));
    this.#options = options;
  }

  /** The current peer connection; undefined before the first and after a failed resume attempt dropped it. */
  get media(): MediaConnection | undefined {
    return this.#media;
  }

  /** A new peer connection, replacing (and closing) any previous one. */
  create(iceServers: readonly IceServer[]): MediaConnection {
    this.#media?.close();
    const o = this.#options;
    const media = new MediaConnection({
      iceServers,
      lowLatency: o.lowLatency,
      videoCodecs: o.videoCodecs,
      ...(o.createPeerConnection ? { createPeerConnection: o.createPeerConnection } : {}),
      ...(o.createMediaStream ? { createMediaStream: o.createMediaStream } : {}),
    });
    this.#media = media;
    this.#answered = false;
    this.#localCandidates = [];
    media.on('localCandidate', (candidate) => {
      if (media !== this.#media) return;
      // Held until the answer is in: the gateway has no transport for this player before it answers.
      if (this.#answered) sendIceCandidate(o.socket(), candidate);
      else this.#localCandidates.push(candidate);
    });
    media.on('connectionState', (state) => this.#onConnectionState(media, state));
    return media;
  }

  /** Edges kept from the outage go first; the new reliable channel queues them until it opens. */
  deliverHeldInput(media: MediaConnection): void {
    for (const bytes of this.#heldInput.splice(0)) media.input.send(bytes, true);
  }

  /** Drops the current peer connection (a failed resume attempt). */
  drop(): void {
    this.#media?.close();
    this.#media = undefined;
  }

  /** Offer → answer on the current socket; rejects with the reason it failed. */
  async negotiate(media: MediaConnection, timeoutMs: number): Promise<void> {
    const offer = await media.createOffer();
    const answer = await exchangeOffer(this.#options.socket(), offer, timeoutMs);
    if (this.#closed || media !== this.#media) return;
    await media.applyAnswer(answer);
    this.#answered = true;
    for (const candidate of this.#localCandidates.splice(0)) sendIceCandidate(this.#options.socket(), candidate);
  }

  /** The answered peer connection must connect within `ms`, or `timeout` fires. */
  armTimeout(media: MediaConnection, ms: number): void {
    if (this.#closed || media !== this.#media || media.peer.connectionState === 'connected') return;
    this.#options.clock.clearTimeout(this.#mediaTimer);
    this.#mediaTimer = this.#options.clock.setTimeout(() => {
      if (media !== this.#media) return;
      this.emit('timeout', `the media connection did not come up within ${ms} ms`);
    }, ms);
  }

  addRemoteCandidate(candidate: IceCandidateMessage): void {
    this.#media?.addRemoteCandidate(candidate).catch((error: unknown) => {
      if (this.#closed) return;
      const message = `remote ICE candidate rejected: ${error instanceof Error ? error.message : String(error)}`;
      this.emit('error', new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', message, undefined, { cause: error }));
    });
  }

  /** Sends input on the current connection, or keeps reliable edges while an outage holds it. */
  sendInput(bytes: Uint8Array, reliable: boolean): void {
    const media = this.#media;
    const hold = this.#hold;
    if (hold && (!media || media === hold.broken)) {
      // A key released during the outage must still arrive, or it sticks in the game; motion is stale by
      // then, and pad states are sent afresh on resume (input.resync), so they need no room here.
      if (reliable && this.#heldInput.length < MAX_HELD_INPUT_MESSAGES && !onlyPadStates(bytes)) {
        this.#heldInput.push(bytes);
      }
      return;
    }
    media?.input.send(bytes, reliable);
  }

  /** An outage began: the live connection is broken, its timers mean nothing now, input waits for the next one. */
  outageBegan(): void {
    this.#clearTimers();
    this.#graceTimer = undefined;
    this.#hold = { broken: this.#media };
  }

  /** The outage is over: input flows to the current connection again. */
  outageEnded(): void {
    this.#hold = undefined;
  }

  /**
   * A freeze with no video bytes arriving at all is a dead media path: ICE
   * would take several seconds more to say so. A freeze with bytes arriving
   * (a slow decoder, a lost keyframe) is left to the browser's own recovery.
   * `stillStalled` is asked when the wait is over; `paused` whether to watch at all.
   */
  async watchStall(frozenForMs: number, paused: () => boolean, stillStalled: () => boolean): Promise<void> {
    const media = this.#media;
    const stallMs = this.#options.mediaStallMs;
    if (stallMs <= 0 || !media) return;
    const bytesAtStart = await videoBytesReceived(media);
    if (media !== this.#media || this.#closed || paused()) return;
    this.#stallTimer = this.#options.clock.setTimeout(
      async () => {
        if (media !== this.#media || this.#closed || paused() || !stillStalled()) return;
        const bytesNow = await videoBytesReceived(media);
        if (bytesNow === undefined || bytesAtStart === undefined || bytesNow > bytesAtStart) return;
        this.emit('lost', `no video arrived for ${stallMs} ms`);
      },
      Math.max(0, stallMs - frozenForMs),
    );
  }

  /** Forgets a pending stall check (the picture moved, or the freeze is explained). */
  cancelStallWatch(): void {
    this.#options.clock.clearTimeout(this.#stallTimer);
  }

  /** Closes the current connection and stops every timer; the connection stays readable. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hold = undefined;
    this.#heldInput.length = 0;
    this.#clearTimers();
    this.#media?.close();
  }

  #clearTimers(): void {
    for (const timer of [this.#mediaTimer, this.#graceTimer, this.#stallTimer]) this.#options.clock.clearTimeout(timer);
  }

  #onConnectionState(media: MediaConnection, state: RTCPeerConnectionState): void {
    if (this.#closed || media !== this.#media) return;
    this.#options.logger.debug(`peer connection ${state}`);
    if (state === 'connected') {
      this.#options.clock.clearTimeout(this.#mediaTimer);
      this.#options.clock.clearTimeout(this.#graceTimer);
      this.#graceTimer = undefined;
      this.emit('connected');
    } else if (state === 'disconnected') {
      // ICE often recovers from a short outage on its own; give it a moment before acting.
      const graceMs = this.#options.disconnectGraceMs;
      this.#graceTimer ??= this.#options.clock.setTimeout(
        () => this.emit('lost', `the media connection was lost for more than ${graceMs} ms`),
        graceMs,
      );
    } else if (state === 'failed' || state === 'closed') {
      this.emit('lost', `the media connection ${state === 'failed' ? 'failed (ICE or DTLS)' : 'was closed'}`);
    }
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
