import { encodeUlpfec, type ProtectedPacket, ULPFEC_MASK_SPAN } from './encodeUlpfec.js';

export interface FecGroupPlannerOptions {
  /**
   * A group waits at most this many frame ends for more packets before its
   * FEC goes out (default 2): a loss early in the group is repaired only when
   * its FEC arrives, so this bounds the wait to about one frame.
   */
  maxFramesPerGroup?: number;
}

/** A media packet offered for protection, in send order. */
export interface PlannedPacket extends ProtectedPacket {
  /** RTP marker: the last packet of a frame. FEC is only ever sent right after one. */
  marker: boolean;
}

export interface FecGroupCounters {
  /** Media packets covered by an FEC packet. */
  protected: number;
  /** Media packets that went out unprotected: reordered or late, dropped from a group past the receiver's window, or sent while protection was off. */
  unprotected: number;
  /** FEC payloads produced. */
  fecPackets: number;
}

/**
 * Packets a libwebrtc ULPFEC receiver keeps to decode FEC with
 * (kUlpfecMaxMediaPackets): an FEC packet arriving after more than this many
 * newer media packets finds its own gone. Frames longer than this keep only
 * their last 48 packets protected (libwebrtc's own sender protects at most 48
 * a frame, too).
 */
export const RECEIVER_MEDIA_WINDOW = 48;

/**
 * Decides which media packets each ULPFEC packet protects and when it is
 * sent. FEC goes out only right after a frame's last packet (marker): Chromium's
 * packet buffer needs a frame's packets on consecutive sequence numbers (an
 * FEC packet in between would leave the frame unassembled), and its ULPFEC
 * decoder keeps only the last 48 media packets. A group of about
 * `packetsPerFec` × k packets gets k FEC packets, each with a 16-bit mask
 * (L = 0) over one 16-number block, packets dealt round-robin so a burst of k
 * losses within a block is still repaired. A frame of fewer than
 * `packetsPerFec` packets shares its group with the next frame (at most
 * `maxFramesPerGroup`): one FEC packet costs a full-size packet, so FEC over
 * every 3-packet frame would cost a third of the bitrate.
 */
export class FecGroupPlanner {
  readonly counters: FecGroupCounters = { protected: 0, unprotected: 0, fecPackets: 0 };
  readonly #maxFrames: number;
  #packetsPerFec: number | undefined;
  #pending: PlannedPacket[] = [];
  #framesPending = 0;
  #lastSeq: number | undefined;

  constructor(options: FecGroupPlannerOptions = {}) {
    this.#maxFrames = options.maxFramesPerGroup ?? 2;
  }

  /** Media packets per FEC packet (about; 1–16), or undefined: no protection. */
  get packetsPerFec(): number | undefined {
    return this.#packetsPerFec;
  }

  setPacketsPerFec(packetsPerFec: number | undefined): void {
    if (packetsPerFec !== undefined && !(packetsPerFec >= 1 && packetsPerFec <= ULPFEC_MASK_SPAN)) {
      throw new RangeError(`packetsPerFec must be 1–${ULPFEC_MASK_SPAN}, got ${packetsPerFec}`);
    }
    if (packetsPerFec === undefined) this.#dropPending();
    this.#packetsPerFec = packetsPerFec === undefined ? undefined : Math.round(packetsPerFec);
  }

  /** Takes the next media packet sent; returns the FEC payloads to send right after it (often none). */
  add(packet: PlannedPacket): Buffer[] {
    const perFec = this.#packetsPerFec;
    if (!this.#inOrder(packet.seq) || perFec === undefined) {
      this.counters.unprotected++;
      return [];
    }
    this.#pending.push(packet);
    while (
      this.#pending.length > 0 &&
      ((packet.seq - (this.#pending[0]?.seq ?? 0)) & 0xffff) >= RECEIVER_MEDIA_WINDOW
    ) {
      this.#pending.shift();
      this.counters.unprotected++;
    }
    if (!packet.marker) return [];
    this.#framesPending++;
    if (this.#pending.length < perFec && this.#framesPending < this.#maxFrames) return [];
    return this.#flush(perFec);
  }

  /** A media packet sent while protection is off (its bytes are never needed): keeps the order. */
  skip(seq: number): void {
    this.#inOrder(seq);
    this.counters.unprotected++;
  }

  /** Newer than every packet so far (and remembered as the newest); false: a late packet or a retransmission, whose group already left. */
  #inOrder(seq: number): boolean {
    const last = this.#lastSeq;
    if (last !== undefined) {
      const ahead = (seq - last) & 0xffff;
      if (ahead === 0 || ahead >= 0x8000) return false;
    }
    this.#lastSeq = seq;
    return true;
  }

  #flush(perFec: number): Buffer[] {
    const out: Buffer[] = [];
    let block: PlannedPacket[] = [];
    const encodeBlock = (): void => {
      if (block.length === 0) return;
      const fecCount = Math.max(1, Math.round(block.length / perFec));
      for (let k = 0; k < fecCount; k++) {
        const members = block.filter((_, index) => index % fecCount === k);
        const base = members[0]?.seq;
        if (base !== undefined) out.push(encodeUlpfec(members, base));
      }
      this.counters.protected += block.length;
      block = [];
    };
    for (const packet of this.#pending) {
      const blockBase = block[0]?.seq;
      if (blockBase !== undefined && ((packet.seq - blockBase) & 0xffff) >= ULPFEC_MASK_SPAN) encodeBlock();
      block.push(packet);
    }
    encodeBlock();
    this.counters.fecPackets += out.length;
    this.#pending = [];
    this.#framesPending = 0;
    return out;
  }

  #dropPending(): void {
    this.counters.unprotected += this.#pending.length;
    this.#pending = [];
    this.#framesPending = 0;
  }
}
