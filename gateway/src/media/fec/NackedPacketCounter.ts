/**
 * Counts the distinct sequence numbers a player NACKs. A receiver NACKs a
 * packet as soon as it sees the gap, before FEC or RTX repair it, and again
 * every round trip until it has it: counted once, these are its losses
 * before any repair, whatever the transport-wide feedback later says (werift's
 * RTX repeats the original's transport-wide number, so a retransmission
 * reports the packet as received).
 */
export class NackedPacketCounter {
  readonly #remembered: number;
  readonly #seen = new Set<number>();
  readonly #order: number[] = [];
  /** Distinct packets NACKed so far. */
  count = 0;

  /** `remembered`: how many recent sequence numbers are kept to recognise a repeated NACK. */
  constructor(remembered = 2048) {
    this.#remembered = remembered;
  }

  note(seqs: readonly number[]): void {
    for (const seq of seqs) {
      if (this.#seen.has(seq)) continue;
      this.#seen.add(seq);
      this.#order.push(seq);
      this.count++;
      if (this.#order.length > this.#remembered) this.#seen.delete(this.#order.shift() as number);
    }
  }
}
