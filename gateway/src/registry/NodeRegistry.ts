import { type EncoderInfo, FramewayError, type GpuInfo, type RuntimeKind, TypedEmitter } from '@frameway/protocol';
import type { NodeRecord } from './NodeRecord.js';

export interface NodeRegistration {
  agentId: string;
  version: string;
  region?: string | undefined;
  slots: number;
  runtimes: readonly RuntimeKind[];
  encoders: readonly EncoderInfo[];
  gpus: readonly GpuInfo[];
}

export type NodeRegistryEvents = {
  nodeUp: [node: Readonly<NodeRecord>];
  /** The node is gone: its sessions must end. */
  nodeDown: [node: Readonly<NodeRecord>, reason: string];
};

export interface NodeRegistryOptions {
  /** A node that sends no heartbeat for this long is marked down. */
  heartbeatTimeoutMs: number;
  now?: () => number;
}

/** Edge nodes known from agent registrations and heartbeats. Decides nothing about placement. */
export class NodeRegistry extends TypedEmitter<NodeRegistryEvents> {
  readonly #nodes = new Map<string, NodeRecord>();
  readonly #options: Required<NodeRegistryOptions>;

  constructor(options: NodeRegistryOptions) {
    super();
    this.#options = { now: Date.now, ...options };
  }

  /** Registers (or re-registers) a node; its id is the agent id. */
  register(registration: NodeRegistration): Readonly<NodeRecord> {
    const now = this.#options.now();
    const existing = this.#nodes.get(registration.agentId);
    if (existing && existing.status !== 'down') {
      // A second live connection for one agent id: the newer one replaces the older.
      this.markDown(existing.nodeId, 'replaced by a new registration');
    }
    const node: NodeRecord = {
      nodeId: registration.agentId,
      agentId: registration.agentId,
      version: registration.version,
      region: registration.region,
      slots: registration.slots,
      runtimes: [...registration.runtimes],
      encoders: [...registration.encoders],
      gpus: [...registration.gpus],
      status: 'up',
      reservedSessions: 0,
      reportedSessions: 0,
      cpuLoad: undefined,
      connectedAt: now,
      lastHeartbeatAt: now,
    };
    this.#nodes.set(node.nodeId, node);
    this.emit('nodeUp', node);
    return node;
  }

  heartbeat(nodeId: string, report: { activeSessions: number; cpuLoad?: number | undefined }): void {
    const node = this.#nodes.get(nodeId);
    if (!node || node.status === 'down') return;
    node.lastHeartbeatAt = this.#options.now();
    node.reportedSessions = report.activeSessions;
    node.cpuLoad = report.cpuLoad;
  }

  /** Marks a node down (socket closed, heartbeat missed); idempotent. */
  markDown(nodeId: string, reason: string): void {
    const node = this.#nodes.get(nodeId);
    if (!node || node.status === 'down') return;
    node.status = 'down';
    this.emit('nodeDown', node, reason);
  }

  /** Removes down nodes' records; kept until then for diagnostics. */
  forget(nodeId: string): void {
    if (this.#nodes.get(nodeId)?.status === 'down') this.#nodes.delete(nodeId);
  }

  reserve(nodeId: string): void {
    const node = this.#nodes.get(nodeId);
    if (node?.status !== 'up') throw new FramewayError('FW_ERR_AGENT_UNAVAILABLE', `node ${nodeId} is not up`);
    if (node.reservedSessions >= node.slots) throw new FramewayError('FW_ERR_NO_CAPACITY', `node ${nodeId} is full`);
    node.reservedSessions++;
  }

  release(nodeId: string): void {
    const node = this.#nodes.get(nodeId);
    if (node && node.reservedSessions > 0) node.reservedSessions--;
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
}
