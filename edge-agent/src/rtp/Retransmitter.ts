import { PacketHistory, type PacketHistoryOptions } from './PacketHistory.js';
import { RetransmitBudget, type RetransmitBudgetOptions } from './RetransmitBudget.js';

const SRTP_AUTH_TAG_BYTES = 10;
/** Before any RTT is known, a packet is resent at most once per this long. */
const DEFAULT_RESEND_INTERVAL_MS = 10;
const MIN_RESEND_INTERVAL_MS = 2;
const MAX_RESEND_INTERVAL_MS = 500;

export interface RetransmitterOptions {
  history?: PacketHistoryOptions;
  budget?: RetransmitBudgetOptions;
  /** Protects a stored plaintext packet at its extended sequence number. */
  protect: (packet: Uint8Array, index: number) => Buffer;
  send: (datagram: Buffer) => void;
}

/** What one NACK came to. */
export interface NackOutcome {
  retransmits: number;
  retransmitBytes: number;
  /** Refused by the budget. */
  dropped: number;
  /** Not (or no longer) in the history. */
  misses: number;
}

/**
 * Answers NACKs from the packet history: each listed packet goes out again
 * with its original sequence number, within the retransmission budget, and
 * no packet twice within half an RTT (10 ms until an RTT is known).
 */
export class Retransmitter {
  readonly #history: PacketHistory;
  readonly #budget: RetransmitBudget;
  readonly #protect: RetransmitterOptions['protect'];
  readonly #send: RetransmitterOptions['send'];

  constructor(options: RetransmitterOptions) {
    this.#history = new PacketHistory(options.history);
    this.#budget = new RetransmitBudget(options.budget);
    this.#protect = options.protect;
    this.#send = options.send;
  }

  /** Records a media packet just sent (plaintext, and the size it had on the wire). */
  recordMedia(index: number, packet: Uint8Array, wireBytes: number, nowMs: number): void {
    this.#history.put(index, packet, nowMs);
    this.#budget.onMediaSent(wireBytes, nowMs);
  }

  answerNack(lost: readonly number[], nowMs: number, rttMs: number | undefined): NackOutcome {
    const outcome: NackOutcome = { retransmits: 0, retransmitBytes: 0, dropped: 0, misses: 0 };
    const interval =
      rttMs === undefined
        ? DEFAULT_RESEND_INTERVAL_MS
        : Math.min(MAX_RESEND_INTERVAL_MS, Math.max(MIN_RESEND_INTERVAL_MS, rttMs / 2));
    for (const sequenceNumber of lost) {
      const stored = this.#history.get(sequenceNumber, nowMs);
      if (!stored) {
        outcome.misses++;
        continue;
      }
      // The receiver NACKs again if the repair is late; resending before it could have arrived only adds load.
      if (stored.resentAtMs !== undefined && nowMs - stored.resentAtMs < interval) continue;
      if (!this.#budget.tryTake(stored.packet.length + SRTP_AUTH_TAG_BYTES, nowMs)) {
        outcome.dropped++;
        continue;
      }
      // Same index, same plaintext: SRTP yields the original ciphertext, so no keystream is reused.
      const wire = this.#protect(stored.packet, stored.index);
      this.#history.markResent(stored.index, nowMs);
      this.#send(wire);
      outcome.retransmits++;
      outcome.retransmitBytes += wire.length;
    }
    return outcome;
  }
}
