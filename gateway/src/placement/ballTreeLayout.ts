import type { CoordinateSpace } from './CoordinateSpace.js';

/** Slots looked at when choosing the top-level centres. */
const SAMPLE_SIZE = 4096;
/** Members a leaf ball aims at. */
const LEAF_SIZE = 24;
/** Leaves per top-level ball at most. */
export const MAX_LEAVES = 64;

/**
 * A two-level ball tree as flat arrays: top balls (centre, radius, least
 * height) own the leaves #firstLeaf[t] .. #firstLeaf[t + 1]; leaves (centre,
 * radius, least height) own the members start[l] .. start[l + 1] of `slots`,
 * sorted by height, with each member's height and distance to its leaf centre.
 */
export interface BallTreeLayout {
  count: number;
  dims: number;
  topCentres: Float64Array;
  topRadius: Float64Array;
  topMinHeight: Float64Array;
  firstLeaf: Int32Array;
  leafCentres: Float64Array;
  leafRadius: Float64Array;
  leafMinHeight: Float64Array;
  start: Int32Array;
  slots: Int32Array;
  heights: Float64Array;
  centreDistances: Float64Array;
}

/**
 * Lays out the located slots of [0, count) under up to `topBalls` top-level
 * balls: top centres by farthest-point sampling of a random sample (a
 * k-centre cover, so no ball is huge), each top ball split the same way into
 * leaves of a couple of dozen slots.
 */
export function layOutBallTree(
  space: CoordinateSpace,
  count: number,
  random: () => number,
  topBalls: number,
): BallTreeLayout {
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
  const topCentres = farthestPoints(buffer, stride, dims, sample, Math.min(topBalls, sampleSize));
  const tops = topCentres.length / dims;
  const groups: number[][] = Array.from({ length: tops }, () => []);
  for (const slot of located) groups[nearestCentre(buffer, slot * stride, topCentres, dims).index]!.push(slot);

  const topRadius = new Float64Array(tops);
  const topMinHeight = new Float64Array(tops).fill(Number.POSITIVE_INFINITY);
  const firstLeaf = new Int32Array(tops + 1);
  const leafCentreList: number[] = [];
  const leafRadius: number[] = [];
  const leafMinHeight: number[] = [];
  const start: number[] = [0];
  const slots = new Int32Array(located.length);
  const heights = new Float64Array(located.length);
  const centreDistances = new Float64Array(located.length);
  let filled = 0;
  for (let t = 0; t < tops; t++) {
    const members = groups[t]!;
    firstLeaf[t] = leafRadius.length;
    for (const slot of members) {
      const o = slot * stride;
      topRadius[t] = Math.max(topRadius[t]!, Math.sqrt(distanceSq(buffer, o, topCentres, t * dims, dims)));
      topMinHeight[t] = Math.min(topMinHeight[t]!, buffer[o + dims]!);
    }
    if (members.length === 0) continue;
    const leafCount = Math.min(MAX_LEAVES, Math.ceil(members.length / LEAF_SIZE));
    const centres = farthestPoints(buffer, stride, dims, members, leafCount);
    const leaves = centres.length / dims;
    const byLeaf: { slot: number; distance: number }[][] = Array.from({ length: leaves }, () => []);
    for (const slot of members) {
      const nearest = nearestCentre(buffer, slot * stride, centres, dims);
      byLeaf[nearest.index]!.push({ slot, distance: nearest.distance });
    }
    for (let l = 0; l < leaves; l++) {
      const list = byLeaf[l]!;
      if (list.length === 0) continue;
      list.sort((a, b) => buffer[a.slot * stride + dims]! - buffer[b.slot * stride + dims]!);
      for (let d = 0; d < dims; d++) leafCentreList.push(centres[l * dims + d]!);
      let minHeight = Number.POSITIVE_INFINITY;
      for (const { slot, distance } of list) {
        slots[filled] = slot;
        heights[filled] = buffer[slot * stride + dims]!;
        centreDistances[filled] = distance;
        minHeight = Math.min(minHeight, heights[filled]!);
        filled++;
      }
      let radius = 0;
      for (const { distance } of list) radius = Math.max(radius, distance);
      leafRadius.push(radius);
      leafMinHeight.push(minHeight);
      start.push(filled);
    }
  }
  firstLeaf[tops] = leafRadius.length;
  return {
    count,
    dims,
    topCentres,
    topRadius,
    topMinHeight,
    firstLeaf,
    leafCentres: Float64Array.from(leafCentreList),
    leafRadius: Float64Array.from(leafRadius),
    leafMinHeight: Float64Array.from(leafMinHeight),
    start: Int32Array.from(start),
    slots,
    heights,
    centreDistances,
  };
}

/** The squared distance between two vectors of `dims` components at the given offsets. */
export function distanceSq(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, dims: number): number {
  let sq = 0;
  for (let d = 0; d < dims; d++) {
    const x = a[aOffset + d]! - b[bOffset + d]!;
    sq += x * x;
  }
  return sq;
}

/** `n` centres among `slots` by farthest-point sampling (the first slot starts). */
function farthestPoints(
  buffer: Float64Array,
  stride: number,
  dims: number,
  slots: readonly number[],
  n: number,
): Float64Array {
  const centres = new Float64Array(n * dims);
  const far = new Float64Array(slots.length).fill(Number.POSITIVE_INFINITY);
  let next = 0;
  let made = 0;
  for (; made < n; made++) {
    for (let d = 0; d < dims; d++) centres[made * dims + d] = buffer[slots[next]! * stride + d]!;
    let farthest = 0;
    for (let i = 0; i < slots.length; i++) {
      const sq = distanceSq(buffer, slots[i]! * stride, centres, made * dims, dims);
      if (sq < far[i]!) far[i] = sq;
      if (far[i]! > far[farthest]!) farthest = i;
    }
    if (far[farthest]! === 0) {
      made++;
      break; // every slot sits on a centre already
    }
    next = farthest;
  }
  return centres.subarray(0, made * dims);
}

function nearestCentre(
  buffer: Float64Array,
  offset: number,
  centres: Float64Array,
  dims: number,
): { index: number; distance: number } {
  let index = 0;
  let best = Number.POSITIVE_INFINITY;
  for (let c = 0, at = 0; at < centres.length; c++, at += dims) {
    const sq = distanceSq(buffer, offset, centres, at, dims);
    if (sq < best) {
      best = sq;
      index = c;
    }
  }
  return { index, distance: Math.sqrt(best) };
}
