import { NeighbourSets } from '../../gateway/src/latency/NeighbourSets.js';
import { FleetIndex, FleetProbeScheduler, NetworkCoordinates, type NodeRecord, newPlayerLatencyState, PlacementEngine, ProbePlanner } from '@frameway/gateway';
import { summarizeRtt } from '@frameway/protocol';
import { GeoGrid } from './placement/GeoGrid.js';
import { buildWorld, createRandom, NodeKind, sampleRtt, trueRtt, trueRttBetween } from './placement/world.js';

(globalThis as any).RRF = Number(process.env.RRF ?? 1.2);
const SIZES = { dataCentres: 300, edgeDevices: Number(process.env.E ?? 4000), players: 3000, spanMs: 3600_000, meanSessionMs: 60_000 };
const random = createRandom(5);
const world = buildWorld(SIZES, 1);
const N = world.nodeCount;
let now = 0;
const dims = Number(process.env.DIMS ?? 4);
const coordinates = new NetworkCoordinates({ random, initialCapacity: N, params: { dims, cc: 0.25, ce: 0.25, heightMinMs: 0.05, maxError: 1.5 } });
const index = new FleetIndex({ coordinates });
const engine = new PlacementEngine({ index, now: () => now, random });
const SL = Number(process.env.SL ?? 8);
const LM = Number(process.env.LM ?? 12);
const neighbours = new NeighbourSets(8);
const planner = new ProbePlanner({ engine, neighbours: process.env.NOEXP ? undefined : neighbours, shortlistSize: SL, landmarkCount: LM, latencyBandMs: 5, playerLearningWeight: 0 });
const records: NodeRecord[] = [];
for (let n = 0; n < N; n++) {
  const dc = world.nodeKind[n] === NodeKind.DataCentre;
  const id = dc ? `dc-${n}` : `edge-${n}`;
  const r = { nodeId: id, agentId: id, address: undefined, version: 'x', region: undefined, location: { region: undefined, country: undefined, city: undefined, lat: process.env.NOGEO ? undefined : world.nodeLatDeg[n], lon: process.env.NOGEO ? undefined : world.nodeLonDeg[n] }, slots: 1000, encoderSessions: undefined, capacity: 1000, runtimes: ['scene'], encoders: [{ codec: 'h264', name: 'x', hardware: false }], gpus: [], gpuModel: undefined, pricePerBlock: 0, stakeWei: '0', reputation: 0.5, probeUrl: `ws://${id}`, status: 'up', drainRequested: false, reservedSessions: 0, reportedSessions: 0, cpuLoad: undefined, connectedAt: 0, lastHeartbeatAt: 0, firstSeenAt: 0, sessionsCompleted: 0, sessionsFailed: 0 } as NodeRecord;
  records.push(r); index.sync(r);
}
const sched = new FleetProbeScheduler({ coordinates, neighbours, nodes: () => records, proberFor: (id) => ({ probe: async ({ targets, samples }) => { const a = coordinates.slotOf(id)!; return targets.map((t) => { const b = coordinates.slotOf(t.id)!; const rtt = trueRttBetween(world, a, b); const l = Array.from({ length: samples }, () => sampleRtt(rtt, world.nodeLastMile[a]! + world.nodeLastMile[b]!, random)); return { id: t.id, ...summarizeRtt(l), sent: samples, received: samples }; }); } }), gatewayProbeUrl: () => undefined, intervalMs: 1, nodesPerTick: N, peers: 6, samples: 3, timeoutMs: 1000, random });
const t0 = performance.now();
const ROUNDS = Number(process.env.R ?? 16);
for (let r = 0; r < ROUNDS; r++) await sched.tick();
console.log('warm', (performance.now() - t0).toFixed(0), 'ms');
// accuracy
const errs: number[] = []; const nearErrs: number[] = [];
for (let i = 0; i < 20000; i++) { const a = Math.floor(random() * N); let b = Math.floor(random() * N); if (i % 2 === 0) for (let k = 0; k < 50 && world.nodeCity[b] !== world.nodeCity[a]; k++) b = Math.floor(random() * N); if (a === b) continue; const t = trueRttBetween(world, a, b); const e = Math.abs(coordinates.predictBetween(a, b) - t) / t; errs.push(e); if (t < 50) nearErrs.push(e); }
const med = (l: number[]) => l.sort((x, y) => x - y)[l.length >> 1]!;
console.log('acc all', med(errs).toFixed(3), 'near', med(nearErrs).toFixed(3));
const grid = new GeoGrid(world.nodeLat, world.nodeLon, N);
let ok = 0, able = 0, probes = 0, dumped = 0; const reasons: Record<string, number> = {};
for (const p of world.players) {
  const rttTo = (n: number) => trueRtt(world, p.lat, p.lon, p.city, p.lastMile, n);
  let best = Infinity, bestN = -1;
  grid.visitNear(p.lat, p.lon, 20100, (n, ring) => { if (2 * ring / 200 + p.lastMile > best) return true; const r = rttTo(n); if (r < best) { best = r; bestN = n; } return false; });
  if (best > 30) continue;
  able++;
  const q = engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30 });
  const st = newPlayerLatencyState(0);
  for (let round = 0; round < 3; round++) {
    const targets = planner.nextTargets(q, st, false);
    if (!targets.length) break;
    const results = targets.map((t) => { const r = rttTo(t.slot); const l = Array.from({ length: 5 }, () => sampleRtt(r, p.lastMile + world.nodeLastMile[t.slot]!, random)); return { id: t.nodeId, ...summarizeRtt(l), sent: 5, received: 5 }; });
    planner.absorb(st, targets, results, 0);
    if (planner.settled(q, st)) break;
  }
  probes += st.probes;
  const d = planner.decide(q, st, false);
  if (d.placed && rttTo(d.slot) <= 30) { ok++; continue; }
  // diagnose
  const probedMin = Math.min(...[...st.measured.keys()].map(rttTo));
  const predBest = st.point ? coordinates.predict(st.point, bestN) : NaN;
  if (process.env.DUMP && dumped++ < 3) {
    console.log('--- player', p.access, 'lm', p.lastMile.toFixed(1), 'city', world.cities[p.city]!.name, 'best', best.toFixed(1), 'bestNode city', world.cities[world.nodeCity[bestN]!]!.name, 'pred', predBest.toFixed(1), 'rounds', st.rounds, 'fitErr', st.point![4 + 1]);
    for (const [slot, m] of st.measured) console.log('   ', world.cities[world.nodeCity[slot]!]!.name, 'meas', m.toFixed(1), 'true', rttTo(slot).toFixed(1), 'pred', coordinates.predict(st.point!, slot).toFixed(1));
  }
  const key = `${p.access}|best=${best < 20 ? '<20' : '20-30'}|probedMin=${probedMin <= 30 ? 'in' : probedMin < 40 ? '30-40' : '>40'}|predBest=${predBest < 30 ? '<30' : predBest < 45 ? '30-45' : '>45'}|placed=${d.placed}`;
  reasons[key] = (reasons[key] ?? 0) + 1;
}
console.log('success', (ok / able).toFixed(4), 'able', able, 'probes/pl', (probes / able).toFixed(1));
console.log(Object.entries(reasons).sort((a, b) => b[1] - a[1]).slice(0, 15));
