import { describe, expect, it } from 'vitest';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { measureUtilisation } from './measureUtilisation.js';

function node(nodeId: string, slots: number, reservedSessions: number, status: NodeRecord['status'] = 'up') {
  return { nodeId, slots, reservedSessions, status } as NodeRecord;
}

describe('measureUtilisation', () => {
  const nodes = [node('a', 4, 1), node('b', 4, 3), node('c', 8, 8, 'down')];

  it("uses the session's node on the node basis", () => {
    expect(measureUtilisation(nodes, 'node', 'a')).toBe(2500);
    expect(measureUtilisation(nodes, 'node', 'b')).toBe(7500);
  });

  it('uses every node that is up on the fleet basis, and for nodes the registry no longer knows', () => {
    expect(measureUtilisation(nodes, 'fleet', 'a')).toBe(5000);
    expect(measureUtilisation(nodes, 'node', 'gone')).toBe(5000);
  });

  it('counts an empty fleet as full', () => {
    expect(measureUtilisation([], 'fleet', undefined)).toBe(10_000);
  });
});
