import { fitCoordinate, MAX_PROBE_TARGETS, type ProbeResult, type RttObservation } from '@frameway/protocol';
import type { NeighbourSets } from '../latency/NeighbourSets.js';
import type { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { type CompiledQuery, type PlacementDecision, PlacementEngine, type ProbeCandidate } from './PlacementEngine.js';

/** What placement has learned about one player: its fitted coordinate and the RTTs it measured. */
export interface PlayerLatencyState {
  point: Float64Array | undefined;
  /** Slot → RTT measured by the player (the minimum of its samples). */
  measured: Map<number, number>;
  measuredAt: number;
  /** Nodes probed so far (targets, not samples). */
  probes: number;
  rounds: number;
  /** The player did not answer probe requests (old SDK, or no WebSocket). */
  cannotProbe: boolean;
  /** A refining round (neighbourhood of a measured node within budget) has been probed. */
  refined: boolean;
  /** Where the player roughly is (its time zone's location), when it said. */
  hint: { lat: number; lon: number } | undefined;
  /** A survey round (near the hint, spread around the rough coordinate) has been probed. */
  surveyed: boolean;
}

export interface ProbePlannerOptions {
  engine: PlacementEngine;
  /** Nodes probed per refining round. */
  shortlistSize: number;
  /** Spread-out nodes a player of unknown position probes first. */
  landmarkCount: number;
  /** RTTs within a band count as equal (must match the engine's). */
  latencyBandMs: number;
  /** Weight of a player's sample when it nudges the node's coordinate (0 = never). */
  playerLearningWeight: number;
  /** Measured node neighbourhoods: refining rounds also probe the neighbours of the player's best nodes. */
  neighbours?: NeighbourSets | undefined;
}

/** Measurements all over budget × this: the player is still only roughly located. */
const COARSE_FACTOR = 2;

/** Best measured nodes whose neighbours a refining round looks at. */
const EXPAND_FROM = 3;

/** A fresh state, optionally starting from a coordinate remembered for this player. */
export function newPlayerLatencyState(now: number, point?: Float64Array): PlayerLatencyState {
  return {
    point,
    measured: new Map(),
    measuredAt: now,
    probes: 0,
    rounds: 0,
    cannotProbe: false,
    refined: false,
    hint: undefined,
    surveyed: false,
  };
}

/**
 * The probe rounds of one placement, without the waiting: which nodes to
 * probe next (landmarks for a player nobody has located, then the nodes its
 * fitted coordinate predicts nearest), what a round's results teach (the
 * player's coordinate, a nudge to the nodes'), and when to stop. The gateway's
 * LatencyPlacer and the placement benchmark drive exactly this code.
 */
export class ProbePlanner {
  readonly engine: PlacementEngine;
  readonly #coordinates: NetworkCoordinates;
  readonly #options: ProbePlannerOptions;

  constructor(options: ProbePlannerOptions) {
    this.engine = options.engine;
    this.#coordinates = options.engine.index.coordinates;
    this.#options = options;
  }

  /** The nodes to probe in the next round; empty when another round cannot help. */
  nextTargets(query: CompiledQuery, state: PlayerLatencyState, includeFull: boolean): ProbeCandidate[] {
    const measured = new Set(state.measured.keys());
    if (!state.point) {
      return this.engine
        .landmarks(this.#options.landmarkCount)
        .filter((c) => !measured.has(c.slot))
        .slice(0, MAX_PROBE_TARGETS);
    }
    const size = this.#options.shortlistSize;
    if (state.measured.size === 0) return this.engine.shortlist(query, state.point, size, measured, includeFull);
    const nearest = Math.min(...state.measured.values());
    const surveyed = state.surveyed;
    if (nearest > query.budgetMs * (surveyed ? COARSE_FACTOR : 1)) {
      state.surveyed = true;
      // Nothing measured is anywhere near yet: half near where the player said it is (its time
      // zone), half a survey around its rough coordinate.
      const hint = state.hint ? PlacementEngine.geoPoint(state.hint.lat, state.hint.lon) : undefined;
      const near = hint
        ? this.engine.geoShortlist(query, hint, Math.ceil(size / 2), state.point, measured, includeFull)
        : [];
      const skip = new Set([...measured, ...near.map((c) => c.slot)]);
      return [...near, ...this.engine.spreadShortlist(query, state.point, size - near.length, skip, includeFull)];
    }
    if (nearest <= query.budgetMs) state.refined = true;
    // Refining rounds, a third each: the nodes nearest where the measurements put the player on the
    // map, the neighbours of its best nodes (measured locality), the coordinate's nearest predictions.
    const limit = query.budgetMs * 1.5 + 5;
    const third = Math.max(1, Math.round(size / 3));
    const out: ProbeCandidate[] = [];
    const taken = new Set(measured);
    const take = (candidates: readonly ProbeCandidate[], count: number): void => {
      for (const candidate of candidates) {
        if (count <= 0 || out.length >= size) return;
        if (taken.has(candidate.slot)) continue;
        taken.add(candidate.slot);
        out.push(candidate);
        count--;
      }
    };
    const start = state.hint ? PlacementEngine.geoPoint(state.hint.lat, state.hint.lon) : undefined;
    const located = this.engine.geoLocate(state.measured, start);
    if (located) take(this.engine.geoShortlist(query, located, third, state.point, taken, includeFull), third);
    const expansion = this.#expand(query, state, measured, includeFull).filter((c) => c.predictedMs <= limit);
    take(expansion, third);
    take(
      this.engine.shortlist(query, state.point, size, taken, includeFull).filter((c) => c.predictedMs <= limit),
      size - out.length,
    );
    // Fill up from the rest of the expansion when predictions ran out.
    take(expansion, size - out.length);
    return out;
  }

  /** Unmeasured, probe-able neighbours of the player's best measured nodes, nearest-predicted first. */
  #expand(
    query: CompiledQuery,
    state: PlayerLatencyState,
    measured: ReadonlySet<number>,
    includeFull: boolean,
  ): ProbeCandidate[] {
    const neighbours = this.#options.neighbours;
    const point = state.point;
    if (!neighbours || !point) return [];
    const coordinates = this.#coordinates;
    const index = this.engine.index;
    const best = [...state.measured].sort((a, b) => a[1] - b[1]).slice(0, EXPAND_FROM);
    const seen = new Set<number>();
    const out: ProbeCandidate[] = [];
    for (const [slot] of best) {
      for (const nodeId of neighbours.of(coordinates.idOf(slot) ?? '')) {
        const peer = coordinates.slotOf(nodeId);
        if (peer === undefined || seen.has(peer) || measured.has(peer) || query.exclude.has(peer)) continue;
        seen.add(peer);
        if (index.rejection(peer, query.caps, query.regions, includeFull) !== undefined || !index.hasProbe(peer))
          continue;
        out.push({ slot: peer, nodeId, url: index.probeUrl(peer)!, predictedMs: coordinates.predict(point, peer) });
      }
    }
    return out.sort((a, b) => a.predictedMs - b.predictedMs);
  }

  /** Folds one round's results in: measured RTTs, the player's refitted coordinate, a nudge to the nodes. */
  absorb(
    state: PlayerLatencyState,
    targets: readonly ProbeCandidate[],
    results: readonly ProbeResult[],
    now: number,
  ): void {
    const coordinates = this.#coordinates;
    state.rounds++;
    state.probes += targets.length;
    state.measuredAt = now;
    const bySlot = new Map(targets.map((t) => [t.nodeId, t.slot]));
    for (const result of results) {
      const slot = bySlot.get(result.id);
      if (slot === undefined || result.rttMs === undefined || result.received === 0) continue;
      // Queueing only ever adds delay: the smallest sample is the path's RTT, the median carries the jitter.
      state.measured.set(slot, result.minRttMs ?? result.rttMs);
    }
    const observations: RttObservation[] = [];
    for (const [slot, rtt] of state.measured) observations.push({ offset: slot * coordinates.stride, rttMs: rtt });
    if (observations.length === 0) return;
    state.point = fitCoordinate(coordinates.buffer, observations, { params: coordinates.params });
    const weight = this.#options.playerLearningWeight;
    if (weight > 0 && state.point[coordinates.dims + 1]! < 0.25) {
      for (const [slot, rtt] of state.measured) {
        const nodeId = coordinates.idOf(slot);
        if (nodeId !== undefined) coordinates.observeFrom(state.point, nodeId, rtt, weight);
      }
    }
  }

  /**
   * Whether to stop probing: a measured node fits, and either it is already in
   * the lowest latency band or the last round was a refining one (it probed
   * the neighbourhood of the best nodes and what the coordinate predicts nearest).
   */
  settled(query: CompiledQuery, state: PlayerLatencyState): boolean {
    const decision = this.engine.choose(query, state.measured);
    if (!decision.placed) return false;
    if ((decision.rttMs ?? 0) < this.#options.latencyBandMs) return true;
    return state.refined;
  }

  /** The final choice from what the rounds found. */
  decide(query: CompiledQuery, state: PlayerLatencyState, allowUnknown: boolean): PlacementDecision {
    return this.engine.choose(query, state.measured, {
      point: state.point,
      allowPredicted: state.cannotProbe,
      allowUnknown,
    });
  }
}
