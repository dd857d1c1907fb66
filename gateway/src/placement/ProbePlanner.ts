import { fitCoordinate, MAX_PROBE_TARGETS, type ProbeResult, type RttObservation } from '@frameway/protocol';
import type { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import type { CompiledQuery, PlacementDecision, PlacementEngine, ProbeCandidate } from './PlacementEngine.js';

/** What placement has learned about one player: its fitted coordinate and the RTTs it measured. */
export interface PlayerLatencyState {
  point: Float64Array | undefined;
  /** Slot → median RTT measured by the player. */
  measured: Map<number, number>;
  measuredAt: number;
  /** Nodes probed so far (targets, not samples). */
  probes: number;
  rounds: number;
  /** The player did not answer probe requests (old SDK, or no WebSocket). */
  cannotProbe: boolean;
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
}

/** A fresh state, optionally starting from a coordinate remembered for this player. */
export function newPlayerLatencyState(now: number, point?: Float64Array): PlayerLatencyState {
  return { point, measured: new Map(), measuredAt: now, probes: 0, rounds: 0, cannotProbe: false };
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
    const list = this.engine.shortlist(query, state.point, this.#options.shortlistSize, measured, includeFull);
    if (state.measured.size === 0) return list;
    // Refining rounds only probe nodes that could plausibly be within budget.
    const limit = query.budgetMs * 1.5 + 5;
    return list.filter((candidate) => candidate.predictedMs <= limit);
  }

  /** Folds one round's results in: measured RTTs, the player's refitted coordinate, a nudge to the nodes. */
  absorb(state: PlayerLatencyState, targets: readonly ProbeCandidate[], results: readonly ProbeResult[], now: number): void {
    const coordinates = this.#coordinates;
    state.rounds++;
    state.probes += targets.length;
    state.measuredAt = now;
    const bySlot = new Map(targets.map((t) => [t.nodeId, t.slot]));
    for (const result of results) {
      const slot = bySlot.get(result.id);
      if (slot === undefined || result.rttMs === undefined || result.received === 0) continue;
      state.measured.set(slot, result.rttMs);
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
   * Whether to stop probing: a measured node fits and no unmeasured node is
   * predicted in a lower latency band than it.
   */
  settled(query: CompiledQuery, state: PlayerLatencyState): boolean {
    const decision = this.engine.choose(query, state.measured);
    if (!decision.placed || !state.point) return false;
    const band = this.#options.latencyBandMs;
    const best = Math.floor((decision.rttMs ?? 0) / band);
    if (best === 0) return true;
    const next = this.engine.shortlist(query, state.point, 1, new Set(state.measured.keys()));
    return next.length === 0 || Math.floor(next[0]!.predictedMs / band) >= best;
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
