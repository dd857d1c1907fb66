import type { FleetIndex } from './FleetIndex.js';
import type { CompiledQuery, LatencySource, PlacementAlternative } from './PlacementQuery.js';

/** The objective's knobs: what counts as equal latency and equal reputation. */
export interface PlacementObjective {
  /** RTTs within the same band count as equal latency. */
  latencyBandMs: number;
  /** Reputation differences smaller than this do not reorder nodes. */
  reputationStep: number;
}

/**
 * One pass over candidate nodes with their RTTs: the best free node within
 * budget, the closest free one over it, and the in-budget ones that are only
 * full (a queued player waits for these).
 */
export class NodeChoice {
  best: { slot: number; rtt: number } | undefined;
  closest: PlacementAlternative | undefined;
  readonly waitFor: number[] = [];
  anyFree = false;
  readonly #index: FleetIndex;
  readonly #objective: PlacementObjective;
  readonly #query: CompiledQuery;

  constructor(index: FleetIndex, objective: PlacementObjective, query: CompiledQuery) {
    this.#index = index;
    this.#objective = objective;
    this.#query = query;
  }

  consider(slot: number, rtt: number, source: LatencySource): void {
    const index = this.#index;
    const query = this.#query;
    if (query.exclude.has(slot) || index.rejection(slot, query.caps, query.regions, true) !== undefined) return;
    const free = index.free(slot) > 0;
    if (free) this.anyFree = true;
    if (rtt <= query.budgetMs) {
      if (!free) this.waitFor.push(slot);
      else if (!this.best || ranksBefore(index, this.#objective, slot, rtt, this.best.slot, this.best.rtt))
        this.best = { slot, rtt };
    } else if (free && (!this.closest || rtt < this.closest.rttMs)) {
      this.closest = { nodeId: index.coordinates.idOf(slot)!, rttMs: rtt, source };
    }
  }
}

/**
 * True when (slotA, rttA) beats (slotB, rttB) under the objective: lowest
 * latency band, then reputation, price, free-slot fraction, exact RTT, node id.
 */
export function ranksBefore(
  index: FleetIndex,
  objective: PlacementObjective,
  slotA: number,
  rttA: number,
  slotB: number,
  rttB: number,
): boolean {
  const band = objective.latencyBandMs;
  const bandA = Math.floor(rttA / band);
  const bandB = Math.floor(rttB / band);
  if (bandA !== bandB) return bandA < bandB;
  const step = objective.reputationStep;
  const repA = Math.round(index.reputation(slotA) / step);
  const repB = Math.round(index.reputation(slotB) / step);
  if (repA !== repB) return repA > repB;
  const priceA = index.price(slotA);
  const priceB = index.price(slotB);
  if (priceA !== priceB) return priceA < priceB;
  const loadA = index.free(slotA) / Math.max(1, index.capacity(slotA));
  const loadB = index.free(slotB) / Math.max(1, index.capacity(slotB));
  if (loadA !== loadB) return loadA > loadB;
  if (rttA !== rttB) return rttA < rttB;
  return index.coordinates.idOf(slotA)! < index.coordinates.idOf(slotB)!;
}
