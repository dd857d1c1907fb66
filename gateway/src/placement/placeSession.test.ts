import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { placeSession } from './placeSession.js';

/** A node without a probe endpoint: capacity placement ignores latency. */
function node(nodeId: string, patch: Partial<NodeRecord> = {}): NodeRecord {
  return nodeRecord(nodeId, { probeUrl: undefined, ...patch });
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
