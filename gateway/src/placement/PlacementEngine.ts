import { fitCoordinate } from '@frameway/protocol';
import { BallIndex } from './BallIndex.js';
import { capabilityMask, type FleetIndex, writeGeoPoint } from './FleetIndex.js';
import { LandmarkSet } from './LandmarkSet.js';
import { NodeChoice, ranksBefore } from './NodeChoice.js';
import { nearestCandidates } from './nearestCandidates.js';
import type {
  ChooseOptions,
  CompiledQuery,
  LatencySource,
  PlacementDecision,
  PlacementQuery,
  ProbeCandidate,
} from './PlacementQuery.js';

/** Fleets smaller than this are scanned node by node (an index does not pay off). */
const INDEX_MIN_NODES = 512;

export type {
  ChooseOptions,
  CompiledQuery,
  LatencySource,
  PlacementAlternative,
  PlacementDecision,
  PlacementQuery,
  ProbeCandidate,
} from './PlacementQuery.js';

export interface PlacementEngineOptions {
  index: FleetIndex;
  /**
   * RTTs within the same band count as equal latency, so reputation, price and
   * load decide among them (a 3 ms and a 4 ms node are both "near").
   */
  latencyBandMs?: number;
  /** Reputation differences smaller than this do not reorder nodes. */
  reputationStep?: number;
  /** How long a landmark set is reused while the fleet changes around it. */
  landmarkRefreshMs?: number;
  /** Nodes considered when choosing landmarks (a sample keeps it cheap at 40,000 nodes). */
  landmarkSampleSize?: number;
  now?: () => number;
  random?: () => number;
}

/**
 * The decisions of latency-aware placement, with no sockets and no waiting:
 * which nodes to probe (landmarks for a player of unknown position, then the
 * nodes its coordinate predicts nearest), and which node to choose from what
 * was measured. Hard constraints: healthy (up, not draining, enough stake),
 * capable (runtime, encoder for the codec), region allowed, a free slot,
 * RTT ≤ budget. Objective among the rest: lowest latency band, then
 * reputation, price, free-slot fraction, exact RTT, node id.
 */
export class PlacementEngine {
  readonly index: FleetIndex;
  readonly #options: Required<Omit<PlacementEngineOptions, 'index'>>;
  #nearIndex: BallIndex | undefined;
  #geoIndex: BallIndex | undefined;
  readonly #landmarks: LandmarkSet;

  constructor(options: PlacementEngineOptions) {
    this.index = options.index;
    this.index.onAvailability = (slot, hasFree) => {
      this.#nearIndex?.setAvailable(slot, hasFree);
      this.#geoIndex?.setAvailable(slot, hasFree);
    };
    this.#options = {
      latencyBandMs: 5,
      reputationStep: 0.05,
      landmarkRefreshMs: 30_000,
      landmarkSampleSize: 4096,
      now: Date.now,
      random: Math.random,
      ...options,
    };
    this.#landmarks = new LandmarkSet({
      index: this.index,
      refreshMs: this.#options.landmarkRefreshMs,
      sampleSize: this.#options.landmarkSampleSize,
      now: this.#options.now,
      random: this.#options.random,
    });
  }

  compile(query: PlacementQuery): CompiledQuery {
    const coordinates = this.index.coordinates;
    const exclude = new Set<number>();
    for (const nodeId of query.exclude ?? []) {
      const slot = coordinates.slotOf(nodeId);
      if (slot !== undefined) exclude.add(slot);
    }
    return {
      caps: capabilityMask(query.runtime, query.codec),
      regions: this.index.regionSet(query.regions),
      exclude,
      budgetMs: query.budgetMs,
    };
  }

  /** Whether any node passes every constraint but latency (with or without a free slot); stops at the first. */
  anyFeasible(query: CompiledQuery, ignoreCapacity = false): boolean {
    for (let slot = 0; slot < this.index.length; slot++) {
      if (this.#feasible(slot, query, ignoreCapacity)) return true;
    }
    return false;
  }

  /**
   * The `k` probe-able feasible nodes whose coordinates predict the lowest RTT
   * to `point`, nearest first, skipping slots in `skip`. With `ignoreCapacity`
   * full nodes are included (a queued player measures where it would wait).
   */
  shortlist(
    query: CompiledQuery,
    point: Float64Array,
    k: number,
    skip?: ReadonlySet<number>,
    ignoreCapacity = false,
  ): ProbeCandidate[] {
    const coordinates = this.index.coordinates;
    const search = { index: this.index, space: coordinates, nearIndex: this.#currentIndex() };
    return nearestCandidates(search, query, point, k, skip, ignoreCapacity);
  }

  /**
   * The `k` probe-able feasible nodes whose declared locations are nearest to
   * lat/lon (a coarse hint such as the player's time zone), nearest first;
   * `predictedMs` is the RTT the player's coordinate predicts when `point` is
   * given, the fibre estimate of the distance otherwise.
   */
  geoShortlist(
    query: CompiledQuery,
    here: Float64Array,
    k: number,
    point?: Float64Array,
    skip?: ReadonlySet<number>,
    ignoreCapacity = false,
  ): ProbeCandidate[] {
    if (this.index.length >= INDEX_MIN_NODES && !this.#geoIndex) this.refreshIndexes();
    const search = { index: this.index, space: this.index.geo, nearIndex: this.#geoIndex };
    const found = nearestCandidates(search, query, here, k, skip, ignoreCapacity);
    if (point)
      for (const candidate of found) candidate.predictedMs = this.index.coordinates.predict(point, candidate.slot);
    return found;
  }

  /** A place on the map as a point of the geographic space (`geoShortlist`, `geoLocate`). */
  static geoPoint(lat: number, lon: number): Float64Array {
    const here = new Float64Array(5);
    writeGeoPoint(here, 0, lat, lon);
    return here;
  }

  /**
   * Where the player is on the map, multilaterated from the RTTs it measured
   * to nodes with a declared location (their last miles taken from their
   * coordinates' heights): a point of the geographic space, or undefined with
   * fewer than three located measurements. Starts from `start` (the time-zone
   * hint) when given.
   */
  geoLocate(measured: ReadonlyMap<number, number>, start?: Float64Array): Float64Array | undefined {
    const geo = this.index.geo;
    const observations: { offset: number; rttMs: number }[] = [];
    for (const [slot, rttMs] of measured) {
      if (!Number.isNaN(geo.buffer[slot * geo.stride]!)) observations.push({ offset: slot * geo.stride, rttMs });
    }
    if (observations.length < 3) return undefined;
    const params = { ...this.index.coordinates.params, dims: geo.dims };
    return fitCoordinate(geo.buffer, observations, { params, ...(start ? { start } : {}) });
  }

  /**
   * Rebuilds the nearest-node indexes (coordinates and declared locations;
   * call it on a timer, like `refreshLandmarks`: coordinates drift as probes
   * come in).
   */
  refreshIndexes(): void {
    const coordinates = this.index.coordinates;
    const length = this.index.length;
    const random = this.#options.random;
    const hasFree = (slot: number) => this.index.free(slot) > 0;
    this.#nearIndex = BallIndex.build(coordinates, length, random, hasFree);
    this.index.syncGeoHeights();
    this.#geoIndex = BallIndex.build(this.index.geo, length, random, hasFree);
  }

  #currentIndex(): BallIndex | undefined {
    const length = this.index.length;
    // Below a few hundred nodes a scan is as fast; an index missing many new nodes is rebuilt.
    if (length < INDEX_MIN_NODES) return undefined;
    if (!this.#nearIndex || length - this.#nearIndex.count > Math.max(64, this.#nearIndex.count / 10))
      this.refreshIndexes();
    return this.#nearIndex;
  }

  /**
   * Up to `k` probe-able feasible nodes around `point`, one per region: the
   * best predicted node of each of the `k` index balls nearest the point
   * (small fleets: the nearest predicted, at least `separation` × their RTT
   * apart). The second probe round of a player whose position is only known
   * roughly (from far landmarks): it surveys the region instead of crowding
   * the one city the rough position favours.
   */
  spreadShortlist(
    query: CompiledQuery,
    point: Float64Array,
    k: number,
    skip?: ReadonlySet<number>,
    ignoreCapacity = false,
    separation = 0.25,
  ): ProbeCandidate[] {
    const index = this.index;
    const coordinates = index.coordinates;
    const nearIndex = this.#currentIndex();
    if (nearIndex) {
      const score = (slot: number): number | undefined => {
        if (skip?.has(slot) || query.exclude.has(slot) || !index.hasProbe(slot)) return undefined;
        const ok = ignoreCapacity
          ? index.rejection(slot, query.caps, query.regions, true) === undefined
          : index.eligible(slot, query.caps, query.regions);
        return ok ? coordinates.predict(point, slot) : undefined;
      };
      return nearIndex.survey(point, k, score, !ignoreCapacity, coordinates).map((slot) => ({
        slot,
        nodeId: coordinates.idOf(slot)!,
        url: index.probeUrl(slot)!,
        predictedMs: coordinates.predict(point, slot),
      }));
    }
    const near = this.shortlist(query, point, 6 * k, skip, ignoreCapacity);
    const out: ProbeCandidate[] = [];
    for (const candidate of near) {
      if (out.length >= k) break;
      const minApart = Math.max(1, separation * candidate.predictedMs);
      if (out.every((taken) => coordinates.predictBetween(taken.slot, candidate.slot) >= minApart)) out.push(candidate);
    }
    for (const candidate of near) {
      if (out.length >= k) break;
      if (!out.includes(candidate)) out.push(candidate);
    }
    return out;
  }

  /**
   * Up to `k` probe-able, up nodes spread over the coordinate space (greedy
   * farthest-point sampling, i.e. a 2-approximate k-centre cover): the first
   * probe round of a player nobody has located yet. Served from a cache that
   * `refreshLandmarks()` renews off the placement path; computed here only
   * when there is none yet or it is far too old.
   */
  landmarks(k: number): ProbeCandidate[] {
    return this.#landmarks.landmarks(k);
  }

  /** Recomputes the landmark set when the fleet changed since (call it on a timer, every `landmarkRefreshMs`). */
  refreshLandmarks(k: number): void {
    this.#landmarks.refresh(k);
  }

  /**
   * The node for a session, given the RTTs measured this placement (slot →
   * least RTT sampled). Measured RTTs win over predictions; predictions are used only
   * with `allowPredicted`; nodes with no latency data only with `allowUnknown`
   * and only when nothing known fits.
   */
  choose(query: CompiledQuery, measured: ReadonlyMap<number, number>, options: ChooseOptions = {}): PlacementDecision {
    const state = new NodeChoice(this.index, this.#options, query);
    for (const [slot, rtt] of measured) state.consider(slot, rtt, 'measured');
    const measuredBest = state.best;
    if (measuredBest) return this.#placed(measuredBest.slot, measuredBest.rtt, 'measured');

    if (options.allowPredicted && options.point) {
      for (const candidate of this.shortlist(query, options.point, 16, new Set(measured.keys()), true)) {
        state.consider(candidate.slot, candidate.predictedMs, 'predicted');
      }
      const predictedBest = state.best;
      if (predictedBest) return this.#placed(predictedBest.slot, predictedBest.rtt, 'predicted');
    }

    if (options.allowUnknown) {
      const slot = this.#bestUnknown(query, measured);
      if (slot !== undefined) {
        return { placed: true, nodeId: this.index.coordinates.idOf(slot)!, slot, rttMs: undefined, source: 'unknown' };
      }
    }

    if (state.waitFor.length > 0) {
      return { placed: false, reason: 'full_in_budget', best: state.closest, waitFor: state.waitFor };
    }
    const feasible = state.anyFree || this.anyFeasible(query);
    return { placed: false, reason: feasible ? 'over_budget' : 'no_capacity', best: state.closest, waitFor: [] };
  }

  #placed(slot: number, rtt: number, source: LatencySource): PlacementDecision {
    return { placed: true, nodeId: this.index.coordinates.idOf(slot)!, slot, rttMs: rtt, source };
  }

  /** The best feasible node nothing is known about: no probe endpoint and a coordinate that never learned. */
  #bestUnknown(query: CompiledQuery, measured: ReadonlyMap<number, number>): number | undefined {
    const index = this.index;
    let best: number | undefined;
    for (let slot = 0; slot < index.length; slot++) {
      if (measured.has(slot) || query.exclude.has(slot) || !index.eligible(slot, query.caps, query.regions)) continue;
      if (index.hasProbe(slot) || index.coordinates.isKnown(slot)) continue;
      if (best === undefined || ranksBefore(index, this.#options, slot, 0, best, 0)) best = slot;
    }
    return best;
  }

  #feasible(slot: number, query: CompiledQuery, ignoreCapacity: boolean): boolean {
    return (
      !query.exclude.has(slot) && this.index.rejection(slot, query.caps, query.regions, ignoreCapacity) === undefined
    );
  }
}
