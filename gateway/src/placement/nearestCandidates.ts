import type { BallIndex, CoordinateSpace } from './BallIndex.js';
import type { FleetIndex } from './FleetIndex.js';
import type { CompiledQuery, ProbeCandidate } from './PlacementQuery.js';

/** Where to search: a flat coordinate space of the fleet and, for large fleets, its ball index. */
export interface NearestSearch {
  index: FleetIndex;
  space: CoordinateSpace;
  nearIndex: BallIndex | undefined;
}

/**
 * The k nearest eligible, probe-able slots to `point` in a flat coordinate
 * space (network coordinates or declared locations), nearest first, via its
 * ball index when it has one. With `ignoreCapacity` full nodes count too.
 */
export function nearestCandidates(
  search: NearestSearch,
  query: CompiledQuery,
  point: Float64Array,
  k: number,
  skip: ReadonlySet<number> | undefined,
  ignoreCapacity: boolean,
): ProbeCandidate[] {
  const { index, space, nearIndex } = search;
  const { buffer, stride, dims } = space;
  const bestSlots = new Int32Array(k).fill(-1);
  const bestDist = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
  let worst = Number.POSITIVE_INFINITY;
  let filled = 0;
  const pointHeight = point[dims]!;
  const consider = (slot: number): void => {
    const offset = slot * stride;
    // Cheapest tests first: the height alone, then the distance, can rule a node out; the
    // constraint checks only run for nodes that would make the list.
    const floor = buffer[offset + dims]! + pointHeight;
    if (!(floor < worst)) return; // also drops NaN (no position)
    let sum = 0;
    for (let i = 0; i < dims; i++) {
      const d = point[i]! - buffer[offset + i]!;
      sum += d * d;
    }
    const distance = Math.sqrt(sum) + floor;
    if (!(distance < worst)) return;
    if (
      ignoreCapacity
        ? index.rejection(slot, query.caps, query.regions, true) !== undefined
        : !index.eligible(slot, query.caps, query.regions)
    ) {
      return;
    }
    if (!index.hasProbe(slot) || query.exclude.has(slot) || skip?.has(slot)) return;
    // Insertion into the small sorted arrays.
    let at = filled < k ? filled++ : k - 1;
    while (at > 0 && bestDist[at - 1]! > distance) {
      bestDist[at] = bestDist[at - 1]!;
      bestSlots[at] = bestSlots[at - 1]!;
      at--;
    }
    bestDist[at] = distance;
    bestSlots[at] = slot;
    if (filled === k) worst = bestDist[k - 1]!;
  };
  if (nearIndex) {
    nearIndex.search(point, () => worst, consider, !ignoreCapacity, space);
    for (let slot = nearIndex.count; slot < index.length; slot++) consider(slot);
  } else {
    for (let slot = 0; slot < index.length; slot++) consider(slot);
  }
  const coordinates = index.coordinates;
  const out: ProbeCandidate[] = [];
  for (let i = 0; i < filled; i++) {
    const slot = bestSlots[i]!;
    out.push({ slot, nodeId: coordinates.idOf(slot)!, url: index.probeUrl(slot)!, predictedMs: bestDist[i]! });
  }
  return out;
}
