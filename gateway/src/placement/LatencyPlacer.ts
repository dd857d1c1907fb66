import { FramewayError } from '@frameway/protocol';
import type { NeighbourSets } from '../latency/NeighbourSets.js';
import { createLogger } from '../logging/logger.js';
import type { CompiledQuery, PlacementDecision, PlacementEngine, ProbeCandidate } from './PlacementEngine.js';
import type { PlacementQueue } from './PlacementQueue.js';
import type { PlacementRequest, Placer, PlayerProber, ProbeResults, ReplaceRequest } from './Placer.js';
import { newPlayerLatencyState, type PlayerLatencyState, ProbePlanner } from './ProbePlanner.js';
import { timeZoneLocation } from './timeZoneLocation.js';

const log = createLogger('placement.latency');

export interface LatencyPlacerOptions {
  engine: PlacementEngine;
  /** Waiting room for players whose in-budget nodes are all full; absent = fail at once. */
  queue?: PlacementQueue | undefined;
  /** Each node's measured nearest peers (the fleet prober's): refining rounds also probe around the best nodes. */
  neighbours?: NeighbourSets | undefined;
  /** Nodes probed per refining round. */
  shortlistSize?: number;
  /** Spread-out nodes a player of unknown position probes first. */
  landmarkCount?: number;
  /** Echo samples per probed node. */
  probeSamples?: number;
  /** Bound of one probe round on the player's side. */
  probeTimeoutMs?: number;
  /** Probe rounds at most per placement. */
  maxRounds?: number;
  /** RTTs within a band count as equal (the engine's `latencyBandMs`). */
  latencyBandMs?: number;
  /** Whether nodes with no latency data at all (no probe endpoint) may host when nothing measured fits. */
  unknownLatency?: 'allow' | 'reject';
  /** Weight of a player's sample when it nudges the node's coordinate (0 = never). */
  playerLearningWeight?: number;
  /** How long a player's fitted coordinate is reused for its next session. */
  playerMemoryMs?: number;
  now?: () => number;
}

/** Players whose coordinates are remembered at most (the oldest go first). */
const MAX_REMEMBERED_PLAYERS = 100_000;

/**
 * Latency-aware placement: the player probes a few nodes (landmarks when its
 * position is unknown, then the nodes its fitted network coordinate predicts
 * nearest), and the engine chooses among the measured ones under the hard
 * constraints and the objective. No node within budget: FW_ERR_NO_NODE_IN_BUDGET
 * with the best alternative in `details`, or a wait in the queue when nodes
 * within budget are only full.
 */
export class LatencyPlacer implements Placer {
  readonly engine: PlacementEngine;
  readonly planner: ProbePlanner;
  readonly #options: Required<Omit<LatencyPlacerOptions, 'engine' | 'queue' | 'neighbours'>>;
  readonly #queue: PlacementQueue | undefined;
  readonly #sessions = new Map<string, PlayerLatencyState>();
  readonly #players = new Map<string, { point: Float64Array; at: number }>();

  constructor(options: LatencyPlacerOptions) {
    const { engine, queue, neighbours, ...rest } = options;
    this.engine = engine;
    this.#queue = queue;
    this.#options = {
      shortlistSize: 8,
      landmarkCount: 16,
      probeSamples: 5,
      probeTimeoutMs: 1500,
      maxRounds: 4,
      latencyBandMs: 5,
      unknownLatency: 'allow',
      playerLearningWeight: 0.05,
      playerMemoryMs: 30 * 60_000,
      now: Date.now,
      ...withoutUndefined(rest),
    };
    this.planner = new ProbePlanner({
      engine,
      shortlistSize: this.#options.shortlistSize,
      landmarkCount: this.#options.landmarkCount,
      latencyBandMs: this.#options.latencyBandMs,
      playerLearningWeight: this.#options.playerLearningWeight,
      neighbours,
    });
  }

  /** What placement learned about a running session's player. */
  stateOf(sessionId: string): Readonly<PlayerLatencyState> | undefined {
    return this.#sessions.get(sessionId);
  }

  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  async place(request: PlacementRequest, player: PlayerProber): Promise<string> {
    const query = this.#compile(request, []);
    if (!this.engine.anyFeasible(query, true)) {
      throw new FramewayError('FW_ERR_NO_CAPACITY', 'no healthy node offers what this session needs', {
        runtime: request.runtime,
        codec: request.codec,
        regions: request.regions ?? [],
      });
    }
    const now = this.#options.now();
    const remembered = this.#players.get(request.playerId);
    const point = remembered && now - remembered.at < this.#options.playerMemoryMs ? remembered.point : undefined;
    const state = newPlayerLatencyState(now, point);
    await this.#probeRounds(request, player, query, state, this.#options.maxRounds);
    let decision = this.planner.decide(query, state, this.#options.unknownLatency === 'allow');
    if (!decision.placed && decision.reason === 'full_in_budget' && this.#queue) {
      const nodeId = await this.#waitInQueue(request, player, query, state);
      const slot = this.engine.index.coordinates.slotOf(nodeId)!;
      decision = { placed: true, nodeId, slot, rttMs: state.measured.get(slot), source: 'measured' };
    }
    return this.#conclude(request, query, state, decision, player, { rounds: state.rounds, probes: state.probes });
  }

  async replace(request: PlacementRequest, move: ReplaceRequest): Promise<string> {
    const query = this.#compile(request, move.exclude);
    const state =
      this.#sessions.get(request.id) ??
      newPlayerLatencyState(this.#options.now(), this.#players.get(request.playerId)?.point);
    const allowUnknown = this.#options.unknownLatency === 'allow';
    let decision = this.engine.choose(query, state.measured, {
      point: state.point,
      allowPredicted: true,
      allowUnknown,
    });
    // A prediction from a coordinate that never learned anything is a guess (every such node predicts alike).
    const guessed =
      decision.placed && decision.source !== 'measured' && !this.engine.index.coordinates.isKnown(decision.slot);
    if ((!decision.placed || guessed) && move.player && !move.player.closed && !state.cannotProbe) {
      // The player is frozen anyway; one quick round finds what the old measurements miss.
      await this.#probeRounds(request, move.player, query, state, 1);
      const probed = this.planner.decide(query, state, allowUnknown);
      if (probed.placed || !decision.placed) decision = probed;
    }
    return this.#conclude(request, query, state, decision, move.player, { failover: move.reason });
  }

  /** The node chosen (over budget only when the player accepted that), or the typed no-fit error. */
  #conclude(
    request: PlacementRequest,
    query: CompiledQuery,
    state: PlayerLatencyState,
    decision: PlacementDecision,
    player: PlayerProber | undefined,
    context: Record<string, unknown>,
  ): string {
    const final = player?.acceptOverBudget ? overBudgetAccepted(decision, this.engine, request, query) : decision;
    if (!final.placed) throw noFit(final, query, state);
    this.#sessions.set(request.id, state);
    log.info(
      { sessionId: request.id, nodeId: final.nodeId, rttMs: final.rttMs, source: final.source, ...context },
      'placement decided',
    );
    return final.nodeId;
  }

  /** A node within budget the session could move to now (in-session degradation check); never probes. */
  alternative(request: PlacementRequest, exclude: readonly string[]): PlacementDecision {
    const state = this.#sessions.get(request.id);
    return this.engine.choose(this.#compile(request, exclude), state?.measured ?? new Map(), {
      point: state?.point,
      allowPredicted: true,
    });
  }

  #compile(request: PlacementRequest, exclude: readonly string[]): CompiledQuery {
    return this.engine.compile({
      runtime: request.runtime,
      codec: request.codec,
      budgetMs: request.latencyBudgetMs,
      regions: request.regions,
      exclude: new Set(exclude),
    });
  }

  async #probeRounds(
    request: PlacementRequest,
    player: PlayerProber,
    query: CompiledQuery,
    state: PlayerLatencyState,
    maxRounds: number,
  ): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const targets = this.planner.nextTargets(query, state, this.#queue !== undefined);
      if (targets.length === 0) return;
      const reply = await this.#probe(player, targets, state.rounds + 1);
      if (request.signal?.aborted)
        throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session ended during placement');
      if (!reply) {
        state.cannotProbe = true;
        return;
      }
      if (reply.timeZone !== undefined) state.hint ??= timeZoneLocation(reply.timeZone);
      this.planner.absorb(state, targets, reply.results, this.#options.now());
      if (state.point) this.#remember(request.playerId, state.point);
      if (this.planner.settled(query, state)) return;
    }
  }

  async #probe(player: PlayerProber, targets: ProbeCandidate[], round: number): Promise<ProbeResults | undefined> {
    if (player.closed) return undefined;
    try {
      const reply = await player.probe(
        {
          round,
          targets: targets.map((t) => ({ id: t.nodeId, url: t.url })),
          samples: this.#options.probeSamples,
          timeoutMs: this.#options.probeTimeoutMs,
        },
        this.#options.probeTimeoutMs + 1000,
      );
      return reply;
    } catch (error) {
      log.debug({ err: error }, 'player did not answer the probe request; placing on predictions');
      return undefined;
    }
  }

  async #waitInQueue(
    request: PlacementRequest,
    player: PlayerProber,
    query: CompiledQuery,
    state: PlayerLatencyState,
  ): Promise<string> {
    return this.#queue!.wait({
      sessionId: request.id,
      attempt: () => {
        if (request.signal?.aborted) throw new FramewayError('FW_ERR_SESSION_ENDED', 'the session ended while queued');
        if (player.closed) throw new FramewayError('FW_ERR_CONNECTION_CLOSED', 'the player left the queue');
        const decision = this.engine.choose(query, state.measured);
        return decision.placed ? decision.nodeId : undefined;
      },
      onPosition: (update) => player.queuePosition(request.id, update),
    });
  }

  #remember(playerId: string, point: Float64Array): void {
    this.#players.delete(playerId);
    this.#players.set(playerId, { point, at: this.#options.now() });
    // Map order is insertion order: the first entries are the least recently placed players.
    while (this.#players.size > MAX_REMEMBERED_PLAYERS) {
      const oldest = this.#players.keys().next().value;
      if (oldest === undefined) break;
      this.#players.delete(oldest);
    }
  }
}

/** A no-fit only for the budget becomes a placement on the nearest free node (the player accepted that). */
function overBudgetAccepted(
  decision: PlacementDecision,
  engine: PlacementEngine,
  request: PlacementRequest,
  query: CompiledQuery,
): PlacementDecision {
  if (decision.placed || decision.reason !== 'over_budget' || !decision.best) return decision;
  if (decision.best.source === 'unknown') return decision;
  const { nodeId, rttMs, source } = decision.best;
  const slot = engine.index.coordinates.slotOf(nodeId);
  if (slot === undefined) return decision;
  log.info(
    { sessionId: request.id, nodeId, rttMs, budgetMs: query.budgetMs },
    'placed over budget: the player accepted',
  );
  return { placed: true, nodeId, slot, rttMs, source };
}

function noFit(
  decision: Extract<PlacementDecision, { placed: false }>,
  query: CompiledQuery,
  state: PlayerLatencyState,
): FramewayError {
  const details = {
    budgetMs: query.budgetMs,
    reason: decision.reason,
    best: decision.best ?? null,
    probed: state.measured.size,
    rounds: state.rounds,
  };
  if (decision.reason === 'no_capacity') {
    return new FramewayError('FW_ERR_NO_CAPACITY', 'no healthy node has a free slot for this session', details);
  }
  const best = decision.best
    ? `; nearest free node ${decision.best.nodeId} at ${decision.best.rttMs.toFixed(1)} ms`
    : '';
  return new FramewayError(
    'FW_ERR_NO_NODE_IN_BUDGET',
    `no node with a free slot is within the ${query.budgetMs} ms latency budget${best}`,
    details,
  );
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
