import type { ProbeResult, ProbeTarget } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { GATEWAY_COORDINATE_ID, type NetworkCoordinates } from './NetworkCoordinates.js';

const log = createLogger('latency.fleet-probes');

/** What the scheduler needs from an agent link: one probe round, answered with the results. */
export interface FleetProber {
  probe(request: { targets: ProbeTarget[]; samples: number; timeoutMs: number }): Promise<ProbeResult[]>;
}

export interface FleetProbeSchedulerOptions {
  coordinates: NetworkCoordinates;
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

/** Candidates looked at when choosing a node's near peers; a sample keeps a tick cheap at 40,000 nodes. */
const NEAR_PEER_SAMPLE = 64;

/**
 * Keeps the network coordinates learning: every tick the next few agents
 * (round robin) each measure the gateway, their predicted-nearest peers and
 * some random ones, and every RTT becomes a Vivaldi update on both ends.
 * Near peers make the local neighbourhood accurate; random ones keep the
 * global shape. Also remembers each node's RTT to the gateway (the relay hop).
 */
export class FleetProbeScheduler {
  readonly #options: Required<FleetProbeSchedulerOptions>;
  readonly #gatewayRtt = new Map<string, number>();
  readonly #inFlight = new Set<string>();
  #cursor = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #rounds = 0;

  constructor(options: FleetProbeSchedulerOptions) {
    this.#options = { random: Math.random, ...options };
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
      for (const result of results) {
        if (result.rttMs === undefined || result.received === 0) continue;
        this.#options.coordinates.observe(node.nodeId, result.id, result.rttMs);
        if (result.id === GATEWAY_COORDINATE_ID) this.#gatewayRtt.set(node.nodeId, result.rttMs);
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
    const others = peers.length - 1;
    const wanted = Math.min(this.#options.peers, others);
    if (wanted <= 0) return targets;
    const random = this.#options.random;
    // A uniformly random peer other than `node`, without copying the list (40,000 nodes).
    const randomPeer = (): Readonly<NodeRecord> => {
      const peer = peers[Math.floor(random() * peers.length)]!;
      return peer.nodeId === node.nodeId ? peers[(peers.indexOf(peer) + 1) % peers.length]! : peer;
    };
    const chosen = new Set<Readonly<NodeRecord>>();
    // Half near (predicted, from a random sample), half uniformly random.
    const coordinates = this.#options.coordinates;
    const self = coordinates.slotOf(node.nodeId);
    const nearWanted = Math.ceil(wanted / 2);
    if (self !== undefined) {
      const sample: { peer: Readonly<NodeRecord>; d: number }[] = [];
      const small = peers.length <= NEAR_PEER_SAMPLE;
      for (let i = 0; i < Math.min(NEAR_PEER_SAMPLE, peers.length); i++) {
        const peer = small ? peers[i]! : randomPeer();
        if (peer.nodeId === node.nodeId) continue;
        const slot = coordinates.slotOf(peer.nodeId);
        if (slot !== undefined) sample.push({ peer, d: coordinates.predictBetween(self, slot) });
      }
      sample.sort((a, b) => a.d - b.d);
      for (const { peer } of sample) {
        if (chosen.size >= nearWanted) break;
        chosen.add(peer);
      }
    }
    for (let guard = 0; chosen.size < wanted && guard < wanted * 8; guard++) chosen.add(randomPeer());
    for (const peer of chosen) targets.push({ id: peer.nodeId, url: peer.probeUrl! });
    return targets;
  }
}
