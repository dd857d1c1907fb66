import { FramewayError, type IceServer, InputChannelLabel, TypedEmitter } from '@frameway/protocol';
import { InputChannels } from '../input/InputChannels.js';
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
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
}

/**
 * The player's RTCPeerConnection: receive-only video and audio tuned for
 * minimal playout delay, and the two input DataChannels. It makes the offer;
 * remote candidates that arrive before the answer are held until it is applied.
 */
export class MediaConnection extends TypedEmitter<MediaConnectionEvents> {
  readonly peer: RTCPeerConnection;
  readonly input: InputChannels;
  readonly #createMediaStream: (tracks: MediaStreamTrack[]) => MediaStream;
  readonly #receivers: RTCRtpReceiver[];
  readonly #pendingRemote: IceCandidateMessage[] = [];
  #stream: MediaStream | undefined;
  #remoteApplied = false;
  #closed = false;

  constructor(options: MediaConnectionOptions) {
    super();
    const create = options.createPeerConnection ?? ((configuration) => new RTCPeerConnection(configuration));
    this.#createMediaStream = options.createMediaStream ?? ((tracks) => new MediaStream(tracks));
    this.peer = create({ iceServers: options.iceServers.map(toRtcIceServer), bundlePolicy: 'max-bundle' });
    const video = this.peer.addTransceiver('video', { direction: 'recvonly' });
    // Audio is negotiated up front so it can start later without renegotiation.
    const audio = this.peer.addTransceiver('audio', { direction: 'recvonly' });
    this.#receivers = [video.receiver, audio.receiver];
    for (const receiver of this.#receivers) tuneReceiverForLowLatency(receiver);
    const reliable = this.peer.createDataChannel(InputChannelLabel.Reliable, { ordered: true });
    const motion = this.peer.createDataChannel(InputChannelLabel.Motion, { ordered: false, maxRetransmits: 0 });
    for (const channel of [reliable, motion]) channel.binaryType = 'arraybuffer';
    this.input = new InputChannels(reliable, motion);
    this.peer.addEventListener('icecandidate', this.#onIceCandidate);
    this.peer.addEventListener('connectionstatechange', this.#onConnectionState);
    this.peer.addEventListener('track', this.#onTrack);
  }

  /** The received tracks as one stream, ready for a `<video>`'s `srcObject` before media flows. */
  get stream(): MediaStream {
    this.#stream ??= this.#createMediaStream(this.#receivers.map((receiver) => receiver.track));
    return this.#stream;
  }

  /** Creates the offer and sets it locally; ICE gathering starts and candidates trickle as events. */
  async createOffer(): Promise<string> {
    const offer = await this.peer.createOffer();
    await this.peer.setLocalDescription(offer);
    const sdp = this.peer.localDescription?.sdp ?? offer.sdp;
    if (!sdp) throw new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', 'the browser produced an empty offer');
    return sdp;
  }

  /** Applies the gateway's answer, then any remote candidates that arrived before it. */
  async applyAnswer(sdp: string): Promise<void> {
    await this.peer.setRemoteDescription({ type: 'answer', sdp });
    this.#remoteApplied = true;
    for (const receiver of this.#receivers) tuneReceiverForLowLatency(receiver);
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
    tuneReceiverForLowLatency(event.receiver);
  };
}

function toRtcIceServer(server: IceServer): RTCIceServer {
  const rtc: RTCIceServer = { urls: server.urls };
  if (server.username !== undefined) rtc.username = server.username;
  if (server.credential !== undefined) rtc.credential = server.credential;
  return rtc;
}
