/**
 * SRTCP replay protection (RFC 3711 §3.3.2) for one sender: remembers the
 * SRTCP indices seen within `size` of the highest. A recorded NACK or PLI
 * replayed by someone on the path would otherwise authenticate again and
 * again, costing retransmissions and keyframes.
 */
export class ReplayWindow {
  readonly size: number;
  readonly #seen: Float64Array;
  #highest = -1;

  constructor(size = 128) {
    this.size = size;
    this.#seen = new Float64Array(size).fill(-1);
  }

  /** True (and recorded) for an index not seen before and not older than the window; false for a replay. */
  accept(index: number): boolean {
    if (index <= this.#highest - this.size) return false;
    const slot = index % this.size;
    if (index <= this.#highest && this.#seen[slot] === index) return false;
    this.#seen[slot] = index;
    if (index > this.#highest) this.#highest = index;
    return true;
  }
}
