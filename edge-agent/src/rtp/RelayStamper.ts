/** A jump larger than this (either way) is a new ffmpeg, not loss or reordering. */
const MAX_FORWARD_JUMP = 3000;
const MAX_REORDER = 500;

export interface RelayInput {
  /** Who sent it (address:port and its SSRC): a restarted ffmpeg has a new source port. */
  source: string;
  sequenceNumber: number;
  timestamp: number;
}

export interface RelayStamp {
  /** Extended sequence number on the publisher's stream. */
  index: number;
  timestamp: number;
}

/**
 * Maps a relayed ffmpeg stream onto the publisher's sequence and timestamp
 * space. Within one ffmpeg run the offsets are fixed, so its gaps and
 * reordering stay as they were; when ffmpeg restarts (new source, or a jump
 * no network reorder explains) the offsets are rebased so the receiver sees
 * one continuous stream instead of a burst of "loss" and a clock jump.
 * Pure: the publisher supplies its next index and a continuing timestamp.
 */
export class RelayStamper {
  #source: string | undefined;
  /** ffmpeg's last extended sequence number. */
  #lastExtended = 0;
  #indexOffset = 0;
  #timestampOffset = 0;
  /** First index of the current ffmpeg run: nothing of it may map below, onto indices already used. */
  #floor = 0;

  /**
   * `nextIndex` is the publisher's next free index; `continuingTimestamp()`
   * the RTP time of "now" on its stream. Undefined when the packet would map
   * before this ffmpeg run's first packet (a reordering across a restart).
   */
  stamp(input: RelayInput, nextIndex: number, continuingTimestamp: () => number): RelayStamp | undefined {
    const seq = input.sequenceNumber & 0xffff;
    let extended: number;
    if (input.source !== this.#source) {
      extended = seq;
      this.#rebase(input, extended, nextIndex, continuingTimestamp());
    } else {
      // Nearest extended number to the last one with these 16 bits.
      const delta = ((seq - (this.#lastExtended & 0xffff) + 0x8000) & 0xffff) - 0x8000;
      extended = this.#lastExtended + delta;
      if (delta > MAX_FORWARD_JUMP || delta < -MAX_REORDER) {
        extended = seq;
        this.#rebase(input, extended, nextIndex, continuingTimestamp());
      }
    }
    if (extended > this.#lastExtended) this.#lastExtended = extended;
    const index = extended + this.#indexOffset;
    // SRTP must never protect two plaintexts at one index.
    if (index < this.#floor) return undefined;
    return { index, timestamp: (input.timestamp + this.#timestampOffset) >>> 0 };
  }

  #rebase(input: RelayInput, extended: number, nextIndex: number, timestamp: number): void {
    this.#source = input.source;
    this.#lastExtended = extended;
    this.#indexOffset = nextIndex - extended;
    this.#floor = nextIndex;
    this.#timestampOffset = (timestamp - input.timestamp) >>> 0;
  }
}
