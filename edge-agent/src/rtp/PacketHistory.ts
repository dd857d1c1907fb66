import { RTP_PACKET_SIZE } from '../encoder/buildEncoderArgs.js';

export interface PacketHistoryOptions {
  /** Packets kept; 1024 by default (about 1 s of 8 Mbit/s video). */
  capacity?: number;
  /** A packet older than this is gone: a NACK for it arrives too late to help. 1000 ms by default. */
  maxAgeMs?: number;
  /** Largest packet stored; RTP_PACKET_SIZE by default. */
  maxPacketBytes?: number;
}

/** A stored packet; `packet` is a view into the history's slot and is valid until the next put(). */
export interface StoredPacket {
  /** Extended sequence number (rollovers × 65536 + sequence number). */
  index: number;
  packet: Uint8Array;
  sentAtMs: number;
  /** When it was last retransmitted; undefined if never. */
  resentAtMs: number | undefined;
}

/**
 * The plaintext RTP packets sent recently, for answering NACKs: a ring of
 * preallocated slots keyed by extended sequence number, so recording a packet
 * copies bytes and allocates nothing. Bounded by count and by age.
 */
export class PacketHistory {
  readonly capacity: number;
  readonly maxAgeMs: number;
  readonly maxPacketBytes: number;
  readonly #storage: Uint8Array;
  readonly #index: Float64Array;
  readonly #length: Uint16Array;
  readonly #sentAt: Float64Array;
  readonly #resentAt: Float64Array;
  #highest = -1;

  constructor(options: PacketHistoryOptions = {}) {
    this.capacity = options.capacity ?? 1024;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.maxPacketBytes = options.maxPacketBytes ?? RTP_PACKET_SIZE;
    if (!Number.isInteger(this.capacity) || this.capacity < 1 || this.capacity > 32_768) {
      throw new RangeError('history capacity must be an integer in 1..32768');
    }
    if (!Number.isInteger(this.maxPacketBytes) || this.maxPacketBytes < 1 || this.maxPacketBytes > 0xffff) {
      throw new RangeError('history maxPacketBytes must be an integer in 1..65535');
    }
    this.#storage = new Uint8Array(this.capacity * this.maxPacketBytes);
    this.#index = new Float64Array(this.capacity).fill(-1);
    this.#length = new Uint16Array(this.capacity);
    this.#sentAt = new Float64Array(this.capacity);
    this.#resentAt = new Float64Array(this.capacity).fill(Number.NaN);
  }

  /** Copies `packet` in under extended sequence number `index`; false if too big or older than the ring. */
  put(index: number, packet: Uint8Array, nowMs: number): boolean {
    if (packet.length > this.maxPacketBytes || index < 0 || index <= this.#highest - this.capacity) return false;
    const slot = index % this.capacity;
    this.#storage.set(packet, slot * this.maxPacketBytes);
    this.#index[slot] = index;
    this.#length[slot] = packet.length;
    this.#sentAt[slot] = nowMs;
    this.#resentAt[slot] = Number.NaN;
    if (index > this.#highest) this.#highest = index;
    return true;
  }

  /** The packet with 16-bit `sequenceNumber`, if still held and younger than maxAgeMs. */
  get(sequenceNumber: number, nowMs: number): StoredPacket | undefined {
    if (this.#highest < 0) return undefined;
    // Sequence numbers wrap: the wanted packet is the most recent one with these 16 bits.
    const behind = ((this.#highest & 0xffff) - (sequenceNumber & 0xffff)) & 0xffff;
    if (behind >= this.capacity) return undefined;
    const index = this.#highest - behind;
    if (index < 0) return undefined;
    const slot = index % this.capacity;
    if (this.#index[slot] !== index) return undefined;
    const sentAtMs = this.#sentAt[slot]!;
    if (nowMs - sentAtMs > this.maxAgeMs) return undefined;
    const resentAt = this.#resentAt[slot]!;
    const start = slot * this.maxPacketBytes;
    return {
      index,
      packet: this.#storage.subarray(start, start + this.#length[slot]!),
      sentAtMs,
      resentAtMs: Number.isNaN(resentAt) ? undefined : resentAt,
    };
  }

  /** Records a retransmission of the packet at `index`. */
  markResent(index: number, nowMs: number): void {
    const slot = index % this.capacity;
    if (this.#index[slot] === index) this.#resentAt[slot] = nowMs;
  }

  /** Forgets everything (a new stream starts). */
  clear(): void {
    this.#index.fill(-1);
    this.#highest = -1;
  }
}
