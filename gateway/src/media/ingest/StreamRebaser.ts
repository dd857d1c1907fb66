/**
 * Makes the streams of successive senders read as one: after a failover the
 * new agent's sequence numbers go on from the newest forwarded packet and its
 * timestamps advance by the wall-clock gap, so the player's jitter buffer
 * sees one stream with a pause, not a reset (the new encoder's first frame is
 * a keyframe). Pure: packets rewritten in place, time passed in.
 */
export class StreamRebaser {
  readonly #clockRate: number;
  #pending = false;
  #seqOffset = 0;
  #tsOffset = 0;
  /** Newest forwarded packet, after rewriting. */
  #last: { seq: number; ts: number; at: number } | undefined;

  constructor(clockRate: number) {
    this.#clockRate = clockRate;
  }

  /** The next packet rewritten is a new sender's first: rebase onto what was forwarded so far. */
  expectNewSender(): void {
    this.#pending = this.#last !== undefined;
  }

  /**
   * Rewrites a plain RTP packet's sequence number and timestamp in place.
   * `newest` is false for a packet older than one already forwarded (a
   * retransmission): a later rebase continues from the newest, not from it.
   */
  rewrite(packet: Buffer, newest: boolean, now: number): void {
    if (this.#pending) this.#rebaseOnto(packet, now);
    if (this.#seqOffset !== 0 || this.#tsOffset !== 0) {
      packet.writeUInt16BE((packet.readUInt16BE(2) + this.#seqOffset) & 0xffff, 2);
      packet.writeUInt32BE((packet.readUInt32BE(4) + this.#tsOffset) >>> 0, 4);
    }
    if (newest) this.#last = { seq: packet.readUInt16BE(2), ts: packet.readUInt32BE(4), at: now };
  }

  #rebaseOnto(first: Buffer, now: number): void {
    this.#pending = false;
    const last = this.#last;
    if (last === undefined) return;
    const gapMs = Math.max(1, now - last.at);
    const wantSeq = (last.seq + 1) & 0xffff;
    const wantTs = (last.ts + Math.round((gapMs * this.#clockRate) / 1000)) >>> 0;
    this.#seqOffset = (wantSeq - first.readUInt16BE(2)) & 0xffff;
    this.#tsOffset = (wantTs - first.readUInt32BE(4)) >>> 0;
  }
}
