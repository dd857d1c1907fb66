import { unwrapSequence, wireSequence } from '../ingest/unwrapSequence.js';

export interface FecSequenceMapOptions {
  /** Ingest packets this far behind the newest still get their own number (default 4096: well past the ingest's 1 s of NACK repair at 20 Mb/s). */
  historyPackets?: number;
}

/** One FEC insertion: ingest packets after `afterIngest` (extended) are shifted by `offset`. */
interface Boundary {
  afterIngest: number;
  offset: number;
}

/**
 * Output sequence numbers for the player leg when FEC packets are inserted
 * into the media's sequence space (ULPFEC shares the media SSRC). Each FEC
 * packet takes the number after the newest media packet and shifts every
 * later one by one. A packet the ingest recovers late (NACK on the agent leg)
 * gets the number it would have had on time, from the offset in effect at
 * its place, so no two packets ever share a number and the player's NACKs
 * and werift's retransmission cache keep working on output numbers.
 */
export class FecSequenceMap {
  readonly #history: number;
  /** Extended ingest number of the newest mapped packet. */
  #newest: number | undefined;
  #offset = 0;
  /** Offset of the packets before the oldest remembered boundary. */
  #floorOffset = 0;
  #boundaries: Boundary[] = [];
  /** Late packets too old to place (dropped). */
  tooOld = 0;

  constructor(options: FecSequenceMapOptions = {}) {
    this.#history = options.historyPackets ?? 4096;
  }

  /** Output number of an ingest packet; undefined when it is older than the history (drop it). */
  map(ingestSeq: number): number | undefined {
    const newest = this.#newest;
    if (newest === undefined) {
      this.#newest = ingestSeq;
      return wireSequence(ingestSeq + this.#offset);
    }
    const extended = unwrapSequence(ingestSeq, newest);
    if (extended > newest) {
      this.#newest = extended;
      this.#forget(extended);
      return wireSequence(extended + this.#offset);
    }
    if (newest - extended > this.#history) {
      this.tooOld++;
      return undefined;
    }
    return wireSequence(extended + this.#offsetAt(extended));
  }

  /** Allocates the output number of an FEC packet sent now, after the newest media packet. */
  insertFec(): number {
    const newest = this.#newest;
    if (newest === undefined) throw new RangeError('an FEC packet cannot precede every media packet');
    const seq = wireSequence(newest + this.#offset + 1);
    this.#offset++;
    this.#boundaries.push({ afterIngest: newest, offset: this.#offset });
    return seq;
  }

  /** FEC packets inserted so far. */
  get inserted(): number {
    return this.#offset;
  }

  #offsetAt(extended: number): number {
    // Boundaries ascend; late packets are usually recent, so search from the newest.
    for (let i = this.#boundaries.length - 1; i >= 0; i--) {
      const boundary = this.#boundaries[i];
      if (boundary && boundary.afterIngest < extended) return boundary.offset;
    }
    return this.#floorOffset;
  }

  #forget(newest: number): void {
    let drop = 0;
    while (drop < this.#boundaries.length && newest - (this.#boundaries[drop]?.afterIngest ?? newest) > this.#history) {
      drop++;
    }
    if (drop === 0) return;
    this.#floorOffset = this.#boundaries[drop - 1]?.offset ?? this.#floorOffset;
    this.#boundaries = this.#boundaries.slice(drop);
  }
}
