import type { ProbeResult, ProbeTarget } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { NeighbourSets } from './NeighbourSets.js';
import { GATEWAY_COORDINATE_ID, type NetworkCoordinates } from './NetworkCoordinates.js';

const log = createLogger('latency.fleet-probes');

/** What the scheduler needs from an agent link: one probe round, answered with the results. */
export interface FleetProber {
  probe(request: { targets: ProbeTarget[]; samples: number; timeoutMs: number }): Promise<ProbeResult[]>;
}

export interface FleetProbeSchedulerOptions {
  coordinates: NetworkCoordinates;
  /** Where each node's lowest-RTT peers are kept (placement reads them too). */
  neighbours?: NeighbourSets;
  /** Current nodes (the registry's list). */
  nodes: () => readonly Readonly<NodeRecord>[];
  proberFor: (nodeId: string) => FleetProber | undefined;
  /** The gateway's probe endpoint as agents reach it; undefined = agents do not probe the gateway. */
  gatewayProbeUrl: () => string | undefined;
  intervalMs: number;
  nodesPerTick: number;
  peers: number;
  samples: number;
  timeoutMs: number;
  random?: () => number;
}

/** Random candidates looked at, besides neighbours' neighbours, when choosing a node's near peers. */
const NEAR_PEER_SAMPLE = 16;
/** Lowest-RTT peers remembered per node. */
const NEAR_SET = 8;

/**
 * Keeps the network coordinates learning: every tick the next few agents
 * (round robin) each measure the gateway, near peers and some random ones,
 * and every RTT becomes a Vivaldi update on both ends. Near candidates come
 * from the neighbours of a node's lowest-RTT peers (gossip) plus a small
 * random sample, ranked by predicted RTT: that is how each node finds its real
 * neighbourhood, which the coordinates must get right (the Vivaldi paper notes
 * nodes need close peers besides random ones). Random peers keep the global
 * shape. Also remembers each node's RTT to the gateway (the relay hop).
 */
export class FleetProbeScheduler {
  readonly #options: Required<FleetProbeSchedulerOptions>;
  readonly #gatewayRtt = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  readonly #neighbours: NeighbourSets;
  #byIdFor: readonly Readonly<NodeRecord>[] | undefined;
  #byIdCache: ReadonlyMap<string, Readonly<NodeRecord>> = new Map();
  #cursor = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #rounds = 0;

  constructor(options: FleetProbeSchedulerOptions) {
    this.#neighbours = options.neighbours ?? new NeighbourSets(NEAR_SET);
    this.#options = { random: Math.random, neighbours: this.#neighbours, ...options };
  }

  /** Latest measured RTT between a node and this gateway. */
  gatewayRttOf(nodeId: string): number | undefined {
    return this.#gatewayRtt.get(nodeId);
  }

  /** Probe rounds completed (diagnostics). */
  get rounds(): number {
    return this.#rounds;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.tick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Asks the next batch of agents to probe; resolves when their answers are in. */
  async tick(): Promise<void> {
    const probeable = this.#options.nodes().filter((n) => n.status !== 'down' && n.probeUrl !== undefined);
    if (probeable.length === 0) return;
    const batch: Readonly<NodeRecord>[] = [];
    for (let i = 0; i < Math.min(this.#options.nodesPerTick, probeable.length); i++) {
      batch.push(probeable[(this.#cursor + i) % probeable.length]!);
    }
    this.#cursor = (this.#cursor + batch.length) % Math.max(1, probeable.length);
    await Promise.all(batch.map((node) => this.probeFrom(node, probeable)));
  }

  /** One node measures the gateway and a few peers; every answer updates the coordinates. */
  async probeFrom(node: Readonly<NodeRecord>, peers: readonly Readonly<NodeRecord>[]): Promise<void> {
    const prober = this.#options.proberFor(node.nodeId);
    if (!prober || this.#inFlight.has(node.nodeId)) return;
    const targets = this.#targetsFor(node, peers);
    if (targets.length === 0) return;
    this.#inFlight.add(node.nodeId);
    try {
      const results = await prober.probe({
        targets,
        samples: this.#options.samples,
        timeoutMs: this.#options.timeoutMs,
      });
      this.#rounds++;
      // Only answers about what was asked count: an agent must not move the coordinates of nodes it never probed.
      const asked = new Set(targets.map((t) => t.id));
      for (const result of results) {
        if (!asked.has(result.id) || result.rttMs === undefined || result.received === 0) continue;
        asked.delete(result.id);
        this.#options.coordinates.observe(node.nodeId, result.id, result.rttMs);
        if (result.id === GATEWAY_COORDINATE_ID) this.#gatewayRtt.set(node.nodeId, result.rttMs);
        else this.#neighbours.record(node.nodeId, result.id, result.rttMs);
      }
    } catch (error) {
      log.debug({ nodeId: node.nodeId, err: error }, 'fleet probe failed');
    } finally {
      this.#inFlight.delete(node.nodeId);
    }
  }

  #targetsFor(node: Readonly<NodeRecord>, peers: readonly Readonly<NodeRecord>[]): ProbeTarget[] {
    const targets: ProbeTarget[] = [];
    const gatewayUrl = this.#options.gatewayProbeUrl();
    if (gatewayUrl !== undefined) {
      this.#options.coordinates.ensureSlot(GATEWAY_COORDINATE_ID);
      targets.push({ id: GATEWAY_COORDINATE_ID, url: gatewayUrl });
    }
    const wanted = Math.min(this.#options.peers, peers.length - 1);
    if (wanted <= 0) return targets;
    const random = this.#options.random;
    const byId = this.#byId(peers);
    // A uniformly random peer other than `node`, without copying the list (40,000 nodes).
    const randomPeer = (): Readonly<NodeRecord> => {
      const at = Math.floor(random() * peers.length);
      const peer = peers[at]!;
      return peer.nodeId === node.nodeId ? peers[(at + 1) % peers.length]! : peer;
    };
    const chosen = new Map<string, Readonly<NodeRecord>>();
    const coordinates = this.#options.coordinates;
    const self = coordinates.slotOf(node.nodeId);
    const neighbours = this.#neighbours;
    const near = [...neighbours.ids(node.nodeId)];
    const nearWanted = Math.ceil(wanted / 2);
    if (self !== undefined) {
      // One known neighbour again (refines the local picture)...
      if (near.length > 0) {
        const again = byId.get(near[Math.floor(random() * near.length)]!);
        if (again) chosen.set(again.nodeId, again);
      }
      // ...then the nearest-looking candidates among neighbours' neighbours and a random sample.
      const want = nearWanted - chosen.size;
      const bestIds: string[] = [];
      const bestDist: number[] = [];
      const seen = new Set<string>();
      const consider = (id: string): void => {
        if (seen.has(id) || id === node.nodeId || chosen.has(id) || neighbours.has(node.nodeId, id)) return;
        seen.add(id);
        const slot = coordinates.slotOf(id);
        if (slot === undefined) return;
        const d = coordinates.predictBetween(self, slot);
        if (bestIds.length === want && d >= bestDist[want - 1]!) return;
        let at = bestIds.length < want ? bestIds.length : want - 1;
        while (at > 0 && bestDist[at - 1]! > d) {
          bestIds[at] = bestIds[at - 1]!;
          bestDist[at] = bestDist[at - 1]!;
          at--;
        }
        bestIds[at] = id;
        bestDist[at] = d;
      };
      if (want > 0) {
        for (const peerId of near) for (const twoHop of neighbours.ids(peerId)) consider(twoHop);
        for (let i = 0; i < NEAR_PEER_SAMPLE; i++) consider(randomPeer().nodeId);
      }
      for (const id of bestIds) {
        const peer = byId.get(id);
        if (peer) chosen.set(id, peer);
      }
    }
    for (let guard = 0; chosen.size < wanted && guard < wanted * 8; guard++) {
      const peer = randomPeer();
      chosen.set(peer.nodeId, peer);
    }
    for (const peer of chosen.values()) targets.push({ id: peer.nodeId, url: peer.probeUrl! });
    return targets;
  }

  #byId(peers: readonly Readonly<NodeRecord>[]): ReadonlyMap<string, Readonly<NodeRecord>> {
    if (this.#byIdFor !== peers) {
      this.#byIdFor = peers;
      this.#byIdCache = new Map(peers.map((p) => [p.nodeId, p]));
    }
    return this.#byIdCache;
  }
}
