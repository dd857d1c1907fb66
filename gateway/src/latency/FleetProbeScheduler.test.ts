import type { ProbeResult, ProbeTarget } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/createRandom.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { type FleetProber, FleetProbeScheduler, type FleetProbeSchedulerOptions } from './FleetProbeScheduler.js';
import { NeighbourSets } from './NeighbourSets.js';
import { GATEWAY_COORDINATE_ID, NetworkCoordinates } from './NetworkCoordinates.js';

/** Nodes n0..n(count-1) on a line 10 ms apart; the gateway sits 3 ms from every node. */
function setup(count: number, patch: Partial<FleetProbeSchedulerOptions> = {}, nodePatch: Partial<NodeRecord>[] = []) {
  const nodes = Array.from({ length: count }, (_, i) => nodeRecord(`n${i}`, nodePatch[i]));
  const coordinates = new NetworkCoordinates({ random: createRandom(1) });
  for (const node of nodes) coordinates.ensureSlot(node.nodeId);
  const neighbours = new NeighbourSets(4);
  const rtt = (a: string, b: string): number =>
    b === GATEWAY_COORDINATE_ID ? 3 : Math.abs(Number(a.slice(1)) - Number(b.slice(1))) * 10;
  const asked: { from: string; targets: ProbeTarget[]; samples: number; timeoutMs: number }[] = [];
  const answer = new Map<string, (targets: ProbeTarget[]) => Promise<ProbeResult[]>>();
  const proberFor = (from: string): FleetProber => ({
    probe: async ({ targets, samples, timeoutMs }) => {
      asked.push({ from, targets, samples, timeoutMs });
      const custom = answer.get(from);
      if (custom) return custom(targets);
      return targets.map(({ id }) => ({ id, rttMs: rtt(from, id), sent: samples, received: samples }));
    },
  });
  const scheduler = new FleetProbeScheduler({
    coordinates,
    neighbours,
    nodes: () => nodes,
    proberFor,
    gatewayProbeUrl: () => 'ws://127.0.0.1:1/probe',
    intervalMs: 10_000,
    nodesPerTick: 2,
    peers: 3,
    samples: 3,
    timeoutMs: 1000,
    random: createRandom(2),
    ...patch,
  });
  return { nodes, coordinates, neighbours, scheduler, asked, answer };
}

describe('FleetProbeScheduler', () => {
  it('asks the next few agents each tick, round robin, skipping nodes that are down or cannot be probed', async () => {
    const t = setup(5, {}, [{}, { status: 'down' }, {}, { probeUrl: undefined }, {}]);
    const ticks: string[][] = [];
    for (let i = 0; i < 3; i++) {
      t.asked.length = 0;
      await t.scheduler.tick();
      ticks.push(t.asked.map((a) => a.from));
    }
    expect(ticks).toEqual([
      ['n0', 'n2'],
      ['n4', 'n0'],
      ['n2', 'n4'],
    ]);
    for (const request of t.asked) {
      expect(request.targets.map((target) => target.id)).not.toContain('n1');
      expect(request.targets.map((target) => target.id)).not.toContain('n3');
    }
  });

  it('has every agent measure the gateway and a few peers, never itself', async () => {
    const t = setup(6, { nodesPerTick: 6 });
    await t.scheduler.tick();
    expect(t.asked).toHaveLength(6);
    for (const request of t.asked) {
      const ids = request.targets.map((target) => target.id);
      expect(ids[0]).toBe(GATEWAY_COORDINATE_ID);
      expect(request.targets[0]!.url).toBe('ws://127.0.0.1:1/probe');
      expect(ids).not.toContain(request.from);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(1 + 3);
      expect(request).toMatchObject({ samples: 3, timeoutMs: 1000 });
    }
  });

  it('leaves the gateway out when it has no probe URL', async () => {
    const t = setup(3, { gatewayProbeUrl: () => undefined, nodesPerTick: 1 });
    await t.scheduler.tick();
    expect(t.asked[0]!.targets.map((target) => target.id)).not.toContain(GATEWAY_COORDINATE_ID);
    expect(t.coordinates.slotOf(GATEWAY_COORDINATE_ID)).toBeUndefined();
  });

  it('turns every answer into coordinate updates and neighbours, and remembers RTTs to the gateway', async () => {
    const t = setup(4, { nodesPerTick: 4 });
    await t.scheduler.tick();
    expect(t.scheduler.rounds).toBe(4);
    expect(t.coordinates.updates).toBe(2 * 4 * 4); // 4 agents × (gateway + 3 peers), both ends move
    for (const node of t.nodes) expect(t.scheduler.gatewayRttOf(node.nodeId)).toBe(3);
    // n0 measured its three peers; the lowest RTT comes first.
    expect(t.neighbours.of('n0')).toEqual(['n1', 'n2', 'n3']);
    expect(t.neighbours.of(GATEWAY_COORDINATE_ID)).toEqual([]);
  });

  it('ignores lost samples and answers about nodes it did not ask for', async () => {
    const t = setup(3, { nodesPerTick: 1 });
    t.answer.set('n0', async (targets) => [
      ...targets.map(({ id }) => ({ id, sent: 3, received: 0 })),
      { id: 'n2', rttMs: 1, sent: 3, received: 3 },
      { id: 'stranger', rttMs: 1, sent: 3, received: 3 },
    ]);
    t.coordinates.ensureSlot('stranger');
    await t.scheduler.tick();
    expect(t.asked[0]!.targets.map((target) => target.id).sort()).toEqual([GATEWAY_COORDINATE_ID, 'n1', 'n2']);
    // n2 was asked, so its one answer counts (both ends move); 'stranger' was not.
    expect(t.coordinates.updates).toBe(2);
    expect(t.neighbours.of('n0')).toEqual(['n2']);
    expect(t.neighbours.has('n0', 'stranger')).toBe(false);
    expect(t.coordinates.isKnown(t.coordinates.slotOf('stranger')!)).toBe(false);
    expect(t.scheduler.gatewayRttOf('n0')).toBeUndefined();
  });

  it('survives an agent whose probe fails, and never runs two rounds on one agent at once', async () => {
    const t = setup(3, { nodesPerTick: 3 });
    t.answer.set('n0', async () => {
      throw new Error('agent went away');
    });
    let release: (() => void) | undefined;
    t.answer.set('n1', (targets) => {
      return new Promise((resolve) => {
        release = () => resolve(targets.map(({ id }) => ({ id, rttMs: 10, sent: 3, received: 3 })));
      });
    });
    const first = t.scheduler.tick();
    await Promise.resolve();
    const before = t.asked.filter((a) => a.from === 'n1').length;
    await t.scheduler.probeFrom(t.nodes[1]!, t.nodes);
    expect(t.asked.filter((a) => a.from === 'n1').length).toBe(before);
    release?.();
    await first;
    expect(t.scheduler.rounds).toBe(2); // n1 and n2; n0 failed
  });

  it('learns each node’s nearest peers', async () => {
    const t = setup(12, { peers: 4, nodesPerTick: 12 });
    for (let round = 0; round < 20; round++) await t.scheduler.tick();
    // On a line 10 ms apart, the nearest peers of n5 are n4 and n6, then n3 and n7.
    expect(t.neighbours.of('n5').slice(0, 2).sort()).toEqual(['n4', 'n6']);
  });
});
