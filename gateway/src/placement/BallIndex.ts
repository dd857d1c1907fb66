/** A flat coordinate space: `stride` numbers per slot, `dims` vector components then the height; NaN = no position. */
export interface CoordinateSpace {
  buffer: Float64Array;
  stride: number;
  dims: number;
}

/**
 * A snapshot nearest-neighbour index over a coordinate space: slots grouped
 * around a few hundred centres (one-level ball tree), each ball with its
 * radius and smallest height. A search ranks the balls by the least distance
 * any member could have, `max(0, ‖p − centre‖ − radius) + height + p's
 * height`, and stops at the first ball that cannot beat the k-th best found;
 * inside a ball members are sorted by height, so the scan of a ball stops
 * early too. Works in any dimension and for points off the populated
 * manifold (a fitted player coordinate can be anywhere). Coordinates keep
 * moving after a snapshot: `slackMs` absorbs the drift, and the owner
 * rebuilds every few tens of seconds.
 */
/** Packs a ball number under a lower bound in one double (balls < BALL_PACK). */
const BALL_PACK = 4096;

/** Slots looked at when choosing centres. */
const SAMPLE_SIZE = 4096;

export class BallIndex {
  /** Slots covered ([0, count)); newer slots must be scanned by the caller. */
  readonly count: number;
  readonly #dims: number;
  readonly #centres: Float64Array;
  readonly #radius: Float64Array;
  readonly #minHeight: Float64Array;
  readonly #start: Int32Array;
  readonly #slots: Int32Array;
  readonly #heights: Float64Array;
  readonly #slackMs: number;

  private constructor(fields: {
    count: number;
    dims: number;
    centres: Float64Array;
    radius: Float64Array;
    minHeight: Float64Array;
    start: Int32Array;
    slots: Int32Array;
    heights: Float64Array;
    slackMs: number;
  }) {
    this.count = fields.count;
    this.#dims = fields.dims;
    this.#centres = fields.centres;
    this.#radius = fields.radius;
    this.#minHeight = fields.minHeight;
    this.#start = fields.start;
    this.#slots = fields.slots;
    this.#heights = fields.heights;
    this.#slackMs = fields.slackMs;
  }

  /**
   * Groups slots [0, count) of `space` around up to `balls` centres chosen by
   * farthest-point sampling over a sample of the slots (a k-centre cover, so
   * no ball is huge), each slot in the ball of its nearest centre.
   */
  static build(
    space: CoordinateSpace,
    count: number,
    random: () => number,
    balls = Number((globalThis as { BALLS?: number }).BALLS ?? 192),
    slackMs = 2,
  ): BallIndex {
    const { buffer, stride, dims } = space;
    const located: number[] = [];
    for (let slot = 0; slot < count; slot++) if (!Number.isNaN(buffer[slot * stride]!)) located.push(slot);
    const distanceSq = (slot: number, centre: Float64Array, at: number): number => {
      let sq = 0;
      for (let d = 0; d < dims; d++) {
        const x = buffer[slot * stride + d]! - centre[at + d]!;
        sq += x * x;
      }
      return sq;
    };
    // Farthest-point sampling on a sample of the slots picks the centres.
    const sample = located.slice();
    const sampleSize = Math.min(sample.length, SAMPLE_SIZE);
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(random() * (sample.length - i));
      [sample[i], sample[j]] = [sample[j]!, sample[i]!];
    }
    sample.length = sampleSize;
    const n = Math.min(balls, sampleSize);
    const centres = new Float64Array(n * dims);
    const far = new Float64Array(sampleSize).fill(Number.POSITIVE_INFINITY);
    let next = 0;
    for (let b = 0; b < n; b++) {
      for (let d = 0; d < dims; d++) centres[b * dims + d] = buffer[sample[next]! * stride + d]!;
      let farthest = -1;
      for (let i = 0; i < sampleSize; i++) {
        const sq = distanceSq(sample[i]!, centres, b * dims);
        if (sq < far[i]!) far[i] = sq;
        if (farthest < 0 || far[i]! > far[farthest]!) farthest = i;
      }
      next = Math.max(0, farthest);
    }
    const ballOf = new Int32Array(located.length);
    const radius = new Float64Array(n);
    const minHeight = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    const counts = new Int32Array(n + 1);
    for (let i = 0; i < located.length; i++) {
      const slot = located[i]!;
      const o = slot * stride;
      let best = 0;
      let bestSq = Number.POSITIVE_INFINITY;
      for (let b = 0, c = 0; b < n; b++, c += dims) {
        let sq = 0;
        for (let d = 0; d < dims; d++) {
          const x = buffer[o + d]! - centres[c + d]!;
          sq += x * x;
        }
        if (sq < bestSq) {
          bestSq = sq;
          best = b;
        }
      }
      ballOf[i] = best;
      counts[best + 1]!++;
      const r = Math.sqrt(bestSq);
      if (r > radius[best]!) radius[best] = r;
      const h = buffer[slot * stride + dims]!;
      if (h < minHeight[best]!) minHeight[best] = h;
    }
    for (let b = 0; b < n; b++) counts[b + 1]! += counts[b]!;
    const fill = counts.slice(0, n);
    const slots = new Int32Array(located.length);
    for (let i = 0; i < located.length; i++) slots[fill[ballOf[i]!]!++] = located[i]!;
    const heightOf = (slot: number) => buffer[slot * stride + dims]!;
    for (let b = 0; b < n; b++) slots.subarray(counts[b]!, counts[b + 1]!).sort((x, y) => heightOf(x) - heightOf(y));
    const heights = new Float64Array(slots.length);
    for (let i = 0; i < slots.length; i++) heights[i] = heightOf(slots[i]!);
    return new BallIndex({ count, dims, centres, radius, minHeight, start: counts, slots, heights, slackMs });
  }

  /**
   * Calls `visit(slot)` for every member of every ball that could hold a slot
   * closer to `point` than `bound()` (re-read as the search goes), most
   * promising balls first.
   */
  search(point: Float64Array, bound: () => number, visit: (slot: number) => void): void {
    const dims = this.#dims;
    const balls = this.#radius.length;
    ((globalThis as any).S ??= { balls: 0, members: 0, searches: 0 }).searches++;
    const ph = point[dims]!;
    const centres = this.#centres;
    const lower = new Float64Array(balls);
    const reach = new Float64Array(balls);
    for (let b = 0, c = 0; b < balls; b++, c += dims) {
      let sq = 0;
      for (let d = 0; d < dims; d++) {
        const x = point[d]! - centres[c + d]!;
        sq += x * x;
      }
      reach[b] = Math.max(0, Math.sqrt(sq) - this.#radius[b]!) + ph - this.#slackMs;
      lower[b] = reach[b]! + this.#minHeight[b]!;
    }
    // Order the balls by lower bound with a native numeric sort: bound (µs, integer) and ball packed in one double.
    const order = new Float64Array(balls);
    for (let b = 0; b < balls; b++) order[b] = Math.max(0, Math.floor(lower[b]! * 1000)) * BALL_PACK + b;
    order.sort();
    for (let i = 0; i < balls; i++) {
      const b = order[i]! % BALL_PACK;
      if (lower[b]! >= bound()) return;
      const S = ((globalThis as any).S ??= { balls: 0, members: 0, searches: 0 }); S.balls++;
      const base = reach[b]!;
      for (let j = this.#start[b]!; j < this.#start[b + 1]!; j++) {
        if (base + this.#heights[j]! >= bound()) break;
        (globalThis as any).S.members++;
        visit(this.#slots[j]!);
      }
    }
  }
}
