import { TypedEmitter } from '@frameway/protocol';
import type { TransportWideCC } from 'werift';
import { createLogger } from '../../logging/logger.js';
import { decodeTwccFeedback, type TwccDecodeFailure } from './decodeTwccFeedback.js';
import type { PacketResult, TransportFeedback } from './PacketResult.js';

/** What werift's RTCRtpSender hands its `senderBWE` after every packet it sends. */
export interface SentPacketInfo {
  wideSeq: number;
  size: number;
}

export interface TwccFeedbackAdapterOptions {
  /**
   * The gateway's clock in ms (default performance.now). werift's own
   * `sentAtMs` is Date.now(): wall time in whole ms that can step, so the send
   * time is read here instead, on the clock the controller runs on.
   */
  now?: () => number;
  /** Sent packets remembered for matching feedback; a power of two (default 16384: > 10 s at 8 Mb/s). */
  historySize?: number;
  /** Log context, e.g. { sessionId }. */
  logBindings?: Record<string, unknown>;
}

export type TwccFeedbackAdapterEvents = {
  /** Packets newly settled by one feedback message (never empty). */
  feedback: [TransportFeedback];
};

export interface TwccFeedbackCounters {
  packetsSent: number;
  /** rtpPacketSent with a sequence number already sent (werift read it after an await) or a bad value. */
  sentRejected: number;
  feedbacks: number;
  /** Feedback messages dropped as malformed, by reason. */
  feedbacksMalformed: Record<TwccDecodeFailure, number>;
  /** Reported packets this sender did not send or no longer remembers (audio shares the sequence space). */
  packetsUnknown: number;
  /** Reported packets already settled by earlier feedback (repeated or reordered feedback). */
  packetsRepeated: number;
}

/** A sent number this far behind the newest is a late report of an old one, not a wrap. */
const MAX_SENT_REGRESSION = 1024;

const SENT = 0;
const REPORTED_LOST = 1;
const RECEIVED = 2;

/**
 * Stands in for werift's SenderBandwidthEstimator on a video RTCRtpSender
 * (`sender.senderBWE = adapter`): remembers every sent packet by its
 * transport-wide sequence number and turns each TWCC feedback into settled
 * PacketResults (send time, size, arrival or lost) for the BitrateController.
 *
 * Sequence numbers are unwrapped against the newest sent one, so 65535→0
 * continues upwards. A packet is settled at most once as lost and once as
 * received: feedback that repeats is ignored and a packet first reported lost
 * then received (late, reordered) is passed on as received.
 */
export class TwccFeedbackAdapter extends TypedEmitter<TwccFeedbackAdapterEvents> {
  readonly counters: TwccFeedbackCounters = {
    packetsSent: 0,
    sentRejected: 0,
    feedbacks: 0,
    feedbacksMalformed: { 'bad-header': 0, 'bad-chunk': 0, 'short-chunks': 0, 'missing-delta': 0 },
    packetsUnknown: 0,
    packetsRepeated: 0,
  };
  readonly #now: () => number;
  readonly #mask: number;
  readonly #seqs: Float64Array;
  readonly #sendMs: Float64Array;
  readonly #sizes: Uint32Array;
  readonly #states: Uint8Array;
  /** Newest sent sequence number, unwrapped; -1 before the first. */
  #lastSeq = -1;
  /** Receiver reference time (64 ms units), unwrapped past 2^24. */
  #lastReference: number | undefined;

  constructor(options: TwccFeedbackAdapterOptions = {}) {
    const log = createLogger('twcc-feedback', options.logBindings ?? {});
    super((error, event) => log.error({ err: error, event }, 'congestion feedback listener threw'));
    const size = options.historySize ?? 16384;
    if (!Number.isInteger(Math.log2(size))) throw new RangeError(`historySize must be a power of two, got ${size}`);
    this.#now = options.now ?? (() => performance.now());
    this.#mask = size - 1;
    this.#seqs = new Float64Array(size).fill(-1);
    this.#sendMs = new Float64Array(size);
    this.#sizes = new Uint32Array(size);
    this.#states = new Uint8Array(size);
  }

  /** werift calls this after every RTP packet the sender put on the wire. */
  rtpPacketSent(info: SentPacketInfo): void {
    const { wideSeq, size } = info;
    if (!Number.isInteger(wideSeq) || wideSeq < 0 || wideSeq > 0xffff || !(size >= 0)) {
      this.counters.sentRejected++;
      return;
    }
    // Sent numbers only move forward (audio on the same transport takes some
    // in between, so gaps are normal). werift reads the number after awaiting
    // the socket, so two packets sent back to back can both report the later
    // one: a repeat, or one slightly behind, keeps the first.
    const ahead = this.#lastSeq < 0 ? wideSeq : (wideSeq - this.#lastSeq) & 0xffff;
    if (this.#lastSeq >= 0 && (ahead === 0 || ahead > 0xffff - MAX_SENT_REGRESSION)) {
      this.counters.sentRejected++;
      return;
    }
    const seq = this.#lastSeq < 0 ? wideSeq : this.#lastSeq + ahead;
    const slot = seq & this.#mask;
    this.#seqs[slot] = seq;
    this.#sendMs[slot] = this.#now();
    this.#sizes[slot] = Math.min(size, 0xffff_ffff);
    this.#states[slot] = SENT;
    this.#lastSeq = seq;
    this.counters.packetsSent++;
  }

  /** werift calls this for every transport-wide congestion control feedback (RTPFB fmt 15). */
  receiveTWCC(feedback: TransportWideCC): void {
    const decoded = decodeTwccFeedback(feedback);
    if (!decoded.ok) {
      this.counters.feedbacksMalformed[decoded.reason]++;
      return;
    }
    this.counters.feedbacks++;
    if (this.#lastSeq < 0) return;
    const { referenceTime, packets: statuses } = decoded.feedback;
    const reference =
      this.#lastReference === undefined ? referenceTime : unwrap(referenceTime, this.#lastReference, 24);
    this.#lastReference = reference;
    const referenceMs = reference * 64;

    const packets: PacketResult[] = [];
    for (const status of statuses) {
      const seq = unwrap(status.seq, this.#lastSeq, 16);
      const slot = seq & this.#mask;
      if (seq < 0 || this.#seqs[slot] !== seq) {
        this.counters.packetsUnknown++;
        continue;
      }
      const state = this.#states[slot];
      const received = status.arrivalOffsetMs !== undefined;
      if (state === RECEIVED || (state === REPORTED_LOST && !received)) {
        this.counters.packetsRepeated++;
        continue;
      }
      this.#states[slot] = received ? RECEIVED : REPORTED_LOST;
      packets.push({
        wideSeq: seq,
        sendMs: this.#sendMs[slot] ?? 0,
        sizeBytes: this.#sizes[slot] ?? 0,
        arrivalMs: received ? referenceMs + (status.arrivalOffsetMs ?? 0) : undefined,
      });
    }
    if (packets.length > 0) this.emit('feedback', { atMs: this.#now(), packets });
  }
}

/** The value of the `bits`-wide counter `value` closest to the unwrapped `near`. */
function unwrap(value: number, near: number, bits: number): number {
  const range = 2 ** bits;
  const half = range / 2;
  const diff = (((value - (near % range)) % range) + range + half) % range;
  return near + diff - half;
}
