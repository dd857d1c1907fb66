import { fitCoordinate, type RuntimeKind, type VideoCodec } from '@frameway/protocol';
import { BallIndex, type CoordinateSpace } from './BallIndex.js';
import { capabilityMask, type FleetIndex, writeGeoPoint } from './FleetIndex.js';

/** Fleets smaller than this are scanned node by node (an index does not pay off). */
const INDEX_MIN_NODES = 512;

/** What a session needs from its node. */
export interface PlacementQuery {
  runtime: RuntimeKind;
  codec: VideoCodec;
  /** Largest acceptable player↔node round trip. */
  budgetMs: number;
  /** Allowed regions; empty or absent = anywhere. */
  regions?: readonly string[] | undefined;
  /** Nodes not to use (failover: the node being left). */
  exclude?: ReadonlySet<string> | undefined;
}

/** A query with names resolved to the index's numbers; compile once per placement. */
export interface CompiledQuery {
  readonly caps: number;
  readonly regions: ReadonlySet<number> | undefined;
  readonly exclude: ReadonlySet<number>;
  readonly budgetMs: number;
}

/** A node worth probing, with the RTT its coordinate predicts. */
export interface ProbeCandidate {
  slot: number;
  nodeId: string;
  url: string;
  predictedMs: number;
}

export type LatencySource = 'measured' | 'predicted' | 'unknown';

export interface PlacementAlternative {
  nodeId: string;
  rttMs: number;
  source: LatencySource;
}

export type PlacementDecision =
  | { placed: true; nodeId: string; slot: number; rttMs: number | undefined; source: LatencySource }
  | {
      placed: false;
      /**
       * no_capacity: no node passes the non-latency constraints at all;
       * over_budget: nodes are free but none within the budget;
       * full_in_budget: nodes within the budget exist but are full (worth queueing).
       */
      reason: 'no_capacity' | 'over_budget' | 'full_in_budget';
      best: PlacementAlternative | undefined;
      /** Slots within budget that are only full; a queued player waits for one of these. */
      waitFor: number[];
    };

export interface ChooseOptions {
  /** The player's fitted coordinate; lets predictions stand in where nothing was measured. */
  point?: Float64Array | undefined;
  /** Use predicted RTTs for nodes that were not measured (the player could not probe). */
  allowPredicted?: boolean;
  /** Nodes without any latency data (no probe endpoint, unknown coordinate) may host when nothing known fits. */
  allowUnknown?: boolean;
}

interface ChoiceState {
  best: { slot: number; rtt: number } | undefined;
  closest: PlacementAlternative | undefined;
  waitFor: number[];
  anyFree: boolean;
}

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
  #landmarks: number[] = [];
  #landmarksAt = Number.NEGATIVE_INFINITY;
  #landmarksEpoch = -1;

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
    return this.#nearest(coordinates, this.#currentIndex(), query, point, k, skip, ignoreCapacity);
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
    const found = this.#nearest(this.index.geo, this.#geoIndex, query, here, k, skip, ignoreCapacity);
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

  /** The k nearest eligible, probe-able slots to `point` in a flat coordinate space, via its index when it has one. */
  #nearest(
    space: CoordinateSpace,
    nearIndex: BallIndex | undefined,
    query: CompiledQuery,
    point: Float64Array,
    k: number,
    skip: ReadonlySet<number> | undefined,
    ignoreCapacity: boolean,
  ): ProbeCandidate[] {
    const index = this.index;
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
    const now = this.#options.now();
    const index = this.index;
    const stale =
      this.#landmarksEpoch !== index.epoch && now - this.#landmarksAt >= 2 * this.#options.landmarkRefreshMs;
    if (stale || this.#landmarks.length < Math.min(k, index.nodeCount)) this.#computeLandmarks(k, now);
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

  /** Recomputes the landmark set when the fleet changed since (call it on a timer, every `landmarkRefreshMs`). */
  refreshLandmarks(k: number): void {
    if (this.#landmarksEpoch === this.index.epoch && this.#landmarks.length >= Math.min(k, this.index.nodeCount))
      return;
    this.#computeLandmarks(k, this.#options.now());
  }

  /**
   * The node for a session, given the RTTs measured this placement (slot →
   * least RTT sampled). Measured RTTs win over predictions; predictions are used only
   * with `allowPredicted`; nodes with no latency data only with `allowUnknown`
   * and only when nothing known fits.
   */
  choose(query: CompiledQuery, measured: ReadonlyMap<number, number>, options: ChooseOptions = {}): PlacementDecision {
    const state: ChoiceState = { best: undefined, closest: undefined, waitFor: [], anyFree: false };
    for (const [slot, rtt] of measured) this.#consider(state, query, slot, rtt, 'measured');
    const measuredBest = state.best as ChoiceState['best'];
    if (measuredBest) return this.#placed(measuredBest.slot, measuredBest.rtt, 'measured');

    if (options.allowPredicted && options.point) {
      for (const candidate of this.shortlist(query, options.point, 16, new Set(measured.keys()), true)) {
        this.#consider(state, query, candidate.slot, candidate.predictedMs, 'predicted');
      }
      const predictedBest = state.best as ChoiceState['best'];
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

  #consider(state: ChoiceState, query: CompiledQuery, slot: number, rtt: number, source: LatencySource): void {
    const index = this.index;
    if (query.exclude.has(slot) || index.rejection(slot, query.caps, query.regions, true) !== undefined) return;
    const free = index.free(slot) > 0;
    if (free) state.anyFree = true;
    if (rtt <= query.budgetMs) {
      if (!free) state.waitFor.push(slot);
      else if (!state.best || this.#better(slot, rtt, state.best.slot, state.best.rtt)) state.best = { slot, rtt };
    } else if (free && (!state.closest || rtt < state.closest.rttMs)) {
      state.closest = { nodeId: index.coordinates.idOf(slot)!, rttMs: rtt, source };
    }
  }

  /** True when (slotA, rttA) beats (slotB, rttB) under the objective. */
  #better(slotA: number, rttA: number, slotB: number, rttB: number): boolean {
    const index = this.index;
    const band = this.#options.latencyBandMs;
    const bandA = Math.floor(rttA / band);
    const bandB = Math.floor(rttB / band);
    if (bandA !== bandB) return bandA < bandB;
    const step = this.#options.reputationStep;
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
      if (best === undefined || this.#better(slot, 0, best, 0)) best = slot;
    }
    return best;
  }

  #feasible(slot: number, query: CompiledQuery, ignoreCapacity: boolean): boolean {
    return (
      !query.exclude.has(slot) && this.index.rejection(slot, query.caps, query.regions, ignoreCapacity) === undefined
    );
  }

  #computeLandmarks(k: number, now: number): void {
    const index = this.index;
    const coordinates = index.coordinates;
    const pool: number[] = [];
    for (let slot = 0; slot < index.length; slot++) {
      if (index.rejection(slot, 0, undefined, true) === undefined && index.hasProbe(slot)) pool.push(slot);
    }
    // Sample a large pool down (the cover it gives barely changes), then prefer well-placed coordinates.
    const size = this.#options.landmarkSampleSize;
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
