import {
  GenericNack,
  ReceiverEstimatedMaxBitrate,
  type RTCRtpSender,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
} from 'werift';
import type { RetransmitBudget } from '../control/RetransmitBudget.js';
import type { PlayerFeedback, TransportFeedbackSink } from './WeriftPlayerPeer.js';

/** What a NACKed packet is charged against the retransmission budget (the agent packetises to ~1200 bytes). */
const AVERAGE_PACKET_BYTES = 1200;
/** werift's RTP_HISTORY_SIZE: its cache is a sparse array indexed by seq modulo this (werift 0.24). */
const WERIFT_RTP_HISTORY_SIZE = 128;
/** Over-budget retransmissions are reported at most this often. */
const LIMITED_REPORT_INTERVAL_MS = 1000;

/** werift keeps the sender's smoothed RTT (from our SRs and the player's RRs) in a field its typings mark private. */
interface SenderRttView {
  rtt?: number;
}

/** werift's ring of sent packets it answers NACKs from (`rtpCache[seq % size]`), also private in its typings. */
interface SenderCacheView {
  rtpCache?: ({ header: { sequenceNumber: number } } | undefined)[];
}

export interface SenderFeedbackTapOptions {
  /** NACK repair and keyframe requests; false: NACKs are ignored, PLI/FIR too. */
  repair: boolean;
  retransmits: RetransmitBudget;
  /** Replaces werift's own bandwidth estimator on the sender when present. */
  transportFeedback?: TransportFeedbackSink | undefined;
  /** Sees every NACKed sequence number before the budget (FEC's loss signal). */
  onNack?: (lost: readonly number[]) => void;
  onKeyframeRequest: () => void;
  onFeedback: (feedback: PlayerFeedback) => void;
  /** Retransmissions dropped over the budget since the last report (at most once a second). */
  onRetransmitsLimited: (dropped: number) => void;
  now?: () => number;
}

/**
 * Puts our control loops between the player's RTCP and werift's video sender:
 * NACKs pass a retransmission budget first (werift would answer every one),
 * PLI/FIR become keyframe requests (FIR included: werift only reports PLI),
 * receiver reports and REMB feed congestion control, and the transport-wide
 * feedback goes to our estimator instead of werift's. werift dispatches RTCP
 * through the sender's own handleRtcpPacket, so wrapping that one instance
 * method is the narrowest seam it offers.
 */
export class SenderFeedbackTap {
  readonly #options: SenderFeedbackTapOptions;
  readonly #sender: RTCRtpSender;
  readonly #now: () => number;
  #limitedReportedAt = Number.NEGATIVE_INFINITY;
  #limitedSinceReport = 0;

  constructor(sender: RTCRtpSender, options: SenderFeedbackTapOptions) {
    this.#options = options;
    this.#sender = sender;
    this.#now = options.now ?? (() => performance.now());
    if (options.transportFeedback) {
      (sender as { senderBWE: TransportFeedbackSink }).senderBWE = options.transportFeedback;
    }
    const handle = sender.handleRtcpPacket.bind(sender);
    sender.handleRtcpPacket = (packet: RtcpPacket) => {
      if (!this.#filter(packet)) return;
      handle(packet);
      if (packet instanceof RtcpRrPacket || packet instanceof RtcpSrPacket) this.#report(sender, packet);
    };
  }

  /** werift's retransmission cache (a ring by sequence number) holds `seq`. */
  #holds(seq: number): boolean {
    const cache = (this.#sender as unknown as SenderCacheView).rtpCache;
    const cached = cache?.[seq % WERIFT_RTP_HISTORY_SIZE];
    return cached?.header.sequenceNumber === seq;
  }

  /** Acts on one RTCP packet; false when werift must not see it. */
  #filter(packet: RtcpPacket): boolean {
    const options = this.#options;
    if (packet instanceof RtcpTransportLayerFeedback && packet.feedback instanceof GenericNack) {
      options.onNack?.(packet.feedback.lost);
      if (!options.repair) return false;
      const nack = packet.feedback;
      const now = this.#now();
      // Only packets werift still holds cost budget: the player NACKs a packet again and again while the
      // ingest is still repairing it on the agent leg, and those NACKs must not use up the real repairs.
      const held = nack.lost.filter((seq) => this.#holds(seq));
      const admitted = held.filter(() => options.retransmits.admit(now, AVERAGE_PACKET_BYTES));
      if (admitted.length < held.length) this.#noteLimited(now, held.length - admitted.length);
      if (admitted.length === 0) return false;
      nack.lost = admitted;
    } else if (packet instanceof RtcpPayloadSpecificFeedback) {
      if (packet.feedback instanceof ReceiverEstimatedMaxBitrate) {
        options.onFeedback({ rembBps: Number(packet.feedback.bitrate) });
      } else if (options.repair) {
        // PLI (fmt 1) or FIR (fmt 4): the decoder needs a keyframe.
        options.onKeyframeRequest();
      }
    }
    return true;
  }

  #report(sender: RTCRtpSender, packet: RtcpRrPacket | RtcpSrPacket): void {
    const report = packet.reports.find((block) => block.ssrc === sender.ssrc);
    if (!report) return;
    const feedback: PlayerFeedback = { fractionLost: report.fractionLost / 256 };
    const rtt = (sender as unknown as SenderRttView).rtt;
    if (rtt !== undefined) feedback.rttMs = rtt * 1000;
    this.#options.onFeedback(feedback);
  }

  #noteLimited(now: number, dropped: number): void {
    this.#limitedSinceReport += dropped;
    if (now - this.#limitedReportedAt < LIMITED_REPORT_INTERVAL_MS) return;
    this.#limitedReportedAt = now;
    this.#options.onRetransmitsLimited(this.#limitedSinceReport);
    this.#limitedSinceReport = 0;
  }
}
