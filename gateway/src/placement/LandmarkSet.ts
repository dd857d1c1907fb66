import type { FleetIndex } from './FleetIndex.js';
import type { ProbeCandidate } from './PlacementQuery.js';

export interface LandmarkSetOptions {
  index: FleetIndex;
  /** How long a landmark set is reused while the fleet changes around it. */
  refreshMs: number;
  /** Nodes considered when choosing landmarks (a sample keeps it cheap at 40,000 nodes). */
  sampleSize: number;
  now: () => number;
  random: () => number;
}

/**
 * Up to `k` probe-able, up nodes spread over the coordinate space (greedy
 * farthest-point sampling, i.e. a 2-approximate k-centre cover): what a
 * player nobody has located yet probes first. Cached: `refresh()` renews it
 * off the placement path; `landmarks()` computes it only when there is none
 * yet or it is far too old.
 */
export class LandmarkSet {
  readonly #options: LandmarkSetOptions;
  #landmarks: number[] = [];
  #landmarksAt = Number.NEGATIVE_INFINITY;
  #landmarksEpoch = -1;

  constructor(options: LandmarkSetOptions) {
    this.#options = options;
  }

  landmarks(k: number): ProbeCandidate[] {
    const now = this.#options.now();
    const index = this.#options.index;
    const stale = this.#landmarksEpoch !== index.epoch && now - this.#landmarksAt >= 2 * this.#options.refreshMs;
    if (stale || this.#landmarks.length < Math.min(k, index.nodeCount)) this.#compute(k, now);
    const coordinates = index.coordinates;
    const out: ProbeCandidate[] = [];
    for (const slot of this.#landmarks) {
      if (out.length >= k) break;
      // A landmark that went down since is skipped; a full one still measures fine.
      if (index.rejection(slot, 0, undefined, true) !== undefined || !index.hasProbe(slot)) continue;
      out.push({ slot, nodeId: coordinates.idOf(slot)!, url: index.probeUrl(slot)!, predictedMs: Number.NaN });
    }
    return out;
  }

  /** Recomputes the set when the fleet changed since (call it on a timer, every `refreshMs`). */
  refresh(k: number): void {
    const index = this.#options.index;
    if (this.#landmarksEpoch === index.epoch && this.#landmarks.length >= Math.min(k, index.nodeCount)) return;
    this.#compute(k, this.#options.now());
  }

  #compute(k: number, now: number): void {
    const index = this.#options.index;
    const coordinates = index.coordinates;
    const pool: number[] = [];
    for (let slot = 0; slot < index.length; slot++) {
      if (index.rejection(slot, 0, undefined, true) === undefined && index.hasProbe(slot)) pool.push(slot);
    }
    // Sample a large pool down (the cover it gives barely changes), then prefer well-placed coordinates.
    const size = this.#options.sampleSize;
    if (pool.length > size) {
      for (let i = 0; i < size; i++) {
        const j = i + Math.floor(this.#options.random() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      pool.length = size;
    }
    const chosen: number[] = [];
    if (pool.length > 0) {
      // Start from the node with the most certain coordinate.
      let firstIndex = 0;
      for (let i = 1; i < pool.length; i++) {
        if (coordinates.errorOf(pool[i]!) < coordinates.errorOf(pool[firstIndex]!)) firstIndex = i;
      }
      chosen.push(pool[firstIndex]!);
      const minDist = new Float64Array(pool.length).fill(Number.POSITIVE_INFINITY);
      // A node's distance to itself is twice its height, not 0: chosen nodes are marked out explicitly.
      minDist[firstIndex] = Number.NEGATIVE_INFINITY;
      while (chosen.length < Math.min(k, pool.length)) {
        const last = chosen[chosen.length - 1]!;
        let farIndex = -1;
        let far = -1;
        for (let i = 0; i < pool.length; i++) {
          const d = coordinates.predictBetween(pool[i]!, last);
          if (d < minDist[i]!) minDist[i] = d;
          if (minDist[i]! > far) {
            far = minDist[i]!;
            farIndex = i;
          }
        }
        if (farIndex < 0 || far < 0) break;
        chosen.push(pool[farIndex]!);
        minDist[farIndex] = Number.NEGATIVE_INFINITY;
      }
    }
    this.#landmarks = chosen;
    this.#landmarksAt = now;
    this.#landmarksEpoch = index.epoch;
  }
}
