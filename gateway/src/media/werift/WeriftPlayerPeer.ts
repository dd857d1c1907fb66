import {
  encodePlayoutDelay,
  FramewayError,
  type IceServer,
  InputChannelLabel,
  PLAYOUT_DELAY_EXTENSION_URI,
  TypedEmitter,
} from '@frameway/protocol';
import {
  MediaStream,
  MediaStreamTrack,
  type RTCDataChannel,
  type RTCPeerConnection,
  type RTCRtpCodecParameters,
  type RTCRtpSender,
  RtpPacket,
  type TransportWideCC,
} from 'werift';
import { createLogger } from '../../logging/logger.js';
import { RetransmitBudget } from '../control/RetransmitBudget.js';
import { preferRedForFec } from '../fec/preferRedForFec.js';
import { type DownlinkLossSimulator, type FecSendCounters, WeriftFecSender } from '../fec/WeriftFecSender.js';
import { InputGate } from '../InputGate.js';
import type { IceCandidateInit } from '../MediaRouter.js';
import { type CandidateFilter, candidateAddress } from '../sdp/candidateFilter.js';
import { preferH264ConstrainedBaseline } from '../sdp/preferH264ConstrainedBaseline.js';
import { createPlayerPeerConnection } from './createPlayerPeerConnection.js';
import { RtxTransportSequencer } from './RtxTransportSequencer.js';
import { SenderFeedbackTap } from './SenderFeedbackTap.js';

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
  /** NACK with RTX retransmissions and PLI/FIR; false negotiates none of them (the bench's baseline). */
  repair: boolean;
  /** Retransmitted bytes allowed per media byte (a player NACKing everything gets no more). */
  retransmitShare: number;
  /**
   * Where the player's transport-wide congestion feedback goes (and every sent
   * packet's size and time): negotiates transport-cc when present.
   */
  transportFeedback?: TransportFeedbackSink | undefined;
  /**
   * Offer RED + ULPFEC for video (when the player offers both): every video
   * packet then goes out as RED, with FEC packets as the route asks
   * (setFecProtection). False: the answer and the send path are as without FEC.
   */
  fec?: boolean | undefined;
  /** Test and bench seam: a lossy downlink after FEC (see DownlinkLossSimulator). */
  simulatedLoss?: DownlinkLossSimulator | undefined;
}

/** The two calls werift's sender makes on its bandwidth estimator (`senderBWE`); congestion control takes its place. */
export interface TransportFeedbackSink {
  rtpPacketSent(sent: { wideSeq: number; size: number; sendingAtMs: number; sentAtMs: number }): void;
  receiveTWCC(feedback: TransportWideCC): void;
}

/** What a receiver report or REMB from the player says about its downlink. */
export interface PlayerFeedback {
  /** Fraction of video packets lost since the last report (before repair), 0..1. */
  fractionLost?: number;
  /** Round-trip time from the report's LSR/DLSR, ms. */
  rttMs?: number;
  /** Receiver-estimated maximum bitrate, bits per second. */
  rembBps?: number;
}

export type WeriftPlayerPeerEvents = {
  input: [bytes: Uint8Array];
  inputRejected: [error: FramewayError];
  keyframeRequest: [];
  connected: [];
  disconnected: [reason: string];
  localCandidate: [candidate: IceCandidateInit];
  /** A receiver report or REMB about the video stream. */
  feedback: [feedback: PlayerFeedback];
  /** NACKed retransmissions over the budget were dropped (emitted at most once a second). */
  retransmitsLimited: [dropped: number];
};

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
  /** RED/ULPFEC and the loss simulator on the video sender's wire; undefined on the plain path. */
  #fecSender: WeriftFecSender | undefined;
  /** Fresh transport-wide numbers for retransmissions (congestion control would read them as delay otherwise). */
  #rtxSequencer: RtxTransportSequencer | undefined;
  #audioSender: RTCRtpSender | undefined;
  /** Header extension id the player negotiated for playout-delay; undefined when it did not. */
  #playoutDelayId: number | undefined;
  #disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #retransmits: RetransmitBudget;
  #connected = false;
  #closed = false;

  constructor(options: WeriftPlayerPeerOptions) {
    super((error, event) => this.#log.error({ err: error, event }, 'listener threw'));
    this.#options = options;
    this.#log = createLogger('media.werift.peer', { sessionId: options.sessionId });
    this.#retransmits = new RetransmitBudget({ share: options.retransmitShare });
    this.#inputGate = new InputGate({
      ratePerSecond: options.inputRatePerSecond,
      burst: options.inputRatePerSecond / 4,
    });
    this.#pc = createPlayerPeerConnection(options);
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
      const preferred = preferH264ConstrainedBaseline(offerSdp);
      await this.#pc.setRemoteDescription({
        type: 'offer',
        sdp: this.#options.fec ? preferRedForFec(preferred) : preferred,
      });
      const videoTransceiver = this.#pc.getTransceivers().find((t) => t.kind === 'video');
      if (!videoTransceiver) throw new Error('offer has no video m-line');
      const sender = this.#pc.addTrack(new MediaStreamTrack({ kind: 'video' }));
      this.#videoSender = sender;
      if (this.#options.transportFeedback && this.#options.repair) {
        this.#rtxSequencer = new RtxTransportSequencer(sender, this.#options.transportFeedback);
      }
      new SenderFeedbackTap(sender, {
        repair: this.#options.repair,
        retransmits: this.#retransmits,
        transportFeedback: this.#options.transportFeedback,
        onNack: (lost) => this.#fecSender?.noteNack(lost),
        onKeyframeRequest: () => this.emit('keyframeRequest'),
        onFeedback: (feedback) => this.emit('feedback', feedback),
        onRetransmitsLimited: (dropped) => this.emit('retransmitsLimited', dropped),
      });
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
      const filtered = this.#options.candidateFilter.filterSdp(localSdp);
      // werift echoes the offer's feedback types into its answer; without repair the player must not ask.
      const sdp = this.#options.repair ? filtered : withoutRepairFeedback(filtered);
      this.#playoutDelayId = findExtensionId(sdp, 'video', PLAYOUT_DELAY_EXTENSION_URI);
      this.#setUpFec(sender, videoTransceiver.codecs);
      this.#log.debug({ playoutDelayId: this.#playoutDelayId, fec: this.fecActive }, 'answered player offer');
      return sdp;
    } catch (cause) {
      throw new FramewayError('FW_ERR_MEDIA_NEGOTIATION_FAILED', `cannot answer offer: ${String(cause)}`, undefined, {
        cause,
      });
    }
  }

  async addCandidate(candidate: IceCandidateInit): Promise<void> {
    if (!candidate.candidate) return; // end-of-candidates marker
    // werift types an absent mid/index as null (an explicit undefined breaks exactOptionalPropertyTypes); it treats both alike.
    await this.#pc.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? null,
      sdpMLineIndex: candidate.sdpMLineIndex ?? null,
    });
  }

  /** Forwards one RTP packet from the agent; dropped until the transport is up. Returns true when sent. */
  forwardVideo(packet: Buffer): boolean {
    const sender = this.#videoSender;
    if (!this.#connected || !sender) return false;
    const rtp = RtpPacket.deSerialize(packet);
    this.#rtxSequencer?.install();
    if (this.#fecSender && !this.#fecSender.prepare(rtp)) return false;
    this.#retransmits.noteMedia(performance.now(), packet.length);
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

  /** RED + ULPFEC negotiated with the player: FEC can be switched on (setFecProtection). */
  get fecActive(): boolean {
    return this.#fecSender?.active ?? false;
  }

  /** Media packets per FEC packet (about), or undefined: none. No effect unless fecActive. */
  setFecProtection(packetsPerFec: number | undefined): void {
    this.#fecSender?.setPacketsPerFec(packetsPerFec);
  }

  /** What went out on the video SSRC as media and as FEC; undefined on the plain path. */
  get fecCounters(): FecSendCounters | undefined {
    return this.#fecSender?.counters;
  }

  /** Retransmissions sent and refused (over budget) so far. */
  get retransmitCounters(): { admitted: number; dropped: number } {
    return { ...this.#retransmits.counters };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#disconnectTimer);
    this.#fecSender?.close();
    this.#rtxSequencer?.close();
    this.#pc.close().catch(() => {});
    this.removeAllListeners();
  }

  /** RED/ULPFEC as negotiated (the player may not offer them) and the loss simulator, on the video sender's wire. */
  #setUpFec(sender: RTCRtpSender, codecs: RTCRtpCodecParameters[]): void {
    const payloadTypes = this.#options.fec ? WeriftFecSender.negotiated(codecs) : undefined;
    if (!payloadTypes && !this.#options.simulatedLoss) return;
    const fecSender = new WeriftFecSender({ sender, payloadTypes, simulatedLoss: this.#options.simulatedLoss });
    if (payloadTypes && this.#options.transportFeedback) fecSender.recordSendsTo(this.#options.transportFeedback);
    this.#fecSender = fecSender;
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

/** The SDP without NACK, PLI and FIR feedback lines: the player will not ask for repair it would not get. */
export function withoutRepairFeedback(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(/\r?\n/)
    .filter((line) => !/^a=rtcp-fb:\S+ (nack|ccm fir)\b/.test(line))
    .join(eol);
}
