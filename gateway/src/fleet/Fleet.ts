import {
  type FailoverReason,
  FramewayError,
  type MessageType,
  type PayloadOf,
  SessionEndReason,
  SessionStateName,
} from '@frameway/protocol';
import { socketPaths } from '@frameway/protocol/rest';
import type { AgentLink } from '../agents/AgentLink.js';
import { FleetProbeScheduler } from '../latency/FleetProbeScheduler.js';
import { NeighbourSets } from '../latency/NeighbourSets.js';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { probeEchoHandlers } from '../latency/probeEchoHandlers.js';
import { SessionLatencyMonitor } from '../latency/SessionLatencyMonitor.js';
import { createLogger } from '../logging/logger.js';
import { CapacityPlacer } from '../placement/CapacityPlacer.js';
import { FleetIndex } from '../placement/FleetIndex.js';
import { LatencyPlacer } from '../placement/LatencyPlacer.js';
import { PlacementEngine } from '../placement/PlacementEngine.js';
import { PlacementQueue } from '../placement/PlacementQueue.js';
import type { Placer } from '../placement/Placer.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import type { NodeRegistration, NodeRegistry } from '../registry/NodeRegistry.js';
import type { SocketServer } from '../server/SocketServer.js';
import type { Session, SessionEndInfo } from '../sessions/Session.js';
import type { SessionManager } from '../sessions/SessionManager.js';
import type { Db } from '../store/openDatabase.js';
import { type AgentChallenge, AgentIdentityVerifier } from './AgentIdentityVerifier.js';
import { FleetStore } from './FleetStore.js';
import type { FleetConfig, PlacementConfig } from './fleetConfig.js';

const log = createLogger('fleet');

/** How often the landmark set (first probe round of unknown players) is renewed off the placement path. */
const LANDMARK_REFRESH_MS = 30_000;
/** Nearest measured peers kept per node (the fleet prober gossips over them; placement expands around them). */
const NEAREST_PEERS = 8;
/** A node coming or going renews the landmark set this soon (one renewal for a burst, e.g. a gateway restart). */
const LANDMARK_CHANGE_DELAY_MS = 100;

/** Agent ids in this namespace are the gateway's own (its coordinate). */
const RESERVED_ID_PREFIX = 'fw:';

/** Session ends that count for the node's reputation, and which way. */
const GOOD_ENDS: ReadonlySet<string> = new Set([
  SessionEndReason.PlayerLeft,
  SessionEndReason.Terminated,
  SessionEndReason.ConnectionLost,
]);
const BAD_ENDS: ReadonlySet<string> = new Set([
  SessionEndReason.AgentLost,
  SessionEndReason.StartFailed,
  SessionEndReason.EncoderFailed,
  SessionEndReason.RuntimeExited,
]);

export interface FleetOptions {
  fleet: FleetConfig;
  placement: PlacementConfig;
  db: Db;
  registry: NodeRegistry;
  /** This gateway's public origin (known once it listens). */
  gatewayName: () => string;
  /** The gateway's probe endpoint as agents reach it. */
  gatewayProbeUrl: () => string | undefined;
  agentFor: (nodeId: string) => AgentLink | undefined;
  now?: () => number;
  random?: () => number;
}

/**
 * The node fleet around the registry: identity of agents (signed challenge),
 * what is remembered across restarts (SQLite), network coordinates learned
 * from agent↔agent, agent↔gateway and player↔agent probes, the placer that
 * uses them, in-session RTT checks, drain, and the operator's admin API.
 */
export class Fleet {
  readonly store: FleetStore;
  readonly coordinates: NetworkCoordinates;
  readonly index: FleetIndex;
  readonly engine: PlacementEngine;
  readonly placer: Placer;
  readonly queue: PlacementQueue | undefined;
  readonly prober: FleetProbeScheduler;
  readonly #options: FleetOptions & { now: () => number };
  readonly #identity: AgentIdentityVerifier;
  readonly #latencyPlacer: LatencyPlacer | undefined;
  readonly #dirty = new Set<string>();
  #monitor: SessionLatencyMonitor | undefined;
  #persistTimer: ReturnType<typeof setInterval> | undefined;
  #landmarkTimer: ReturnType<typeof setInterval> | undefined;
  #landmarkChange: ReturnType<typeof setTimeout> | undefined;
  #flushes = 0;
  #closed = false;

  constructor(options: FleetOptions) {
    this.#options = { now: Date.now, ...options };
    const { fleet, placement, registry } = options;
    const random = options.random ?? Math.random;
    const now = this.#options.now;
    this.store = new FleetStore({ db: options.db, now, eventRetentionMs: fleet.eventRetentionMs });
    this.coordinates = new NetworkCoordinates({ random });
    this.index = new FleetIndex({ coordinates: this.coordinates, minStakeWei: BigInt(fleet.minStakeWei) });
    // Filled by the fleet's own probes, read by placement's refining rounds.
    const neighbours = new NeighbourSets(NEAREST_PEERS);
    this.engine = new PlacementEngine({
      index: this.index,
      latencyBandMs: placement.latencyBandMs,
      landmarkRefreshMs: LANDMARK_REFRESH_MS,
      now,
      random,
    });
    this.#identity = new AgentIdentityVerifier({
      gateway: '',
      bindings: this.store,
      requireIdentity: fleet.requireIdentity,
    });
    this.queue = placement.queue.enabled
      ? new PlacementQueue({
          maxLength: placement.queue.maxLength,
          maxWaitMs: placement.queue.maxWaitMs,
          retryIntervalMs: placement.queue.retryIntervalMs,
          now,
        })
      : undefined;
    if (placement.strategy === 'latency') {
      this.#latencyPlacer = new LatencyPlacer({
        engine: this.engine,
        queue: this.queue,
        neighbours,
        shortlistSize: placement.shortlistSize,
        landmarkCount: placement.landmarkCount,
        probeSamples: placement.probeSamples,
        probeTimeoutMs: placement.probeTimeoutMs,
        maxRounds: placement.maxRounds,
        latencyBandMs: placement.latencyBandMs,
        unknownLatency: placement.unknownLatency,
        now,
      });
      this.placer = this.#latencyPlacer;
    } else {
      this.placer = new CapacityPlacer(registry);
    }
    this.prober = new FleetProbeScheduler({
      coordinates: this.coordinates,
      neighbours,
      nodes: () => registry.list(),
      proberFor: (nodeId) => options.agentFor(nodeId)?.api,
      gatewayProbeUrl: options.gatewayProbeUrl,
      intervalMs: fleet.probeIntervalMs,
      nodesPerTick: fleet.probeNodesPerTick,
      peers: fleet.probePeers,
      samples: fleet.probeSamples,
      timeoutMs: fleet.probeTimeoutMs,
      random,
    });

    // What the gateway knew before it restarted: down until the agents come back.
    const stored = this.store.loadNodes();
    for (const { record, coordinate } of stored) if (coordinate) this.coordinates.set(record.nodeId, coordinate);
    registry.on('nodeChanged', (node) => this.#onNodeChanged(node));
    registry.on('nodeUp', (node) => {
      this.store.recordEvent(node.nodeId, 'up', node.address);
      this.queue?.kick();
      this.#landmarksChanged();
    });
    registry.on('nodeDown', (node, reason) => {
      this.store.recordEvent(node.nodeId, 'down', reason);
      // The sessions it had are lost to it (failover or not): one mark against its reputation.
      if (node.reservedSessions > 0) registry.recordOutcome(node.nodeId, false);
      this.#landmarksChanged();
    });
    registry.restore(stored.map((s) => s.record));
    this.#dirty.clear();
    if (stored.length > 0) log.info({ nodes: stored.length }, 'fleet restored from the database');
  }

  /** A fresh identity challenge for an agent connection. */
  newChallenge(): AgentChallenge {
    return { ...this.#identity.newChallenge(), gateway: this.#options.gatewayName() };
  }

  /**
   * Checks an agent's registration beyond the fleet secret: its node-key
   * signature over the challenge of its connection, its id. Resolves with what
   * the registry records; rejects with FW_ERR_UNAUTHORIZED or FW_ERR_INVALID_PAYLOAD.
   */
  async admit(link: AgentLink, registration: PayloadOf<typeof MessageType.AgentRegister>): Promise<NodeRegistration> {
    if (registration.agentId.startsWith(RESERVED_ID_PREFIX)) {
      throw new FramewayError('FW_ERR_INVALID_PAYLOAD', `agent ids starting with '${RESERVED_ID_PREFIX}' are reserved`);
    }
    const address = await this.#identity.verify(link.takeChallenge(), registration.agentId, registration.identity);
    return {
      agentId: registration.agentId,
      version: registration.version,
      region: registration.region,
      slots: registration.slots,
      runtimes: registration.runtimes,
      encoders: registration.encoders,
      gpus: registration.gpus,
      address,
      location: registration.location,
      encoderSessions: registration.encoderSessions,
      pricePerBlock: registration.pricePerBlock,
      stakeWei: registration.stakeWei,
      probeUrl: registration.probeUrl,
    };
  }

  /** Starts or lifts a node's drain (admin API or the agent's own request); false for an unknown node. */
  drain(nodeId: string, draining: boolean, by: 'admin' | 'agent'): boolean {
    const known = this.#options.registry.setDraining(nodeId, draining);
    if (!known) return false;
    this.store.recordEvent(nodeId, draining ? 'drain' : 'undrain', by);
    if (by === 'admin') this.#options.agentFor(nodeId)?.api.drainState(nodeId, draining);
    return true;
  }

  /** Follows the session lifecycle: reputation, history, in-session RTT checks. */
  attach(sessions: SessionManager): void {
    sessions.on('ended', (session, info) => this.#onSessionEnded(session, info));
    sessions.on('failedOver', (session, from, to) => {
      this.store.recordEvent(from, 'failover_from', `${session.id} -> ${to}`);
      this.store.recordEvent(to, 'failover_to', `${session.id} <- ${from}`);
    });
    const recheck = this.#options.placement.recheck;
    const placer = this.#latencyPlacer;
    if (!recheck.enabled || !placer) return;
    this.#monitor = new SessionLatencyMonitor({
      sessions: () =>
        sessions
          .list()
          .filter((s) => s.state === SessionStateName.Streaming && sessions.playerOf(s.id) !== undefined)
          .map((s) => ({ id: s.id, nodeId: s.nodeId, budgetMs: s.spec.latencyBudgetMs })),
      linkStats: async (sessionId) => {
        const player = sessions.playerOf(sessionId);
        if (!player || player.closed) return undefined;
        return player.api.linkStats(Math.max(1000, recheck.intervalMs / 2));
      },
      relayHopMs: (nodeId) => (recheck.mediaRelay ? this.prober.gatewayRttOf(nodeId) : undefined),
      alternative: (sessionId, nodeId) => {
        const session = sessions.get(sessionId);
        if (!session) return undefined;
        const decision = placer.alternative(session.placementRequest(), [nodeId]);
        return decision.placed ? { nodeId: decision.nodeId, rttMs: decision.rttMs } : undefined;
      },
      migrate: (sessionId) => sessions.migrate(sessionId, 'degraded' satisfies FailoverReason),
      intervalMs: recheck.intervalMs,
      overBudgetChecks: recheck.overBudgetChecks,
      tolerance: recheck.tolerance,
      cooldownMs: recheck.cooldownMs,
      now: this.#options.now,
    });
  }

  /** The in-session RTT monitor, once attached with rechecks on. */
  get monitor(): SessionLatencyMonitor | undefined {
    return this.#monitor;
  }

  /** The gateway's probe echo (the operator's admin API over the fleet is wired by the gateway: http/fleetAdminRoutes). */
  registerRoutes(server: SocketServer): void {
    server.websocket(socketPaths.probe, probeEchoHandlers());
  }

  start(): void {
    this.prober.start();
    this.#monitor?.start();
    this.#persistTimer = setInterval(() => this.flush(), this.#options.fleet.persistIntervalMs);
    this.#persistTimer.unref();
    this.#landmarkTimer = setInterval(() => {
      this.engine.refreshIndexes();
      this.engine.refreshLandmarks(this.#options.placement.landmarkCount);
    }, LANDMARK_REFRESH_MS);
    this.#landmarkTimer.unref();
  }

  /** Writes changed nodes (and, every minute or so, every live node's coordinate) to the database. */
  flush(all = false): void {
    const registry = this.#options.registry;
    this.#flushes++;
    const everyone = all || this.#flushes % 12 === 0;
    const nodes = everyone ? registry.list() : [...this.#dirty].flatMap((id) => registry.get(id) ?? []);
    this.#dirty.clear();
    try {
      // Only coordinates that learned from measurements: a location-seeded guess restored after a restart
      // would otherwise count as known.
      const learned = (nodeId: string) => {
        const slot = this.coordinates.slotOf(nodeId);
        return slot !== undefined && this.coordinates.isKnown(slot) ? this.coordinates.get(nodeId) : undefined;
      };
      this.store.saveNodes(nodes.map((record) => ({ record, coordinate: learned(record.nodeId) })));
    } catch (error) {
      log.error({ err: error }, 'could not persist the fleet');
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#persistTimer);
    clearInterval(this.#landmarkTimer);
    clearTimeout(this.#landmarkChange);
    this.prober.close();
    this.#monitor?.close();
    this.queue?.close();
    this.flush(true);
  }

  /**
   * The landmark cache would otherwise keep a node that went down until the
   * next timed renewal: players placed meanwhile probe fewer landmarks, none
   * when they all went down.
   */
  #landmarksChanged(): void {
    if (this.#closed || this.#landmarkChange) return;
    this.#landmarkChange = setTimeout(() => {
      this.#landmarkChange = undefined;
      this.engine.refreshLandmarks(this.#options.placement.landmarkCount);
    }, LANDMARK_CHANGE_DELAY_MS);
    this.#landmarkChange.unref();
  }

  #onNodeChanged(node: Readonly<NodeRecord>): void {
    const before = this.coordinates.slotOf(node.nodeId);
    const freeBefore = before === undefined ? 0 : this.index.free(before);
    this.index.sync(node);
    this.#dirty.add(node.nodeId);
    const slot = this.coordinates.slotOf(node.nodeId)!;
    if (this.index.free(slot) > freeBefore) this.queue?.kick();
  }

  #onSessionEnded(session: Session, info: SessionEndInfo): void {
    this.#monitor?.forget(session.id);
    const nodeId = session.nodeId;
    if (nodeId === undefined) return;
    // A node lost with its sessions was marked once already (nodeDown).
    if (info.reason === SessionEndReason.AgentLost) return;
    if (GOOD_ENDS.has(info.reason) && session.streamingSince !== undefined) {
      this.#options.registry.recordOutcome(nodeId, true);
    } else if (BAD_ENDS.has(info.reason)) {
      this.#options.registry.recordOutcome(nodeId, false);
    }
  }
}
