import { unwrapSequence } from './unwrapSequence.js';

/** What the window says about a packet index before it is authenticated. */
export type ReplayVerdict = 'fresh' | 'replayed' | 'tooOld';

export interface ReplayWindowOptions {
  /**
   * Packets remembered behind the highest index (RFC 3711 asks for at least
   * 64). The default covers more than the agent's packet history (1024), so
   * a retransmission answering a NACK is never refused as too old: at 20 Mbit/s
   * 64 packets are ~40 ms, less than one round trip.
   */
  size?: number;
}

const DEFAULT_SIZE = 2048;
const MIN_SIZE = 64;
const MAX_SIZE = 1 << 16;

/**
 * RFC 3711 §3.3.2 replay list over extended packet indexes (48-bit SRTP
 * index = ROC·2^16 + seq, or the 31-bit SRTCP index). A packet is fresh if
 * its index is above the highest accepted or inside the window and not yet
 * accepted; a duplicate of an accepted one is a replay; one that fell behind
 * the window is too old. Pure state: the caller checks before authenticating
 * and accepts only after, so a forged packet cannot move the window.
 */
export class ReplayWindow {
  readonly size: number;
  readonly #seen: Uint8Array;
  /** Highest accepted index; -1 while nothing was accepted. */
  #highest = -1;

  constructor(options: ReplayWindowOptions = {}) {
    const size = options.size ?? DEFAULT_SIZE;
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new RangeError(`replay window size must be an integer in ${MIN_SIZE}..${MAX_SIZE}`);
    }
    this.size = size;
    this.#seen = new Uint8Array(size);
  }

  /** Highest accepted index, if any. */
  get highest(): number | undefined {
    return this.#highest < 0 ? undefined : this.#highest;
  }

  /**
   * The extended SRTP index of a 16-bit sequence number, guessed from the
   * highest accepted one (RFC 3711 §3.3.1); the first packet has ROC 0.
   */
  indexOf(seq: number): number {
    return this.#highest < 0 ? seq : unwrapSequence(seq, this.#highest);
  }

  check(index: number): ReplayVerdict {
    if (index < 0) return 'tooOld';
    if (this.#highest < 0 || index > this.#highest) return 'fresh';
    if (this.#highest - index >= this.size) return 'tooOld';
    return this.#seen[index % this.size] === 1 ? 'replayed' : 'fresh';
  }

  /** Records an authenticated packet; an index already behind the window is ignored. */
  accept(index: number): void {
    if (index < 0) return;
    if (index > this.#highest) {
      const advance = index - this.#highest;
      if (this.#highest < 0 || advance >= this.size) {
        this.#seen.fill(0);
      } else {
        // Slots the window slides over belong to indexes not received yet.
        for (let i = this.#highest + 1; i < index; i++) this.#seen[i % this.size] = 0;
      }
      this.#highest = index;
    } else if (this.#highest - index >= this.size) {
      return;
    }
    this.#seen[index % this.size] = 1;
  }

  /** Forgets everything (a new sender with a new key). */
  reset(): void {
    this.#highest = -1;
    this.#seen.fill(0);
  }
}
