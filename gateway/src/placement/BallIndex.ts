/** A flat coordinate space: `stride` numbers per slot, `dims` vector components then the height; NaN = no position. */
export interface CoordinateSpace {
  buffer: Float64Array;
  stride: number;
  dims: number;
}

/** Packs a ball number under a lower bound in one double, for a native numeric sort (balls < BALL_PACK). */
const BALL_PACK = 4096;
/** Slots looked at when choosing centres. */
const SAMPLE_SIZE = 4096;

/**
 * A snapshot nearest-neighbour index over a coordinate space (vector plus
 * height, distance ‖a − b‖ + h_a + h_b): slots grouped around a couple of
 * hundred centres chosen by farthest-point sampling (a one-level ball tree
 * over a k-centre cover). A search ranks balls by the least distance any
 * member could have, `max(0, ‖p − c‖ − radius) + min height + p's height`,
 * and stops at the first ball that cannot beat the k-th best found. Inside a
 * ball, members are sorted by their distance to the centre, so the triangle
 * inequality `‖p − x‖ ≥ |‖p − c‖ − ‖x − c‖|` limits the scan to a thin
 * shell. Works in any dimension and for points off the populated manifold (a
 * fitted player coordinate can be anywhere). Coordinates keep moving after
 * a snapshot: `slackMs` absorbs the drift, and the owner rebuilds every few
 * tens of seconds.
 */
export class BallIndex {
  /** Slots covered ([0, count)); newer slots must be scanned by the caller. */
  readonly count: number;
  readonly #dims: number;
  readonly #centres: Float64Array;
  readonly #radius: Float64Array;
  readonly #minHeight: Float64Array;
  /** Members of ball b are #slots[#start[b] .. #start[b + 1]), by distance to the centre. */
  readonly #start: Int32Array;
  readonly #slots: Int32Array;
  readonly #heights: Float64Array;
  readonly #centreDistances: Float64Array;
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
    centreDistances: Float64Array;
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
    this.#centreDistances = fields.centreDistances;
    this.#slackMs = fields.slackMs;
  }

  /**
   * Groups slots [0, count) of `space` around up to `balls` centres chosen by
   * farthest-point sampling over a sample of the slots, each slot in the ball
   * of its nearest centre.
   */
  static build(space: CoordinateSpace, count: number, random: () => number, balls = 192, slackMs = 2): BallIndex {
    const { buffer, stride, dims } = space;
    const located: number[] = [];
    for (let slot = 0; slot < count; slot++) if (!Number.isNaN(buffer[slot * stride]!)) located.push(slot);
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
      let farthest = 0;
      for (let i = 0; i < sampleSize; i++) {
        const o = sample[i]! * stride;
        let sq = 0;
        for (let d = 0; d < dims; d++) {
          const x = buffer[o + d]! - centres[b * dims + d]!;
          sq += x * x;
        }
        if (sq < far[i]!) far[i] = sq;
        if (far[i]! > far[farthest]!) farthest = i;
      }
      next = farthest;
    }

    const ballOf = new Int32Array(located.length);
    const toCentre = new Float64Array(located.length);
    const radius = new Float64Array(n);
    const minHeight = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
    const start = new Int32Array(n + 1);
    for (let i = 0; i < located.length; i++) {
      const o = located[i]! * stride;
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
      toCentre[i] = Math.sqrt(bestSq);
      start[best + 1]!++;
      if (toCentre[i]! > radius[best]!) radius[best] = toCentre[i]!;
      const h = buffer[o + dims]!;
      if (h < minHeight[best]!) minHeight[best] = h;
    }
    for (let b = 0; b < n; b++) start[b + 1]! += start[b]!;
    // Members by ball, then by distance to the centre (0.01 ms steps): one native sort of packed keys
    // (ball · 2^20 + distance) · 2^17 + position, exact in a double up to 131,072 slots.
    let order: number[];
    if (located.length <= 1 << 17) {
      const packed = new Float64Array(located.length);
      for (let i = 0; i < located.length; i++) {
        const q = Math.min((1 << 20) - 1, Math.round(toCentre[i]! * 100));
        packed[i] = (ballOf[i]! * (1 << 20) + q) * (1 << 17) + i;
      }
      packed.sort();
      order = Array.from(packed, (key) => key % (1 << 17));
    } else {
      order = Array.from(located.keys()).sort((a, b) => ballOf[a]! - ballOf[b]! || toCentre[a]! - toCentre[b]!);
    }
    const slots = new Int32Array(located.length);
    const heights = new Float64Array(located.length);
    const centreDistances = new Float64Array(located.length);
    order.forEach((i, at) => {
      slots[at] = located[i]!;
      heights[at] = buffer[located[i]! * stride + dims]!;
      centreDistances[at] = toCentre[i]!;
    });
    return new BallIndex({ count, dims, centres, radius, minHeight, start, slots, heights, centreDistances, slackMs });
  }

  /**
   * Calls `visit(slot)` for every member that could be closer to `point`
   * than `bound()` (re-read after every visit), most promising balls first.
   */
  search(point: Float64Array, bound: () => number, visit: (slot: number) => void): void {
    const balls = this.#radius.length;
    const offset = point[this.#dims]! - this.#slackMs;
    const toCentre = this.#centreDistancesTo(point);
    const lower = new Float64Array(balls);
    const order = new Float64Array(balls);
    for (let b = 0; b < balls; b++) {
      lower[b] = Math.max(0, toCentre[b]! - this.#radius[b]!) + this.#minHeight[b]! + offset;
      order[b] = Math.max(0, Math.floor(lower[b]! * 1000)) * BALL_PACK + b;
    }
    order.sort();
    for (let i = 0; i < balls; i++) {
      const b = order[i]! % BALL_PACK;
      if (lower[b]! >= bound()) return;
      this.#scanShell(b, toCentre[b]!, offset, bound, visit);
    }
  }

  /**
   * One slot from each of the `k` balls whose centres lie nearest `point`:
   * the member `score` ranks lowest (undefined = not eligible). The balls
   * come from a k-centre cover, so this surveys the region around a roughly
   * known point instead of crowding its densest spot.
   */
  survey(point: Float64Array, k: number, score: (slot: number) => number | undefined): number[] {
    const balls = this.#radius.length;
    const offset = point[this.#dims]! - this.#slackMs;
    const toCentre = this.#centreDistancesTo(point);
    const order = new Float64Array(balls);
    for (let b = 0; b < balls; b++) order[b] = Math.floor(toCentre[b]! * 1000) * BALL_PACK + b;
    order.sort();
    const out: number[] = [];
    for (let i = 0; i < balls && out.length < k; i++) {
      const b = order[i]! % BALL_PACK;
      let best = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      this.#scanShell(
        b,
        toCentre[b]!,
        offset,
        () => bestScore,
        (slot) => {
          const value = score(slot);
          if (value !== undefined && value < bestScore) {
            bestScore = value;
            best = slot;
          }
        },
      );
      if (best >= 0) out.push(best);
    }
    return out;
  }

  #centreDistancesTo(point: Float64Array): Float64Array {
    const dims = this.#dims;
    const balls = this.#radius.length;
    const centres = this.#centres;
    const out = new Float64Array(balls);
    for (let b = 0, c = 0; b < balls; b++, c += dims) {
      let sq = 0;
      for (let d = 0; d < dims; d++) {
        const x = point[d]! - centres[c + d]!;
        sq += x * x;
      }
      out[b] = Math.sqrt(sq);
    }
    return out;
  }

  /** Visits ball b's members outward from the shell at `toCentre`, while they could still beat `bound()`. */
  #scanShell(
    b: number,
    toCentre: number,
    offset: number,
    bound: () => number,
    visit: (slot: number) => void,
  ): void {
    const first = this.#start[b]!;
    const end = this.#start[b + 1]!;
    const distances = this.#centreDistances;
    const heights = this.#heights;
    const floor = this.#minHeight[b]! + offset;
    // Binary search for the first member at least as far from the centre as the point.
    let lo = first;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distances[mid]! < toCentre) lo = mid + 1;
      else hi = mid;
    }
    let down = lo - 1;
    let up = lo;
    let limit = bound();
    while (down >= first || up < end) {
      const gapDown = down >= first ? toCentre - distances[down]! : Number.POSITIVE_INFINITY;
      const gapUp = up < end ? distances[up]! - toCentre : Number.POSITIVE_INFINITY;
      const takeDown = gapDown <= gapUp;
      const gap = takeDown ? gapDown : gapUp;
      if (gap + floor >= limit) return; // every remaining member is at least this far
      const j = takeDown ? down-- : up++;
      if (gap + heights[j]! + offset >= limit) continue;
      visit(this.#slots[j]!);
      limit = bound();
    }
  }
}
