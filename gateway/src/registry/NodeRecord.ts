import type { EncoderInfo, GpuInfo, RuntimeKind } from '@frameway/protocol';

export type NodeStatus = 'up' | 'draining' | 'down';

/** What the gateway knows about one edge node; plain data, no sockets. */
export interface NodeRecord {
  nodeId: string;
  agentId: string;
  version: string;
  region: string | undefined;
  slots: number;
  runtimes: readonly RuntimeKind[];
  encoders: readonly EncoderInfo[];
  gpus: readonly GpuInfo[];
  status: NodeStatus;
  /** Sessions the gateway has placed here and not yet ended. */
  reservedSessions: number;
  /** Sessions the agent last reported running. */
  reportedSessions: number;
  cpuLoad: number | undefined;
  connectedAt: number;
  lastHeartbeatAt: number;
}
