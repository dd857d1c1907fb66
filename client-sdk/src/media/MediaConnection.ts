import {
  FramewayError,
  type IceServer,
  InputChannelLabel,
  PLAYOUT_DELAY_EXTENSION_URI,
  TypedEmitter,
} from '@frameway/protocol';
import { InputChannels } from '../input/InputChannels.js';
import {
  type CodecCapability,
  DEFAULT_VIDEO_CODECS,
  orderVideoCodecs,
  type VideoCodecName,
} from './orderVideoCodecs.js';
import { separateSyncGroups } from './separateSyncGroups.js';
import { stripHeaderExtension } from './stripHeaderExtension.js';
import { tuneReceiverForLowLatency } from './tuneReceiverForLowLatency.js';

/** An ICE candidate as signaling carries it; an empty `candidate` marks the end of gathering. */
export interface IceCandidateMessage {
  candidate: string;
  sdpMid?: string | null | undefined;
  sdpMLineIndex?: number | null | undefined;
}

export type MediaConnectionEvents = {
  /** A local candidate to trickle to the gateway; `candidate: ''` once gathering is complete. */
  localCandidate: [candidate: IceCandidateMessage];
  connectionState: [state: RTCPeerConnectionState];
};

export interface MediaConnectionOptions {
  iceServers: readonly IceServer[];
  /**
   * Playout tuned for the lowest delay (default true): zero jitter-buffer
   * target and playout-delay hint, the playout-delay RTP extension offered,
   * audio in a sync group of its own. False leaves the browser's defaults
   * (for comparison, or a viewer that prefers smoothness).
   */
  lowLatency?: boolean;
  /** Video codecs in order of preference; H.264 ranks constrained baseline first. */
  videoCodecs?: readonly VideoCodecName[];
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** `RTCRtpReceiver.getCapabilities` in browsers. */
  getCapabilities?: (kind: 'video') => { codecs: CodecCapability[] } | null;
}

/** A transceiver as the SDK touches it; `setCodecPreferences` is missing in older browsers and fakes. */
interface TransceiverLike {
  receiver: RTCRtpReceiver;
  setCodecPreferences?: (codecs: CodecCapability[]) => void;
}

/**
 * The player's RTCPeerConnection: receive-only video and audio tuned for
 * minimal playout delay, and the two input DataChannels. It makes the offer;
 * remote candidates that arrive before the answer are held until it is applied.
 */
export class MediaConnection extends TypedEmitter<MediaConnectionEvents> {
  readonly peer: RTCPeerConnection;
  readonly input: InputChannels;
  readonly lowLatency: boolean;
  /** The video codec order set on the transceiver; empty when the browser's order was left alone. */
  readonly codecPreferences: readonly CodecCapability[];
  readonly #createMediaStream: (tracks: MediaStreamTrack[]) => MediaStream;
  readonly #receivers: RTCRtpReceiver[];
  readonly #pendingRemote: IceCandidateMessage[] = [];
  #stream: MediaStream | undefined;
  #videoStream: MediaStream | undefined;
  #audioStream: MediaStream | undefined;
  #remoteApplied = false;
  #closed = false;

  constructor(options: MediaConnectionOptions) {
    super();
    this.lowLatency = options.lowLatency ?? true;
    const create = options.createPeerConnection ?? ((configuration) => new RTCPeerConnection(configuration));
    this.#createMediaStream = options.createMediaStream ?? ((tracks) => new MediaStream(tracks));
    this.peer = create({ iceServers: options.iceServers.map(toRtcIceServer), bundlePolicy: 'max-bundle' });
    const video = this.peer.addTransceiver('video', { direction: 'recvonly' });
    // Audio is negotiated up front so it can start later without renegotiation.
    const audio = this.peer.addTransceiver('audio', { direction: 'recvonly' });
    this.codecPreferences = preferCodecs(video, options);
    this.#receivers = [video.receiver, audio.receiver];
    this.#tune();
    const reliable = this.peer.createDataChannel(InputChannelLabel.Reliable, { ordered: true });
    const motion = this.peer.createDataChannel(InputChannelLabel.Motion, { ordered: false, maxRetransmits: 0 });
    for (const channel of [reliable, motion]) channel.binaryType = 'arraybuffer';
    this.input = new InputChannels(reliable, motion);
    this.peer.addEventListener('icecandidate', this.#onIceCandidate);
    this.peer.addEventListener('connectionstatechange', this.#onConnectionState);
    this.peer.addEventListener('track', this.#onTrack);
  }

  /** Both received tracks as one stream (what a single `<video>` plays with lip-sync). */
  get stream(): MediaStream {
    this.#stream ??= this.#createMediaStream(this.#receivers.map((receiver) => receiver.track));
    return this.#stream;
  }

  /** The video track alone: a `<video>` playing it never waits for audio. */
  get videoStream(): MediaStream {
    this.#videoStream ??= this.#createMediaStream([(this.#receivers[0] as RTCRtpReceiver).track]);
    return this.#videoStream;
  }

  /** The audio track alone, for a separate `<audio>`. */
  get audioStream(): MediaStream {
    this.#audioStream ??= this.#createMediaStream([(this.#receivers[1] as RTCRtpReceiver).track]);
    return this.#audioStream;
  }

  /**
   * Creates the offer and sets it locally; ICE gathering starts and candidates
   * trickle as events. Returns the SDP to send: without low-latency tuning the
   * playout-delay extension is left out of it, so the gateway does not pin the delay.
   */
  async createOffer(): Promise<string> {
    const offer = await this.peer.createOffer();
    await this.peer.setLocalDescription(offer);
    const sdp = this.peer.localDescription?.sdp ?? offer.sdp;
    if (!sdp) throw new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', 'the browser produced an empty offer');
    return this.lowLatency ? sdp : stripHeaderExtension(sdp, PLAYOUT_DELAY_EXTENSION_URI);
  }

  /** Applies the gateway's answer, then any remote candidates that arrived before it. */
  async applyAnswer(sdp: string): Promise<void> {
    await this.peer.setRemoteDescription({ type: 'answer', sdp: this.lowLatency ? separateSyncGroups(sdp) : sdp });
    this.#remoteApplied = true;
    this.#tune();
    for (const candidate of this.#pendingRemote.splice(0)) await this.#addCandidate(candidate);
  }

  /** Adds a remote candidate, or holds it until the answer is applied. */
  async addRemoteCandidate(candidate: IceCandidateMessage): Promise<void> {
    if (this.#closed) return;
    if (!this.#remoteApplied) {
      this.#pendingRemote.push(candidate);
      return;
    }
    await this.#addCandidate(candidate);
  }

  getStats(): Promise<RTCStatsReport> {
    return this.peer.getStats();
  }

  /** Closes the channels and the peer connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.input.close();
    this.peer.removeEventListener('icecandidate', this.#onIceCandidate);
    this.peer.removeEventListener('connectionstatechange', this.#onConnectionState);
    this.peer.removeEventListener('track', this.#onTrack);
    this.peer.close();
  }

  async #addCandidate(candidate: IceCandidateMessage): Promise<void> {
    if (this.#closed) return;
    const init: RTCIceCandidateInit = { candidate: candidate.candidate };
    if (candidate.sdpMid !== undefined) init.sdpMid = candidate.sdpMid;
    if (candidate.sdpMLineIndex !== undefined) init.sdpMLineIndex = candidate.sdpMLineIndex;
    // With BUNDLE every candidate belongs to the first m-line; browsers reject a candidate naming neither.
    if (init.sdpMid == null && init.sdpMLineIndex == null) init.sdpMLineIndex = 0;
    if (candidate.candidate === '') {
      // End of candidates: optional for ICE, and older browsers reject the empty form.
      await this.peer.addIceCandidate(init).catch(() => undefined);
      return;
    }
    await this.peer.addIceCandidate(init);
  }

  readonly #onIceCandidate = (event: RTCPeerConnectionIceEvent): void => {
    const candidate = event.candidate;
    if (!candidate) {
      this.emit('localCandidate', { candidate: '' });
      return;
    }
    // Some browsers fire an empty-string candidate per m-line before the final null.
    if (candidate.candidate === '') return;
    this.emit('localCandidate', {
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
    });
  };

  readonly #onConnectionState = (): void => {
    this.emit('connectionState', this.peer.connectionState);
  };

  readonly #onTrack = (event: RTCTrackEvent): void => {
    if (this.lowLatency) tuneReceiverForLowLatency(event.receiver);
  };

  #tune(): void {
    if (!this.lowLatency) return;
    for (const receiver of this.#receivers) tuneReceiverForLowLatency(receiver);
  }
}

/** Sets the video codec order from the receiver's capabilities where the browser allows it. */
function preferCodecs(transceiver: TransceiverLike, options: MediaConnectionOptions): CodecCapability[] {
  if (typeof transceiver.setCodecPreferences !== 'function') return [];
  const getCapabilities =
    options.getCapabilities ??
    ((kind: 'video') =>
      (
        globalThis as { RTCRtpReceiver?: { getCapabilities?: (k: string) => { codecs: CodecCapability[] } | null } }
      ).RTCRtpReceiver?.getCapabilities?.(kind) ?? null);
  const codecs = getCapabilities('video')?.codecs ?? [];
  const ordered = orderVideoCodecs(codecs, options.videoCodecs ?? DEFAULT_VIDEO_CODECS);
  if (ordered.length === 0) return [];
  try {
    transceiver.setCodecPreferences(ordered);
    return ordered;
  } catch {
    // A browser that rejects the list keeps its own order; the gateway still ranks H.264 first.
    return [];
  }
}

function toRtcIceServer(server: IceServer): RTCIceServer {
  const rtc: RTCIceServer = { urls: server.urls };
  if (server.username !== undefined) rtc.username = server.username;
  if (server.credential !== undefined) rtc.credential = server.credential;
  return rtc;
}
