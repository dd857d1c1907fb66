import { FleetIndex, FleetProbeScheduler, NetworkCoordinates, type NodeRecord } from '@frameway/gateway';
import { summarizeRtt } from '@frameway/protocol';
import { buildWorld, createRandom, greatCircleKm, sampleRtt, trueRttBetween } from './placement/world.js';
const MODEL = process.env.MODEL ?? 'full';
const random = createRandom(5);
const world = buildWorld({ dataCentres: 300, edgeDevices: 4000, players: 10, spanMs: 1, meanSessionMs: 1 }, 1);
const N = world.nodeCount;
const rttBetween = (a: number, b: number) => {
  const km = greatCircleKm(world.nodeLat[a]!, world.nodeLon[a]!, world.nodeLat[b]!, world.nodeLon[b]!);
  if (MODEL === 'pure') return (2 * km / 200) * 1.5 + 0.5;
  if (MODEL === 'lm') return (2 * km / 200) * 1.5 + 0.5 + world.nodeLastMile[a]! + world.nodeLastMile[b]!;
  return trueRttBetween(world, a, b);
};
const coordinates = new NetworkCoordinates({ random, initialCapacity: N, nearRttMs: Number(process.env.NEARW ?? 40) });
const index = new FleetIndex({ coordinates });
const records: NodeRecord[] = [];
for (let n = 0; n < N; n++) {
  const id = `n-${n}`;
  const r = { nodeId: id, agentId: id, location: { lat: process.env.NOGEO ? undefined : world.nodeLatDeg[n], lon: process.env.NOGEO ? undefined : world.nodeLonDeg[n] }, probeUrl: 'ws://x', status: 'up', runtimes: [], encoders: [], capacity: 1, reservedSessions: 0, region: undefined, reputation: 0.5, pricePerBlock: 0, stakeWei: '0' } as unknown as NodeRecord;
  records.push(r); index.sync(r);
}
const JIT = process.env.NOJIT ? false : true;
const sched = new FleetProbeScheduler({ coordinates, nodes: () => records, proberFor: (id) => ({ probe: async ({ targets, samples }) => { const a = coordinates.slotOf(id)!; return targets.map((t) => { const b = coordinates.slotOf(t.id)!; const rtt = rttBetween(a, b); const l = Array.from({ length: samples }, () => JIT ? sampleRtt(rtt, world.nodeLastMile[a]! + world.nodeLastMile[b]!, random) : rtt); return { id: t.id, ...summarizeRtt(l), sent: samples, received: samples }; }); } }), gatewayProbeUrl: () => undefined, intervalMs: 1, nodesPerTick: N, peers: 6, samples: 3, timeoutMs: 1000, random });
const med = (l: number[]) => l.sort((x, y) => x - y)[l.length >> 1]!;
for (let r = 1; r <= 32; r++) {
  await sched.tick();
  if (r % 8 !== 0 && r !== 1) continue;
  const errs: number[] = []; const near: number[] = []; const hs: number[] = [];
  for (let i = 0; i < 20000; i++) { const a = Math.floor(random() * N); let b = Math.floor(random() * N); if (i % 2 === 0) for (let k = 0; k < 50 && world.nodeCity[b] !== world.nodeCity[a]; k++) b = Math.floor(random() * N); if (a === b) continue; const t = rttBetween(a, b); const e = Math.abs(coordinates.predictBetween(a, b) - t) / t; errs.push(e); if (t < 50) near.push(e); }
  for (let i = 0; i < 200; i++) hs.push(coordinates.buffer[i * coordinates.stride + 4]!);
  console.log(MODEL, 'round', r, 'all', med(errs).toFixed(3), 'near', med(near).toFixed(3), 'median height', med(hs).toFixed(2));
}
