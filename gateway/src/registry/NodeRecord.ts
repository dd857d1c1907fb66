import type { EncoderInfo, GpuInfo, RuntimeKind } from '@frameway/protocol';

export type NodeStatus = 'up' | 'draining' | 'down';

/** Where a node says it is; every field is optional (network position comes from probes). */
export interface NodeLocationRecord {
  region: string | undefined;
  /** ISO 3166-1 alpha-2. */
  country: string | undefined;
  city: string | undefined;
  lat: number | undefined;
  lon: number | undefined;
}

/** What the gateway knows about one edge node; plain data, no sockets. */
export interface NodeRecord {
  nodeId: string;
  agentId: string;
  /** EVM address of the node key that signed the registration challenge; undefined for unverified nodes. */
  address: string | undefined;
  version: string;
  region: string | undefined;
  location: NodeLocationRecord;
  slots: number;
  /** Hardware encoder sessions the GPU allows; undefined = no cap. */
  encoderSessions: number | undefined;
  /** Sessions the node can run at once: its slots, capped by its encoder sessions. */
  capacity: number;
  runtimes: readonly RuntimeKind[];
  encoders: readonly EncoderInfo[];
  gpus: readonly GpuInfo[];
  /** Model of the first GPU, for placement by GPU class and for operators. */
  gpuModel: string | undefined;
  /** Asking price per 15-minute block (settlement token units). */
  pricePerBlock: number;
  /** Stake the node claims, in wei (decimal string). */
  stakeWei: string;
  /** 0..1, kept by the gateway from session outcomes; persists across restarts. */
  reputation: number;
  /** WebSocket echo endpoint for latency probes; undefined = the node cannot be probed. */
  probeUrl: string | undefined;
  status: NodeStatus;
  /** An operator asked the node to drain; survives reconnects until lifted. */
  drainRequested: boolean;
  /** Sessions the gateway has placed here and not yet ended. */
  reservedSessions: number;
  /** Sessions the agent last reported running. */
  reportedSessions: number;
  cpuLoad: number | undefined;
  connectedAt: number;
  lastHeartbeatAt: number;
  /** When the gateway first heard of this node (epoch ms). */
  firstSeenAt: number;
  /** Sessions that ended normally on this node, and that the node lost or failed to start. */
  sessionsCompleted: number;
  sessionsFailed: number;
}
