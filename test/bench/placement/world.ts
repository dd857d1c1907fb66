import { createRandom } from '@frameway/gateway';
import { CITIES, type City } from './cities.js';

/**
 * The synthetic world of the placement benchmark: data centres, edge devices
 * and players around real metropolitan areas, and the round-trip model
 * between any two of them.
 *
 * RTT(a, b) = 2 · greatCircle(a, b) / 200 km/ms · inflation(cityA, cityB)
 *           + metro(a, b) + lastMile(a) + lastMile(b)      (+ jitter per sample)
 *
 * - 200 km/ms: light in fibre (refractive index ≈ 1.47).
 * - inflation: real routes are longer than the great circle; measured paths
 *   run at about 2.1× line of sight (Bozkurt et al., "Dissecting Latency in
 *   the Internet's Fiber Infrastructure", 2018), shortest conduits ~1.3×. Each
 *   city pair draws a fixed factor in [1.3, 2.6] (median ≈ 1.95); within one
 *   metro 1.0 plus a 0.3–1.5 ms switching/peering floor.
 * - lastMile: the access network's share of the RTT. Players: fibre 40 %
 *   (1–5 ms), cable 30 % (4–12 ms), DSL 15 % (8–22 ms), mobile 15 % (15–40 ms);
 *   edge devices the same fixed-line mix without mobile; data centres 0.1–0.5 ms.
 *   In line with FCC Measuring Broadband America (idle RTT to a nearby server
 *   ~10–30 ms by technology, backbone included) and operators' mobile averages
 *   of ~30–40 ms.
 * - jitter: every probe sample adds |N(0, 0.08·lastMiles + 0.2 ms)|, and 2 %
 *   of samples a 5–40 ms queueing spike.
 */

export const FIBRE_KM_PER_MS = 200;
const EARTH_RADIUS_KM = 6371;

export const NodeKind = { DataCentre: 0, Edge: 1 } as const;

export interface WorldSizes {
  dataCentres: number;
  edgeDevices: number;
  players: number;
  /** Simulated span over which players arrive, ms. */
  spanMs: number;
  /** Mean session length, ms. */
  meanSessionMs: number;
}

export interface World {
  cities: readonly City[];
  countries: number;
  nodeCount: number;
  /** Per node: latitude/longitude (radians), city index, kind, access delay, slots. */
  nodeLat: Float64Array;
  nodeLon: Float64Array;
  nodeCity: Int32Array;
  nodeKind: Uint8Array;
  nodeLastMile: Float64Array;
  nodeSlots: Int32Array;
  /** Degrees, for the coordinates' geo seed (rounded as an operator would declare them). */
  nodeLatDeg: Float64Array;
  nodeLonDeg: Float64Array;
  players: Player[];
}

export interface Player {
  index: number;
  arrivalMs: number;
  durationMs: number;
  lat: number;
  lon: number;
  city: number;
  lastMile: number;
  access: 'fibre' | 'cable' | 'dsl' | 'mobile';
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A fixed value in [0, 1) for an unordered pair of cities. */
function pairHash(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  let h = (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

export function buildWorld(sizes: WorldSizes, seed: number): World {
  const random = createRandom(seed);
  const cities = CITIES;
  const weights = cities.map((c) => c.population);
  const pickCity = weightedPicker(weights, random);

  // Data centres: one in every country first, the rest by sqrt(population) (hubs, not only giants).
  const byCountry = new Map<string, number[]>();
  cities.forEach((c, i) => {
    byCountry.set(c.country, [...(byCountry.get(c.country) ?? []), i]);
  });
  const dcCities: number[] = [];
  for (const indices of byCountry.values()) {
    dcCities.push(indices.reduce((best, i) => (cities[i]!.population > cities[best]!.population ? i : best)));
  }
  const pickHub = weightedPicker(
    cities.map((c) => Math.sqrt(c.population)),
    random,
  );
  while (dcCities.length < sizes.dataCentres) dcCities.push(pickHub());

  const nodeCount = dcCities.length + sizes.edgeDevices;
  const world: World = {
    cities,
    countries: byCountry.size,
    nodeCount,
    nodeLat: new Float64Array(nodeCount),
    nodeLon: new Float64Array(nodeCount),
    nodeCity: new Int32Array(nodeCount),
    nodeKind: new Uint8Array(nodeCount),
    nodeLastMile: new Float64Array(nodeCount),
    nodeSlots: new Int32Array(nodeCount),
    nodeLatDeg: new Float64Array(nodeCount),
    nodeLonDeg: new Float64Array(nodeCount),
    players: [],
  };
  let n = 0;
  for (const city of dcCities) {
    place(world, n, cities, city, 15, random);
    world.nodeKind[n] = NodeKind.DataCentre;
    world.nodeLastMile[n] = 0.1 + 0.4 * random();
    world.nodeSlots[n] = 8 * (2 + Math.floor(random() * 15)); // 16–128 sessions
    n++;
  }
  for (let i = 0; i < sizes.edgeDevices; i++) {
    place(world, n, cities, pickCity(), 60, random);
    world.nodeKind[n] = NodeKind.Edge;
    world.nodeLastMile[n] = fixedLineAccess(random).ms;
    world.nodeSlots[n] = random() < 0.2 ? 2 : 1;
    n++;
  }

  // Players: Poisson arrivals over the span, exponential session lengths.
  let t = 0;
  const meanGap = sizes.spanMs / sizes.players;
  for (let i = 0; i < sizes.players; i++) {
    t += -Math.log(Math.max(1e-12, random())) * meanGap;
    const city = pickCity();
    const c = cities[city]!;
    const spread = 60 / 111; // degrees of ~60 km
    const access = playerAccess(random);
    world.players.push({
      index: i,
      arrivalMs: t,
      durationMs: -Math.log(Math.max(1e-12, random())) * sizes.meanSessionMs,
      lat: toRad(clampLat(c.lat + gaussian(random) * spread)),
      lon: toRad(c.lon + (gaussian(random) * spread) / Math.max(0.2, Math.cos(toRad(c.lat)))),
      city,
      lastMile: access.ms,
      access: access.kind,
    });
  }
  return world;
}

function place(world: World, n: number, cities: readonly City[], city: number, km: number, random: () => number): void {
  const c = cities[city]!;
  const spread = km / 111;
  const lat = clampLat(c.lat + gaussian(random) * spread);
  const lon = c.lon + (gaussian(random) * spread) / Math.max(0.2, Math.cos(toRad(c.lat)));
  world.nodeLat[n] = toRad(lat);
  world.nodeLon[n] = toRad(lon);
  world.nodeCity[n] = city;
  world.nodeLatDeg[n] = Math.round(lat * 10) / 10;
  world.nodeLonDeg[n] = Math.round(wrapLon(lon) * 10) / 10;
}

function playerAccess(random: () => number): { kind: Player['access']; ms: number } {
  const r = random();
  if (r < 0.4) return { kind: 'fibre', ms: 1 + 4 * random() };
  if (r < 0.7) return { kind: 'cable', ms: 4 + 8 * random() };
  if (r < 0.85) return { kind: 'dsl', ms: 8 + 14 * random() };
  return { kind: 'mobile', ms: 15 + 25 * random() };
}

function fixedLineAccess(random: () => number): { ms: number } {
  const r = random();
  if (r < 0.5) return { ms: 1 + 4 * random() };
  if (r < 0.85) return { ms: 4 + 8 * random() };
  return { ms: 8 + 14 * random() };
}

/** Great-circle distance in km between two points in radians. */
export function greatCircleKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = lat2 - lat1;
  const dLon = lon2 - lon1;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Route inflation and metro floor between two cities. */
function path(cityA: number, cityB: number): { inflation: number; floorMs: number } {
  const h = pairHash(cityA, cityB);
  if (cityA === cityB) return { inflation: 1, floorMs: 0.3 + 1.2 * h };
  return { inflation: 1.3 + 1.3 * h, floorMs: 0.5 };
}

/** The true (jitter-free) RTT between a point and a node. */
export function trueRtt(world: World, lat: number, lon: number, city: number, lastMile: number, node: number): number {
  const km = greatCircleKm(lat, lon, world.nodeLat[node]!, world.nodeLon[node]!);
  const { inflation, floorMs } = path(city, world.nodeCity[node]!);
  return ((2 * km) / FIBRE_KM_PER_MS) * inflation + floorMs + lastMile + world.nodeLastMile[node]!;
}

/** The true RTT between two nodes. */
export function trueRttBetween(world: World, a: number, b: number): number {
  return trueRtt(world, world.nodeLat[a]!, world.nodeLon[a]!, world.nodeCity[a]!, world.nodeLastMile[a]!, b);
}

/** One probe sample over a path with true RTT `rtt` and access delays `lastMiles`. */
export function sampleRtt(rtt: number, lastMiles: number, random: () => number): number {
  let sample = rtt + Math.abs(gaussian(random)) * (0.08 * lastMiles + 0.2);
  if (random() < 0.02) sample += 5 + 35 * random();
  return sample;
}

function weightedPicker(weights: readonly number[], random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum);
  }
  return () => {
    const target = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function toRad(deg: number): number {
  return (deg * Math.PI) / 180;
}

function clampLat(lat: number): number {
  return Math.max(-85, Math.min(85, lat));
}

function wrapLon(lon: number): number {
  return ((((lon + 180) % 360) + 360) % 360) - 180;
}
