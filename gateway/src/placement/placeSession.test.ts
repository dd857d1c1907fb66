import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { placeSession } from './placeSession.js';

function node(nodeId: string, patch: Partial<NodeRecord> = {}): NodeRecord {
  return {
    nodeId,
    agentId: nodeId,
    address: undefined,
    version: '0.1.0',
    region: undefined,
    location: { region: undefined, country: undefined, city: undefined, lat: undefined, lon: undefined },
    slots: 4,
    encoderSessions: undefined,
    capacity: patch.slots ?? 4,
    runtimes: ['scene'],
    encoders: [{ codec: 'h264', name: 'libx264', hardware: false }],
    gpus: [],
    gpuModel: undefined,
    pricePerBlock: 0,
    stakeWei: '0',
    reputation: 0.5,
    probeUrl: undefined,
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

const request = { runtime: 'scene', codec: 'h264' } as const;

describe('placeSession', () => {
  it('places on the least loaded healthy node', () => {
    const decision = placeSession([node('a', { reservedSessions: 3 }), node('b', { reservedSessions: 1 })], request);
    expect(decision.node.nodeId).toBe('b');
  });

  it('prefers a hardware encoder when load is equal', () => {
    const hw = node('z', { encoders: [{ codec: 'h264', name: 'h264_nvenc', hardware: true }] });
    expect(placeSession([node('a'), hw], request).node.nodeId).toBe('z');
  });

  it('breaks ties by node id so placement is deterministic', () => {
    expect(placeSession([node('c'), node('a'), node('b')], request).node.nodeId).toBe('a');
  });

  it('rejects nodes that are down, draining, full, or lack the runtime or codec', () => {
    const nodes = [
      node('down', { status: 'down' }),
      node('draining', { status: 'draining' }),
      node('full', { slots: 1, reservedSessions: 1 }),
      node('x11only', { runtimes: ['x11'] }),
      node('vp8only', { encoders: [{ codec: 'vp8', name: 'libvpx', hardware: false }] }),
      node('ok'),
    ];
    const decision = placeSession(nodes, request);
    expect(decision.node.nodeId).toBe('ok');
    expect(decision.rejected).toEqual({
      down: 'not_up',
      draining: 'not_up',
      full: 'full',
      x11only: 'runtime_missing',
      vp8only: 'codec_missing',
    });
  });

  it('throws FW_ERR_NO_CAPACITY with the reasons when nothing fits', () => {
    try {
      placeSession([node('full', { slots: 1, reservedSessions: 1 })], request);
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'FW_ERR_NO_CAPACITY', details: { rejected: { full: 'full' } } });
    }
    expect(() => placeSession([], request)).toThrow(expect.objectContaining({ code: 'FW_ERR_NO_CAPACITY' }));
  });
});
