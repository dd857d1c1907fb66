import { type EncoderInfo, FramewayError, type GpuInfo, type RuntimeKind, TypedEmitter } from '@frameway/protocol';
import { createLogger } from '../logging/logger.js';
import type { NodeRecord } from './NodeRecord.js';

const log = createLogger('registry');

export interface NodeRegistration {
  agentId: string;
  version: string;
  region?: string | undefined;
  slots: number;
  runtimes: readonly RuntimeKind[];
  encoders: readonly EncoderInfo[];
  gpus: readonly GpuInfo[];
  /** Verified node-key address (set by the gateway after the challenge, never taken from the agent unchecked). */
  address?: string | undefined;
  location?:
    | {
        country?: string | undefined;
        city?: string | undefined;
        lat?: number | undefined;
        lon?: number | undefined;
      }
    | undefined;
  encoderSessions?: number | undefined;
  pricePerBlock?: number | undefined;
  stakeWei?: string | undefined;
  probeUrl?: string | undefined;
}

export type NodeRegistryEvents = {
  nodeUp: [node: Readonly<NodeRecord>];
  /** The node is gone: its sessions must end or fail over. */
  nodeDown: [node: Readonly<NodeRecord>, reason: string];
  /** Anything placement or persistence cares about changed: status, load, reservations, reputation, drain. */
  nodeChanged: [node: Readonly<NodeRecord>];
};

export interface NodeRegistryOptions {
  /** A node that sends no heartbeat for this long is marked down. */
  heartbeatTimeoutMs: number;
  now?: () => number;
  /** Reputation of a node the gateway has never seen (0..1). */
  initialReputation?: number;
  /** Weight of one session outcome in the reputation moving average. */
  reputationAlpha?: number;
}

/**
 * Edge nodes known from agent registrations, heartbeats and (after a
 * restart) the fleet store. Decides nothing about placement. Down nodes are
 * kept, with their reputation and history, until they register again.
 */
export class NodeRegistry extends TypedEmitter<NodeRegistryEvents> {
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #options: Required<NodeRegistryOptions>;

  constructor(options: NodeRegistryOptions) {
    super((error, event) => log.error({ err: error, event }, 'listener threw'));
    this.#options = { now: Date.now, initialReputation: 0.5, reputationAlpha: 0.05, ...options };
  }

  /** Registers (or re-registers) a node; its id is the agent id. Reputation and history carry over. */
  register(registration: NodeRegistration): Readonly<NodeRecord> {
    const now = this.#options.now();
    const existing = this.#nodes.get(registration.agentId);
    if (existing && existing.status !== 'down') {
      // A second live connection for one agent id: the newer one replaces the older.
      this.markDown(existing.nodeId, 'replaced by a new registration');
    }
    const location = registration.location ?? {};
    const encoderSessions = registration.encoderSessions;
    const drainRequested = existing?.drainRequested ?? false;
    const node: NodeRecord = {
      nodeId: registration.agentId,
      agentId: registration.agentId,
      address: registration.address,
      version: registration.version,
      region: registration.region,
      location: {
        region: registration.region,
        country: location.country,
        city: location.city,
        lat: location.lat,
        lon: location.lon,
      },
      slots: registration.slots,
      encoderSessions,
      capacity: encoderSessions === undefined ? registration.slots : Math.min(registration.slots, encoderSessions),
      runtimes: [...registration.runtimes],
      encoders: [...registration.encoders],
      gpus: [...registration.gpus],
      gpuModel: registration.gpus[0]?.model,
      pricePerBlock: registration.pricePerBlock ?? 0,
      stakeWei: registration.stakeWei ?? '0',
      reputation: existing?.reputation ?? this.#options.initialReputation,
      probeUrl: registration.probeUrl,
      status: drainRequested ? 'draining' : 'up',
      drainRequested,
      reservedSessions: 0,
      reportedSessions: 0,
      cpuLoad: undefined,
      connectedAt: now,
      lastHeartbeatAt: now,
      firstSeenAt: existing?.firstSeenAt ?? now,
      sessionsCompleted: existing?.sessionsCompleted ?? 0,
      sessionsFailed: existing?.sessionsFailed ?? 0,
    };
    this.#nodes.set(node.nodeId, node);
    this.emit('nodeUp', node);
    this.emit('nodeChanged', node);
    return node;
  }

  /** Loads nodes known before a restart; they stay down until their agents register again. */
  restore(records: Iterable<NodeRecord>): void {
    for (const record of records) {
      if (this.#nodes.has(record.nodeId)) continue;
      const node: NodeRecord = { ...record, status: 'down', reservedSessions: 0, reportedSessions: 0 };
      this.#nodes.set(node.nodeId, node);
      this.emit('nodeChanged', node);
    }
  }

  heartbeat(nodeId: string, report: { activeSessions: number; cpuLoad?: number | undefined }): void {
    const node = this.#nodes.get(nodeId);
    if (!node || node.status === 'down') return;
    node.lastHeartbeatAt = this.#options.now();
    const changed = node.reportedSessions !== report.activeSessions || node.cpuLoad !== report.cpuLoad;
    node.reportedSessions = report.activeSessions;
    node.cpuLoad = report.cpuLoad;
    if (changed) this.emit('nodeChanged', node);
  }

  /** Marks a node down (socket closed, heartbeat missed); idempotent. */
  markDown(nodeId: string, reason: string): void {
    const node = this.#nodes.get(nodeId);
    if (!node || node.status === 'down') return;
    node.status = 'down';
    this.emit('nodeDown', node, reason);
    this.emit('nodeChanged', node);
  }

  /**
   * Starts or lifts a drain: a draining node takes no new sessions and keeps
   * its current ones. Remembered while the node is down. Returns false for an
   * unknown node.
   */
  setDraining(nodeId: string, draining: boolean): boolean {
    const node = this.#nodes.get(nodeId);
    if (!node) return false;
    if (node.drainRequested === draining) return true;
    node.drainRequested = draining;
    if (node.status !== 'down') node.status = draining ? 'draining' : 'up';
    log.info({ nodeId, draining }, draining ? 'node draining' : 'node drain lifted');
    this.emit('nodeChanged', node);
    return true;
  }

  /** Removes a down node's record (operator clean-up). */
  forget(nodeId: string): void {
    if (this.#nodes.get(nodeId)?.status === 'down') this.#nodes.delete(nodeId);
  }

  reserve(nodeId: string): void {
    const node = this.#nodes.get(nodeId);
    if (node?.status !== 'up') throw new FramewayError('FW_ERR_AGENT_UNAVAILABLE', `node ${nodeId} is not up`);
    if (node.reservedSessions >= node.capacity) {
      throw new FramewayError('FW_ERR_NO_CAPACITY', `node ${nodeId} is full`);
    }
    node.reservedSessions++;
    this.emit('nodeChanged', node);
  }

  release(nodeId: string): void {
    const node = this.#nodes.get(nodeId);
    if (node && node.reservedSessions > 0) {
      node.reservedSessions--;
      this.emit('nodeChanged', node);
    }
  }

  /**
   * Folds one session outcome into the node's reputation (exponential moving
   * average towards 1 for a session that ended normally, towards 0 for one
   * the node lost or could not start).
   */
  recordOutcome(nodeId: string, ok: boolean): void {
    const node = this.#nodes.get(nodeId);
    if (!node) return;
    const alpha = this.#options.reputationAlpha;
    node.reputation = node.reputation + alpha * ((ok ? 1 : 0) - node.reputation);
    if (ok) node.sessionsCompleted++;
    else node.sessionsFailed++;
    this.emit('nodeChanged', node);
  }

  /** Marks nodes down whose last heartbeat is older than the timeout. Returns their ids. */
  sweep(): string[] {
    const deadline = this.#options.now() - this.#options.heartbeatTimeoutMs;
    const expired: string[] = [];
    for (const node of this.#nodes.values()) {
      if (node.status !== 'down' && node.lastHeartbeatAt < deadline) {
        expired.push(node.nodeId);
        this.markDown(node.nodeId, 'heartbeat timeout');
      }
    }
    return expired;
  }

  get(nodeId: string): Readonly<NodeRecord> | undefined {
    return this.#nodes.get(nodeId);
  }

  list(): readonly Readonly<NodeRecord>[] {
    return [...this.#nodes.values()];
  }

  get size(): number {
    return this.#nodes.size;
  }
}
