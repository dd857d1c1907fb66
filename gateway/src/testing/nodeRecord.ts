import type { NodeRecord } from '../registry/NodeRecord.js';

/** A healthy one-codec node record (scene runtime, software H.264, 4 slots, probe endpoint), with `patch` applied. */
export function nodeRecord(nodeId: string, patch: Partial<NodeRecord> = {}): NodeRecord {
  const slots = patch.slots ?? 4;
  return {
    nodeId,
    agentId: nodeId,
    address: undefined,
    version: '0.1.0',
    region: undefined,
    location: { region: undefined, country: undefined, city: undefined, lat: undefined, lon: undefined },
    slots,
    encoderSessions: undefined,
    capacity: slots,
    runtimes: ['scene'],
    encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
    gpus: [],
    gpuModel: undefined,
    pricePerBlock: 0,
    stakeWei: '0',
    reputation: 0.5,
    probeUrl: `ws://127.0.0.1:1/probe/${nodeId}`,
    status: 'up',
    drainRequested: false,
    reservedSessions: 0,
    reportedSessions: 0,
    cpuLoad: undefined,
    connectedAt: 0,
    lastHeartbeatAt: 0,
    firstSeenAt: 0,
    sessionsCompleted: 0,
    sessionsFailed: 0,
    ...patch,
  };
}
