import { type BallTreeLayout, distanceSq, layOutBallTree, MAX_LEAVES } from './ballTreeLayout.js';
import type { CoordinateSpace } from './CoordinateSpace.js';

export type { CoordinateSpace } from './CoordinateSpace.js';

/** Packs an index under a lower bound in one double, for a native numeric sort (index < PACK). */
const PACK = 4096;

/**
 * A snapshot nearest-neighbour index over a coordinate space (vector plus
 * height; distance ‖a − b‖ + h_a + h_b): a two-level ball tree. Top-level
 * centres come from farthest-point sampling (a k-centre cover, so no ball is
 * huge); each top ball is split the same way into leaves of a couple of dozen
 * slots. A search visits balls in order of the least distance any member
 * could have, `max(0, ‖p − c‖ − radius) + least height + p's height`, and
 * stops where that cannot beat the k-th best found. Leaf members are sorted
 * by height (heights, i.e. last miles, spread wider than a leaf): a leaf's
 * scan stops at the first member whose height alone rules the rest out, and
 * the triangle inequality `‖p − x‖ ≥ |‖p − c‖ − ‖x − c‖|` screens each
 * member before the caller computes a distance. Works in any dimension
 * and for points off the populated manifold (a fitted player coordinate can
 * be anywhere). Coordinates keep moving after a snapshot: `slackMs` absorbs
 * the drift; the owner rebuilds every few tens of seconds.
 */
export class BallIndex {
  /** Slots covered ([0, count)); newer slots must be scanned by the caller. */
  readonly count: number;
  readonly #dims: number;
  readonly #slackMs: number;
  // Top level: centres, radius, least height, and their leaves #firstLeaf[t] .. #firstLeaf[t + 1].
  readonly #topCentres: Float64Array;
  readonly #topRadius: Float64Array;
  readonly #topMinHeight: Float64Array;
  readonly #firstLeaf: Int32Array;
  // Leaves: centres, radius, least height, and their members #start[l] .. #start[l + 1] of #slots.
  readonly #leafCentres: Float64Array;
  readonly #leafRadius: Float64Array;
  readonly #leafMinHeight: Float64Array;
  readonly #start: Int32Array;
  readonly #slots: Int32Array;
  readonly #heights: Float64Array;
  readonly #centreDistances: Float64Array;
  // Members with a free slot per leaf and per top ball, and each slot's leaf (-1: not covered):
  // a search for free nodes skips balls whose members are all full (a busy fleet is mostly full).
  readonly #leafOf: Int32Array;
  /** Per member position: has a free slot (1) or not; members are found by `#positionOf[slot]`. */
  readonly #memberFree: Uint8Array;
  readonly #positionOf: Int32Array;
  // Scratch arrays reused by every search (no allocation on the placement path; searches do not nest).
  readonly #topLower: Float64Array;
  readonly #topOrder: Float64Array;
  readonly #leafLower = new Float64Array(MAX_LEAVES);
  readonly #leafToCentre = new Float64Array(MAX_LEAVES);
  readonly #leafOrder = new Float64Array(MAX_LEAVES);
  readonly #leafFree: Int32Array;
  readonly #topFree: Int32Array;
  readonly #topOfLeaf: Int32Array;

  private constructor(fields: BallTreeLayout & { slackMs: number; hasFree: (slot: number) => boolean }) {
    this.count = fields.count;
    this.#dims = fields.dims;
    this.#slackMs = fields.slackMs;
    this.#topCentres = fields.topCentres;
    this.#topRadius = fields.topRadius;
    this.#topMinHeight = fields.topMinHeight;
    this.#firstLeaf = fields.firstLeaf;
    this.#leafCentres = fields.leafCentres;
    this.#leafRadius = fields.leafRadius;
    this.#leafMinHeight = fields.leafMinHeight;
    this.#start = fields.start;
    this.#slots = fields.slots;
    this.#heights = fields.heights;
    this.#centreDistances = fields.centreDistances;
    const leaves = fields.leafRadius.length;
    this.#leafOf = new Int32Array(fields.count).fill(-1);
    this.#positionOf = new Int32Array(fields.count).fill(-1);
    this.#topLower = new Float64Array(fields.topRadius.length);
    this.#topOrder = new Float64Array(fields.topRadius.length);
    this.#memberFree = new Uint8Array(fields.slots.length);
    this.#leafFree = new Int32Array(leaves);
    this.#topFree = new Int32Array(fields.topRadius.length);
    this.#topOfLeaf = new Int32Array(leaves);
    for (let t = 0; t < fields.topRadius.length; t++) {
      for (let l = fields.firstLeaf[t]!; l < fields.firstLeaf[t + 1]!; l++) this.#topOfLeaf[l] = t;
    }
    for (let l = 0; l < leaves; l++) {
      for (let j = fields.start[l]!; j < fields.start[l + 1]!; j++) {
        const slot = fields.slots[j]!;
        this.#leafOf[slot] = l;
        this.#positionOf[slot] = j;
        if (fields.hasFree(slot)) {
          this.#memberFree[j] = 1;
          this.#leafFree[l]!++;
          this.#topFree[this.#topOfLeaf[l]!]!++;
        }
      }
    }
  }

  /** Keeps the free-member counts true as a covered slot fills up or frees (FleetIndex.onAvailability). */
  setAvailable(slot: number, hasFree: boolean): void {
    const l = slot < this.count ? this.#leafOf[slot]! : -1;
    if (l < 0) return;
    const j = this.#positionOf[slot]!;
    if (this.#memberFree[j] === (hasFree ? 1 : 0)) return;
    this.#memberFree[j] = hasFree ? 1 : 0;
    const delta = hasFree ? 1 : -1;
    this.#leafFree[l]! += delta;
    this.#topFree[this.#topOfLeaf[l]!]! += delta;
  }

  /** Indexes the located slots of [0, count) under up to `topBalls` top-level balls. */
  static build(
    space: CoordinateSpace,
    count: number,
    random: () => number,
    hasFree: (slot: number) => boolean = () => true,
    topBalls = 96,
    slackMs = 2,
  ): BallIndex {
    return new BallIndex({ ...layOutBallTree(space, count, random, topBalls), slackMs, hasFree });
  }

  /**
   * Calls `visit(slot)` for every member that could be closer to `point`
   * than `bound()` (re-read as the search goes), most promising balls first;
   * with `freeOnly`, balls whose members are all full are skipped. With
   * `live` (the space as it is now), members are also screened by their
   * current height, so only a member's position drift needs the slack.
   */
  search(
    point: Float64Array,
    bound: () => number,
    visit: (slot: number) => void,
    freeOnly = false,
    live?: CoordinateSpace,
  ): void {
    const dims = this.#dims;
    const offset = point[dims]! - this.#slackMs;
    const tops = this.#topRadius.length;
    const topLower = this.#topLower;
    const order = this.#topOrder;
    for (let t = 0; t < tops; t++) {
      const reach = Math.sqrt(distanceSq(point, 0, this.#topCentres, t * dims, dims)) - this.#topRadius[t]!;
      topLower[t] = Math.max(0, reach) + this.#topMinHeight[t]! + offset;
      order[t] = packed(topLower[t]!, t);
    }
    order.sort();
    for (let i = 0; i < tops; i++) {
      const t = order[i]! % PACK;
      if (topLower[t]! >= bound()) return;
      if (freeOnly && this.#topFree[t] === 0) continue;
      this.#searchLeaves(t, point, offset, bound, visit, freeOnly, live);
    }
  }

  /**
   * One slot from around each of the `k` top-level balls whose centres lie
   * nearest `point`: the member `score` ranks lowest (undefined = not
   * eligible). The top balls form a k-centre cover, so this surveys the region
   * around a roughly known point instead of crowding its densest spot.
   */
  survey(
    point: Float64Array,
    k: number,
    score: (slot: number) => number | undefined,
    freeOnly = false,
    live?: CoordinateSpace,
  ): number[] {
    const dims = this.#dims;
    const offset = point[dims]! - this.#slackMs;
    const tops = this.#topRadius.length;
    const order = this.#topOrder;
    for (let t = 0; t < tops; t++)
      order[t] = packed(Math.sqrt(distanceSq(point, 0, this.#topCentres, t * dims, dims)), t);
    order.sort();
    const out: number[] = [];
    for (let i = 0; i < tops && out.length < k; i++) {
      const t = order[i]! % PACK;
      if (freeOnly && this.#topFree[t] === 0) continue;
      let best = -1;
      let bestScore = Number.POSITIVE_INFINITY;
      this.#searchLeaves(
        t,
        point,
        offset,
        () => bestScore,
        (slot) => {
          const value = score(slot);
          if (value !== undefined && value < bestScore) {
            bestScore = value;
            best = slot;
          }
        },
        freeOnly,
        live,
      );
      if (best >= 0) out.push(best);
    }
    return out;
  }

  /** Visits top ball t's leaves nearest first, each scanned outward from the point's shell. */
  #searchLeaves(
    t: number,
    point: Float64Array,
    offset: number,
    bound: () => number,
    visit: (slot: number) => void,
    freeOnly: boolean,
    live: CoordinateSpace | undefined,
  ): void {
    const dims = this.#dims;
    const first = this.#firstLeaf[t]!;
    const leaves = this.#firstLeaf[t + 1]! - first;
    const lower = this.#leafLower;
    const toCentre = this.#leafToCentre;
    const order = this.#leafOrder.subarray(0, leaves);
    for (let i = 0; i < leaves; i++) {
      const l = first + i;
      toCentre[i] = Math.sqrt(distanceSq(point, 0, this.#leafCentres, l * dims, dims));
      lower[i] = Math.max(0, toCentre[i]! - this.#leafRadius[l]!) + this.#leafMinHeight[l]! + offset;
      order[i] = packed(lower[i]!, i);
    }
    order.sort();
    for (let j = 0; j < leaves; j++) {
      const i = order[j]! % PACK;
      if (lower[i]! >= bound()) return;
      if (freeOnly && this.#leafFree[first + i] === 0) continue;
      this.#scanShell(first + i, toCentre[i]!, offset, bound, visit, live, freeOnly);
    }
  }

  /** Visits leaf l's members lowest height first, while they could still beat `bound()`. */
  #scanShell(
    l: number,
    toCentre: number,
    offset: number,
    bound: () => number,
    visit: (slot: number) => void,
    live: CoordinateSpace | undefined,
    freeOnly: boolean,
  ): void {
    const end = this.#start[l + 1]!;
    const distances = this.#centreDistances;
    const heights = this.#heights;
    const slack = this.#slackMs;
    const pointHeight = offset + slack;
    // Every member is at least this far from the point, before its height.
    const reach = Math.max(0, toCentre - this.#leafRadius[l]!) + offset;
    const liveBuffer = live?.buffer;
    const liveStride = live?.stride ?? 0;
    const liveHeight = live?.dims ?? 0;
    let limit = bound();
    for (let j = this.#start[l]!; j < end; j++) {
      if (reach + heights[j]! >= limit) return; // the rest are no lower
      if (freeOnly && this.#memberFree[j] === 0) continue;
      const gap = Math.abs(toCentre - distances[j]!);
      const slot = this.#slots[j]!;
      if (liveBuffer) {
        // The height as it is now; the slack only for how far the position may have moved.
        const height = liveBuffer[slot * liveStride + liveHeight]!;
        if (Math.max(0, gap - slack) + height + pointHeight >= limit) continue;
      } else if (gap + heights[j]! + offset >= limit) continue;
      visit(slot);
      limit = bound();
    }
  }
}

/** A lower bound (µs precision, never negative) and an index in one double that sorts by the bound. */
function packed(bound: number, index: number): number {
  return Math.max(0, Math.min(2 ** 40, Math.floor(bound * 1000))) * PACK + index;
}
