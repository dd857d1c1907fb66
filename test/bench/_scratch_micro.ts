import { FleetIndex, NetworkCoordinates, type NodeRecord, PlacementEngine } from '@frameway/gateway';
import { buildWorld, createRandom, NodeKind } from './placement/world.js';
(globalThis as any).BALLS = Number(process.env.BALLS ?? 384); (globalThis as any).COVER = Number(process.env.COVER ?? 0.25);
const random = createRandom(5);
const world = buildWorld({ dataCentres: 300, edgeDevices: 40000, players: 2000, spanMs: 1, meanSessionMs: 1 }, 1);
const N = world.nodeCount;
const coordinates = new NetworkCoordinates({ random, initialCapacity: N });
const index = new FleetIndex({ coordinates });
const engine = new PlacementEngine({ index, random });
for (let n = 0; n < N; n++) {
  const id = `n-${n}`;
  index.sync({ nodeId: id, agentId: id, location: { lat: world.nodeLatDeg[n], lon: world.nodeLonDeg[n] }, probeUrl: 'ws://x', status: 'up', runtimes: ['scene'], encoders: [{ codec: 'h264', name: 'x', hardware: false }], capacity: 1, reservedSessions: random() < Number(process.env.FULL ?? 0) ? 1 : 0, region: undefined, reputation: 0.5, pricePerBlock: 0, stakeWei: '0' } as unknown as NodeRecord);
  // give heights like last miles
  coordinates.buffer[n * coordinates.stride + 4] = world.nodeLastMile[n]!;
}
let t = performance.now(); engine.refreshIndexes(); console.log('build', (performance.now() - t).toFixed(1));
const q = engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30 });
const points = world.players.map((p) => { const pt = PlacementEngine.geoPoint(p.lat * 180 / Math.PI, p.lon * 180 / Math.PI); pt[3] = 0; pt[4] = p.lastMile; const c = new Float64Array(6); c.set([pt[0]!, pt[1]!, pt[2]!, 0, p.lastMile, 0.2]); return c; });
for (const [name, fn] of [
  ['shortlist8', (p: Float64Array) => engine.shortlist(q, p, 8)],
  ['shortlist48', (p: Float64Array) => engine.shortlist(q, p, 48)],
  ['spread8', (p: Float64Array) => engine.spreadShortlist(q, p, 8)],
  ['geo4', (p: Float64Array) => engine.geoShortlist(q, PlacementEngine.geoPoint(10, 10), 4, p)],
] as const) {
  for (const p of points.slice(0, 200)) fn(p);
  t = performance.now();
  for (const p of points) fn(p);
  console.log(name, ((performance.now() - t) / points.length * 1000).toFixed(1), 'µs');
}
