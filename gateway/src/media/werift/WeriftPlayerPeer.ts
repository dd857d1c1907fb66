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
  GenericNack,
  MediaStream,
  MediaStreamTrack,
  ReceiverEstimatedMaxBitrate,
  type RTCDataChannel,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpSender,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  RtpPacket,
  type TransportWideCC,
  useAbsSendTime,
  useFIR,
  useNACK,
  usePLI,
  useREMB,
  useSdesMid,
  useTransportWideCC,
  useTWCC,
} from 'werift';
import { createLogger } from '../../logging/logger.js';
import { RetransmitBudget } from '../control/RetransmitBudget.js';
import { preferRedForFec } from '../fec/preferRedForFec.js';
import { type DownlinkLossSimulator, type FecSendCounters, WeriftFecSender } from '../fec/WeriftFecSender.js';
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

/** werift keeps the sender's smoothed RTT (from our SRs and the player's RRs) in a field its typings mark private. */
interface SenderRttView {
  rtt?: number;
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

// One-byte RTP header extension id for playout-delay: the browser's offer decides the final id.
const PLAYOUT_DELAY_DEFAULT_ID = 6;
const ZERO_PLAYOUT_DELAY = Buffer.from(encodePlayoutDelay(0, 0));
/** What a NACKed packet is charged against the retransmission budget (the agent packetises to ~1200 bytes). */
const AVERAGE_PACKET_BYTES = 1200;
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
  #audioSender: RTCRtpSender | undefined;
  /** Header extension id the player negotiated for playout-delay; undefined when it did not. */
  #playoutDelayId: number | undefined;
  #disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #retransmits: RetransmitBudget;
  #limitedReportedAt = Number.NEGATIVE_INFINITY;
  #limitedSinceReport = 0;
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
            rtcpFeedback: [
              ...(options.repair ? [useNACK(), usePLI(), useFIR()] : []),
              ...(options.transportFeedback ? [useTWCC()] : [useREMB()]),
            ],
            parameters: H264_FMTP,
          }),
          // RTX (RFC 4588): retransmissions on their own SSRC, so the player's
          // loss and bitrate statistics stay true and late copies are told apart.
          ...(options.repair ? [new RTCRtpCodecParameters({ mimeType: 'video/rtx', clockRate: 90_000 })] : []),
          // RED (RFC 2198) carrying H.264 and ULPFEC (RFC 5109): what Chromium decodes FEC from by default.
          ...(options.fec
            ? [
                new RTCRtpCodecParameters({ mimeType: 'video/red', clockRate: 90_000 }),
                new RTCRtpCodecParameters({ mimeType: 'video/ulpfec', clockRate: 90_000 }),
              ]
            : []),
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
          ...(options.transportFeedback ? [useTransportWideCC()] : []),
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
      const preferred = preferH264ConstrainedBaseline(offerSdp);
      await this.#pc.setRemoteDescription({
        type: 'offer',
        sdp: this.#options.fec ? preferRedForFec(preferred) : preferred,
      });
      const videoTransceiver = this.#pc.getTransceivers().find((t) => t.kind === 'video');
      if (!videoTransceiver) throw new Error('offer has no video m-line');
      const sender = this.#pc.addTrack(new MediaStreamTrack({ kind: 'video' }));
      this.#videoSender = sender;
      this.#takeOverFeedback(sender);
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
    this.#pc.close().catch(() => {});
    this.removeAllListeners();
  }

  /**
   * Puts our control loops between the player's RTCP and werift's sender:
   * NACKs pass a retransmission budget first (werift would answer every one),
   * PLI/FIR become keyframe requests (FIR included: werift only reports PLI),
   * receiver reports and REMB feed congestion control, and the transport-wide
   * feedback goes to our estimator instead of werift's. werift dispatches RTCP
   * through the sender's own handleRtcpPacket, so wrapping that one instance
   * method is the narrowest seam it offers.
   */
  #takeOverFeedback(sender: RTCRtpSender): void {
    if (this.#options.transportFeedback) {
      (sender as { senderBWE: TransportFeedbackSink }).senderBWE = this.#options.transportFeedback;
    }
    const handle = sender.handleRtcpPacket.bind(sender);
    sender.handleRtcpPacket = (packet: RtcpPacket) => {
      if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof GenericNack) {
        this.#fecSender?.noteNack(packet.feedback.lost);
        if (!this.#options.repair) return;
        const nack = packet.feedback;
        const now = performance.now();
        const admitted = nack.lost.filter(() => this.#retransmits.admit(now, AVERAGE_PACKET_BYTES));
        if (admitted.length < nack.lost.length) this.#noteLimited(now, nack.lost.length - admitted.length);
        if (admitted.length === 0) return;
        nack.lost = admitted;
      } else if (packet instanceof RtcpPayloadSpecificFeedback) {
        if (packet.feedback instanceof ReceiverEstimatedMaxBitrate) {
          this.emit('feedback', { rembBps: Number(packet.feedback.bitrate) });
        } else if (this.#options.repair) {
          // PLI (fmt 1) or FIR (fmt 4): the decoder needs a keyframe.
          this.emit('keyframeRequest');
        }
      }
      handle(packet);
      if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) this.#reportFeedback(sender, packet);
    };
  }

  /** RED/ULPFEC as negotiated (the player may not offer them) and the loss simulator, on the video sender's wire. */
  #setUpFec(sender: RTCRtpSender, codecs: RTCRtpCodecParameters[]): void {
    const payloadTypes = this.#options.fec ? WeriftFecSender.negotiated(codecs) : undefined;
    if (!payloadTypes && !this.#options.simulatedLoss) return;
    const fecSender = new WeriftFecSender({ sender, payloadTypes, simulatedLoss: this.#options.simulatedLoss });
    if (payloadTypes && this.#options.transportFeedback) fecSender.recordSendsTo(this.#options.transportFeedback);
    this.#fecSender = fecSender;
  }

  #reportFeedback(sender: RTCRtpSender, packet: RtcpRrPacket | RtcpSrPacket): void {
    const report = packet.reports.find((block) => block.ssrc === sender.ssrc);
    if (!report) return;
    const feedback: PlayerFeedback = { fractionLost: report.fractionLost / 256 };
    const rtt = (sender as unknown as SenderRttView).rtt;
    if (rtt !== undefined) feedback.rttMs = rtt * 1000;
    this.emit('feedback', feedback);
  }

  #noteLimited(now: number, dropped: number): void {
    this.#limitedSinceReport += dropped;
    if (now - this.#limitedReportedAt < 1000) return;
    this.#limitedReportedAt = now;
    this.emit('retransmitsLimited', this.#limitedSinceReport);
    this.#limitedSinceReport = 0;
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
