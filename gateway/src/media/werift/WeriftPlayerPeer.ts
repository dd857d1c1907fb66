import {
  encodePlayoutDelay,
  FramewayError,
  H264_FMTP,
  type IceServer,
  InputChannelLabel,
  PLAYOUT_DELAY_EXTENSION_URI,
  TypedEmitter,
} from '@frameway/protocol';
import {
  MediaStream,
  MediaStreamTrack,
  type RTCDataChannel,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpSender,
  RtpPacket,
  useAbsSendTime,
  useFIR,
  useNACK,
  usePLI,
  useSdesMid,
} from 'werift';
import { createLogger } from '../../logging/logger.js';
import { InputGate } from '../InputGate.js';
import type { IceCandidateInit } from '../MediaRouter.js';
import { type CandidateFilter, candidateAddress } from '../sdp/candidateFilter.js';
import { preferH264ConstrainedBaseline } from '../sdp/preferH264ConstrainedBaseline.js';

export interface WeriftPlayerPeerOptions {
  sessionId: string;
  iceServers: IceServer[];
  /** Extra host addresses to gather candidates on (loopback for local play). */
  additionalHostAddresses: string[];
  /** Which local addresses may carry ICE; see CandidateFilter. */
  candidateFilter: CandidateFilter;
  inputRatePerSecond: number;
  /** Time to wait for a 'disconnected' transport to recover before giving up. */
  disconnectGraceMs: number;
}

export type WeriftPlayerPeerEvents = {
  input: [bytes: Uint8Array];
  inputRejected: [error: FramewayError];
  keyframeRequest: [];
  connected: [];
  disconnected: [reason: string];
  localCandidate: [candidate: IceCandidateInit];
};

// One-byte RTP header extension id for playout-delay: the browser's offer decides the final id.
const PLAYOUT_DELAY_DEFAULT_ID = 6;
const ZERO_PLAYOUT_DELAY = Buffer.from(encodePlayoutDelay(0, 0));
/**
 * The audio track's own MediaStream id. Browsers synchronise the tracks of one
 * stream (msid) by holding back whichever is ahead; audio in a stream of its
 * own can never hold back a video frame. Both paths run at minimum delay, so
 * they stay within lip-sync tolerance without it.
 */
const AUDIO_STREAM_ID = 'frameway-audio';

/**
 * One player's WebRTC transport on werift: sends the session's video with
 * playout delay pinned to zero and turns the player's DataChannel messages
 * into validated input.
 */
export class WeriftPlayerPeer extends TypedEmitter<WeriftPlayerPeerEvents> {
  readonly #options: WeriftPlayerPeerOptions;
  readonly #pc: RTCPeerConnection;
  readonly #inputGate: InputGate;
  readonly #log;
  #videoSender: RTCRtpSender | undefined;
  #audioSender: RTCRtpSender | undefined;
  /** Header extension id the player negotiated for playout-delay; undefined when it did not. */
  #playoutDelayId: number | undefined;
  #disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connected = false;
  #closed = false;

  constructor(options: WeriftPlayerPeerOptions) {
    super((error, event) => this.#log.error({ err: error, event }, 'listener threw'));
    this.#options = options;
    this.#log = createLogger('media.werift.peer', { sessionId: options.sessionId });
    this.#inputGate = new InputGate({
      ratePerSecond: options.inputRatePerSecond,
      burst: options.inputRatePerSecond / 4,
    });
    this.#pc = new RTCPeerConnection({
      iceServers: options.iceServers.map((server) => ({
        urls: server.urls,
        ...(server.username === undefined ? {} : { username: server.username }),
        ...(server.credential === undefined ? {} : { credential: server.credential }),
      })),
      iceAdditionalHostAddresses: options.additionalHostAddresses,
      iceFilterCandidatePair: (pair) =>
        options.candidateFilter.allowsPair(pair.localCandidate.host, pair.remoteCandidate.host),
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            rtcpFeedback: [useNACK(), usePLI(), useFIR()],
            parameters: H264_FMTP,
          }),
        ],
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48_000,
            channels: 2,
            parameters: 'minptime=10;useinbandfec=1',
          }),
        ],
      },
      headerExtensions: {
        video: [
          useSdesMid(),
          useAbsSendTime(),
          new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_EXTENSION_URI, id: PLAYOUT_DELAY_DEFAULT_ID }),
        ],
        audio: [useSdesMid()],
      },
    });
    this.#pc.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      const init = candidate.toJSON();
      const address = candidateAddress(init.candidate ?? '');
      if (address !== undefined && !options.candidateFilter.allowsLocal(address)) return;
      this.emit('localCandidate', {
        candidate: init.candidate ?? '',
        sdpMid: init.sdpMid ?? null,
        sdpMLineIndex: init.sdpMLineIndex ?? null,
      });
    });
    this.#pc.onDataChannel.subscribe((channel) => this.#acceptDataChannel(channel));
    this.#pc.connectionStateChange.subscribe((state) => this.#onConnectionState(state));
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Applies the player's offer and returns the answer SDP (with our host candidates). */
  async answer(offerSdp: string): Promise<string> {
    try {
      await this.#pc.setRemoteDescription({ type: 'offer', sdp: preferH264ConstrainedBaseline(offerSdp) });
      const videoTransceiver = this.#pc.getTransceivers().find((t) => t.kind === 'video');
      if (!videoTransceiver) throw new Error('offer has no video m-line');
      const sender = this.#pc.addTrack(new MediaStreamTrack({ kind: 'video' }));
      this.#videoSender = sender;
      sender.onPictureLossIndication.subscribe(() => this.emit('keyframeRequest'));
      // Players that offer audio (the SDK always does, recvonly) get the session's Opus track.
      if (this.#pc.getTransceivers().some((t) => t.kind === 'audio')) {
        this.#audioSender = this.#pc.addTrack(
          new MediaStreamTrack({ kind: 'audio' }),
          new MediaStream({ id: AUDIO_STREAM_ID }),
        );
      }
      const answer = await this.#pc.createAnswer();
      await this.#pc.setLocalDescription(answer);
      const localSdp = this.#pc.localDescription?.sdp;
      if (!localSdp) throw new Error('no local description after answering');
      const sdp = this.#options.candidateFilter.filterSdp(localSdp);
      this.#playoutDelayId = findExtensionId(sdp, 'video', PLAYOUT_DELAY_EXTENSION_URI);
      this.#log.debug({ playoutDelayId: this.#playoutDelayId }, 'answered player offer');
      return sdp;
    } catch (cause) {
      throw new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', `cannot answer offer: ${String(cause)}`, undefined, {
        cause,
      });
    }
  }

  async addCandidate(candidate: IceCandidateInit): Promise<void> {
    if (!candidate.candidate) return; // end-of-candidates marker
    await this.#pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
    } as never);
  }

  /** Forwards one RTP packet from the agent; dropped until the transport is up. Returns true when sent. */
  forwardVideo(packet: Buffer): boolean {
    const sender = this.#videoSender;
    if (!this.#connected || !sender) return false;
    const rtp = RtpPacket.deSerialize(packet);
    const id = this.#playoutDelayId;
    if (id !== undefined) rtp.header.extensions.push({ id, payload: ZERO_PLAYOUT_DELAY });
    sender.sendRtp(rtp).catch((error: unknown) => this.#log.debug({ err: error }, 'sendRtp failed'));
    return true;
  }

  /** Forwards one Opus RTP packet from the agent; dropped until the transport is up or when the player took no audio. */
  forwardAudio(packet: Buffer): boolean {
    const sender = this.#audioSender;
    if (!this.#connected || !sender) return false;
    sender
      .sendRtp(RtpPacket.deSerialize(packet))
      .catch((error: unknown) => this.#log.debug({ err: error }, 'audio sendRtp failed'));
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#disconnectTimer);
    this.#pc.close().catch(() => {});
    this.removeAllListeners();
  }

  #acceptDataChannel(channel: RTCDataChannel): void {
    if (channel.label !== InputChannelLabel.Reliable && channel.label !== InputChannelLabel.Motion) {
      this.#log.debug({ label: channel.label }, 'ignoring unknown data channel');
      return;
    }
    channel.onMessage.subscribe((data) => {
      try {
        this.emit('input', this.#inputGate.admit(data));
      } catch (error) {
        this.emit('inputRejected', error as FramewayError);
      }
    });
  }

  #onConnectionState(state: string): void {
    this.#log.debug({ state }, 'player transport state');
    if (state === 'connected') {
      clearTimeout(this.#disconnectTimer);
      this.#disconnectTimer = undefined;
      if (!this.#connected) {
        this.#connected = true;
        this.emit('connected');
      }
    } else if (state === 'disconnected') {
      this.#disconnectTimer ??= setTimeout(() => this.#lost('transport disconnected'), this.#options.disconnectGraceMs);
    } else if (state === 'failed' || state === 'closed') {
      this.#lost(`transport ${state}`);
    }
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    this.#connected = false;
    this.emit('disconnected', reason);
  }
}

/** The extmap id for `uri` in the first m-section of `kind` in an SDP, if negotiated. */
export function findExtensionId(sdp: string, kind: 'audio' | 'video', uri: string): number | undefined {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const section = sections.find((s) => s.startsWith(`m=${kind}`));
  if (!section) return undefined;
  for (const line of section.split(/\r?\n/)) {
    const match = /^a=extmap:(\d+)(?:\/\w+)? (\S+)/.exec(line);
    if (match && match[2] === uri) return Number(match[1]);
  }
  return undefined;
}
