import { coordinateDistance } from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { createRandom } from '../random/createRandom.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { BallIndex } from './BallIndex.js';
import { FleetIndex } from './FleetIndex.js';
import { type CompiledQuery, PlacementEngine, type PlacementQuery, type ProbeCandidate } from './PlacementEngine.js';

const DIMS = 4;
const NO_LOCATION = { region: undefined, country: undefined, city: undefined, lat: undefined, lon: undefined };

interface FleetOptions {
  nodes: number;
  /** Share of nodes whose one slot is taken. */
  fullFraction: number;
  seed: number;
  /** Share of nodes with something that rules them out (down, draining, wrong runtime, no probe endpoint). */
  unfitFraction?: number;
}

/**
 * A fleet large enough for the nearest-node index: capacity 1 per node,
 * nodes around 40 cities both in coordinate space (learned coordinates,
 * heights up to 4 ms, above the index's slack) and on the map (a tenth
 * declare no location), some unfit for the session.
 */
function clusteredFleet({ nodes, fullFraction, seed, unfitFraction = 0.14 }: FleetOptions) {
  const random = createRandom(seed);
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const coordinates = new NetworkCoordinates({ random: createRandom(seed + 1) });
  const index = new FleetIndex({ coordinates });
  const engine = new PlacementEngine({ index, now: () => 0, random: createRandom(seed + 2) });
  const cities = Array.from({ length: 40 }, (_, c) => ({
    vec: [uniform(-120, 120), uniform(-120, 120), uniform(-120, 120), uniform(-10, 10)],
    lat: uniform(-55, 65),
    lon: uniform(-180, 180),
    region: c % 3 === 0 ? 'eu' : c % 3 === 1 ? 'us' : undefined,
  }));
  const records = new Map<string, NodeRecord>();
  const ids: string[] = [];

  const add = (id: string, full = random() < fullFraction): void => {
    const city = cities[Math.floor(random() * cities.length)]!;
    const unfit = random() < unfitFraction ? Math.floor(random() * 4) : -1;
    const record = nodeRecord(id, {
      slots: 1,
      reservedSessions: full ? 1 : 0,
      region: city.region,
      location:
        random() < 0.1
          ? NO_LOCATION
          : { ...NO_LOCATION, region: city.region, lat: city.lat + gaussian(), lon: city.lon + gaussian() },
      status: unfit === 0 ? 'down' : unfit === 1 ? 'draining' : 'up',
      runtimes: unfit === 2 ? ['x11'] : ['scene'],
      probeUrl: unfit === 3 ? undefined : `ws://127.0.0.1:1/probe/${id}`,
    });
    records.set(id, record);
    ids.push(id);
    index.sync(record);
    coordinates.set(id, {
      vec: city.vec.map((v) => v + 4 * gaussian()),
      height: 0.1 + 4 * random() ** 2,
      error: 0.1,
    });
  };
  for (let i = 0; i < nodes; i++) add(`n${i}`);

  const slot = (id: string): number => coordinates.slotOf(id)!;
  /** Takes or gives back a node's one slot: through the registry (`sync`) or directly (`adjustFree`). */
  const setFull = (id: string, full: boolean, via: 'sync' | 'adjust'): void => {
    const record = { ...records.get(id)!, reservedSessions: full ? 1 : 0 };
    records.set(id, record);
    if (via === 'sync') index.sync(record);
    else if (index.free(slot(id)) > 0 === full) index.adjustFree(slot(id), full ? -1 : 1);
  };
  const query = (patch: Partial<PlacementQuery> = {}): CompiledQuery =>
    engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30, ...patch });
  /** A player coordinate: near a random node (the populated manifold) or anywhere in a wide box. */
  const point = (): Float64Array => {
    const height = uniform(0.2, 6);
    if (random() < 0.25) {
      return Float64Array.from([...Array.from({ length: DIMS }, () => uniform(-250, 250)), height, 0.2]);
    }
    const near = coordinates.get(ids[Math.floor(random() * ids.length)]!)!;
    return Float64Array.from([...near.vec.map((v) => v + 3 * gaussian()), height, 0.2]);
  };
  /** A place on the map near a random city, or anywhere. */
  const place = (): Float64Array => {
    if (random() < 0.25) return PlacementEngine.geoPoint(uniform(-80, 80), uniform(-180, 180));
    const city = cities[Math.floor(random() * cities.length)]!;
    return PlacementEngine.geoPoint(city.lat + 2 * gaussian(), city.lon + 2 * gaussian());
  };
  /** `count` distinct random node ids, chosen among those `filter` accepts. */
  const pick = (count: number, filter: (id: string) => boolean = () => true): string[] => {
    const pool = ids.filter(filter);
    for (let i = 0; i < Math.min(count, pool.length); i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(0, count);
  };
  const isFull = (id: string): boolean => index.free(slot(id)) <= 0;
  return { coordinates, index, engine, ids, records, random, add, slot, setFull, query, point, place, pick, isFull };
}

type Fleet = ReturnType<typeof clusteredFleet>;

/** Whether a slot may be shortlisted: every constraint but latency, a probe endpoint, not excluded or skipped. */
function admissible(
  f: Fleet,
  query: CompiledQuery,
  slot: number,
  skip: ReadonlySet<number> | undefined,
  ignoreCapacity: boolean,
): boolean {
  return (
    f.index.rejection(slot, query.caps, query.regions, ignoreCapacity) === undefined &&
    f.index.hasProbe(slot) &&
    !query.exclude.has(slot) &&
    !skip?.has(slot)
  );
}

/** The k admissible slots nearest by `distance` (NaN = not located), by scanning every slot. */
function scanNearest(
  f: Fleet,
  query: CompiledQuery,
  k: number,
  distance: (slot: number) => number,
  skip: ReadonlySet<number> | undefined,
  ignoreCapacity: boolean,
): { slot: number; distance: number }[] {
  const all: { slot: number; distance: number }[] = [];
  for (let slot = 0; slot < f.index.length; slot++) {
    if (!admissible(f, query, slot, skip, ignoreCapacity)) continue;
    const d = distance(slot);
    if (!Number.isNaN(d)) all.push({ slot, distance: d });
  }
  return all.sort((a, b) => a.distance - b.distance).slice(0, k);
}

/**
 * What separates a shortlist from the brute-force answer: the lists must
 * have the same distances in order (ties may swap nodes), and every listed
 * node must be admissible, listed once and at its true distance.
 */
function differences(
  f: Fleet,
  got: readonly ProbeCandidate[],
  expected: readonly { slot: number; distance: number }[],
  valid: (slot: number) => boolean,
  distance: (slot: number) => number,
  label: string,
): string[] {
  const problems: string[] = [];
  if (got.length !== expected.length) problems.push(`${label}: ${got.length} listed, ${expected.length} expected`);
  const seen = new Set<number>();
  for (let i = 0; i < got.length; i++) {
    const { slot, nodeId, url, predictedMs } = got[i]!;
    const want = expected[i];
    if (want && Math.abs(predictedMs - want.distance) > 1e-9)
      problems.push(
        `${label} #${i}: ${nodeId} at ${predictedMs}, expected ${f.coordinates.idOf(want.slot)} at ${want.distance}`,
      );
    if (!valid(slot)) problems.push(`${label} #${i}: ${nodeId} is not admissible`);
    if (seen.has(slot)) problems.push(`${label} #${i}: ${nodeId} listed twice`);
    seen.add(slot);
    if (Math.abs(distance(slot) - predictedMs) > 1e-9) problems.push(`${label} #${i}: ${nodeId} predictedMs is off`);
    if (nodeId !== f.coordinates.idOf(slot) || url !== f.index.probeUrl(slot))
      problems.push(`${label} #${i}: wrong id/url`);
  }
  return problems;
}

interface CheckOptions {
  points: number;
  ks?: readonly number[];
  ignoreCapacity?: boolean;
}

/** Shortlists many random points under a few queries and returns every difference from brute force. */
function checkShortlists(f: Fleet, { points, ks = [1, 5, 16, 40], ignoreCapacity = false }: CheckOptions): string[] {
  const queries: [string, CompiledQuery][] = [
    ['any', f.query()],
    ['eu', f.query({ regions: ['eu'] })],
    ['exclude', f.query({ exclude: new Set(f.pick(200)) })],
  ];
  const problems: string[] = [];
  for (let i = 0; i < points; i++) {
    const [name, query] = queries[i % queries.length]!;
    const point = f.point();
    const k = ks[i % ks.length]!;
    const skip = i % 4 === 0 ? new Set(f.pick(30).map(f.slot)) : undefined;
    const got = f.engine.shortlist(query, point, k, skip, ignoreCapacity);
    const predict = (slot: number): number => f.coordinates.predict(point, slot);
    const expected = scanNearest(f, query, k, predict, skip, ignoreCapacity);
    const valid = (slot: number): boolean => admissible(f, query, slot, skip, ignoreCapacity);
    problems.push(...differences(f, got, expected, valid, predict, `point ${i} (${name}, k=${k})`));
  }
  return problems.slice(0, 10);
}

/** Fills and frees random nodes, half through the registry and half directly. */
function churn(f: Fleet, free: number, fill: number): void {
  for (const [i, id] of f.pick(free, f.isFull).entries()) f.setFull(id, false, i % 2 === 0 ? 'sync' : 'adjust');
  for (const [i, id] of f.pick(fill, (id) => !f.isFull(id)).entries()) {
    f.setFull(id, true, i % 2 === 0 ? 'adjust' : 'sync');
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PlacementEngine nearest-node index', () => {
  it('shortlists exactly the k nearest free, eligible, probe-able nodes of a large, mostly full fleet', () => {
    const f = clusteredFleet({ nodes: 2500, fullFraction: 0.9, seed: 11 });
    const search = vi.spyOn(BallIndex.prototype, 'search');
    expect(checkShortlists(f, { points: 240 })).toEqual([]);
    expect(search).toHaveBeenCalled(); // the index answered, not a scan
  });

  it('keeps shortlists exact as nodes fill up and free after the index was built, without a rebuild', () => {
    const f = clusteredFleet({ nodes: 3000, fullFraction: 0.97, seed: 12 });
    f.engine.refreshIndexes();
    const rebuild = vi.spyOn(f.engine, 'refreshIndexes');
    for (let round = 0; round < 4; round++) {
      churn(f, 150, 100);
      expect(checkShortlists(f, { points: 90 }), `round ${round}`).toEqual([]);
    }
    expect(rebuild).not.toHaveBeenCalled();
  });

  it('finds a node freed in a ball whose members were all full, and drops it when it fills again', () => {
    const f = clusteredFleet({ nodes: 1500, fullFraction: 1, seed: 13, unfitFraction: 0 });
    const query = f.query();
    f.engine.refreshIndexes();
    const around = (id: string): Float64Array => {
      const c = f.coordinates.get(id)!;
      return Float64Array.from([...c.vec, 1, 0.2]);
    };
    expect(f.engine.shortlist(query, around('n7'), 3)).toEqual([]);
    expect(f.engine.spreadShortlist(query, around('n7'), 3)).toEqual([]);

    f.setFull('n7', false, 'adjust');
    expect(f.engine.shortlist(query, around('n7'), 3).map((c) => c.nodeId)).toEqual(['n7']);
    expect(f.engine.shortlist(query, around('n900'), 3).map((c) => c.nodeId)).toEqual(['n7']);
    expect(f.engine.spreadShortlist(query, around('n900'), 3).map((c) => c.nodeId)).toEqual(['n7']);

    f.setFull('n7', true, 'sync');
    f.setFull('n900', false, 'sync');
    f.setFull('n1400', false, 'adjust');
    expect(
      f.engine
        .shortlist(query, around('n7'), 3)
        .map((c) => c.nodeId)
        .sort(),
    ).toEqual(['n1400', 'n900']);
    expect(
      f.engine
        .spreadShortlist(query, around('n7'), 3)
        .map((c) => c.nodeId)
        .sort(),
    ).toEqual(['n1400', 'n900']);
    // A queued player still measures the full nodes.
    const nearestAny = f.ids.reduce((a, b) =>
      f.coordinates.predict(around('n7'), f.slot(b)) < f.coordinates.predict(around('n7'), f.slot(a)) ? b : a,
    );
    expect(f.engine.shortlist(query, around('n7'), 1, undefined, true).map((c) => c.nodeId)).toEqual([nearestAny]);
  });

  it('includes full nodes, exactly, when capacity is ignored, before and after availability changes', () => {
    const f = clusteredFleet({ nodes: 2000, fullFraction: 0.95, seed: 14 });
    expect(checkShortlists(f, { points: 90, ignoreCapacity: true })).toEqual([]);
    churn(f, 100, 100);
    expect(checkShortlists(f, { points: 90, ignoreCapacity: true })).toEqual([]);
  });

  it('also considers nodes that joined after the index was built', () => {
    const f = clusteredFleet({ nodes: 1500, fullFraction: 0.9, seed: 15 });
    f.engine.refreshIndexes();
    const rebuild = vi.spyOn(f.engine, 'refreshIndexes');
    for (let i = 0; i < 60; i++) f.add(`late${i}`, i % 3 === 0);
    expect(checkShortlists(f, { points: 120 })).toEqual([]);
    expect(rebuild).not.toHaveBeenCalled();
  });

  it('stays exact while coordinates drift less than the index slack', () => {
    const f = clusteredFleet({ nodes: 2000, fullFraction: 0.85, seed: 16 });
    f.engine.refreshIndexes();
    for (const id of f.pick(400)) {
      const c = f.coordinates.get(id)!;
      const step = Array.from({ length: DIMS }, () => f.random() - 0.5);
      const norm = Math.hypot(...step) || 1;
      f.coordinates.set(id, {
        vec: c.vec.map((v, d) => v + (0.7 * step[d]!) / norm),
        height: Math.max(0.05, c.height + (f.random() < 0.5 ? -0.7 : 0.7)),
        error: c.error,
      });
    }
    expect(checkShortlists(f, { points: 150 })).toEqual([]);
  });

  it('surveys around a point with free, eligible, probe-able nodes only, one per ball', () => {
    const f = clusteredFleet({ nodes: 2500, fullFraction: 0.95, seed: 17 });
    const check = (ignoreCapacity: boolean): string[] => {
      const problems: string[] = [];
      const query = f.query({ exclude: new Set(f.pick(100)) });
      for (let i = 0; i < 60; i++) {
        const point = f.point();
        const skip = new Set(f.pick(30).map(f.slot));
        const got = f.engine.spreadShortlist(query, point, 8, skip, ignoreCapacity);
        if (got.length !== 8) problems.push(`point ${i}: ${got.length} surveyed`);
        if (new Set(got.map((c) => c.slot)).size !== got.length) problems.push(`point ${i}: a node twice`);
        for (const c of got) {
          if (!admissible(f, query, c.slot, skip, ignoreCapacity))
            problems.push(`point ${i}: ${c.nodeId} not admissible`);
          if (Math.abs(c.predictedMs - f.coordinates.predict(point, c.slot)) > 1e-9)
            problems.push(`point ${i}: ${c.nodeId} predictedMs is off`);
        }
      }
      return problems.slice(0, 10);
    };
    expect(check(false)).toEqual([]);
    churn(f, 100, 100);
    expect(check(false)).toEqual([]);
    expect(check(true)).toEqual([]);
  });

  it('geo-shortlists the nodes whose declared locations are nearest, before and after availability changes', () => {
    const f = clusteredFleet({ nodes: 2500, fullFraction: 0.9, seed: 18 });
    const geo = f.index.geo;
    const check = (ignoreCapacity: boolean): string[] => {
      const problems: string[] = [];
      for (let i = 0; i < 90; i++) {
        const query = i % 2 === 0 ? f.query() : f.query({ regions: ['us'] });
        const here = f.place();
        const k = [1, 6, 20][i % 3]!;
        const skip = i % 3 === 0 ? new Set(f.pick(30).map(f.slot)) : undefined;
        const onMap = (slot: number): number => coordinateDistance(here, 0, geo.buffer, slot * geo.stride, geo.dims);
        // (The first call builds the index, which copies the coordinates' heights into the map.)
        const got = f.engine.geoShortlist(query, here, k, undefined, skip, ignoreCapacity);
        const expected = scanNearest(f, query, k, onMap, skip, ignoreCapacity);
        const valid = (slot: number): boolean => admissible(f, query, slot, skip, ignoreCapacity);
        problems.push(...differences(f, got, expected, valid, onMap, `place ${i} (k=${k})`));
        // With the player's coordinate, the same nodes in the same order, each with the RTT it predicts.
        const point = f.point();
        const withPoint = f.engine.geoShortlist(query, here, k, point, skip, ignoreCapacity);
        if (withPoint.map((c) => c.slot).join() !== got.map((c) => c.slot).join())
          problems.push(`place ${i}: another list with a point`);
        for (const c of withPoint) {
          if (Math.abs(c.predictedMs - f.coordinates.predict(point, c.slot)) > 1e-9)
            problems.push(`place ${i}: ${c.nodeId} predictedMs is not the coordinate's prediction`);
        }
      }
      return problems.slice(0, 10);
    };
    expect(check(false)).toEqual([]);
    // A registry update (a session starting or ending) keeps the last mile the index was built with.
    const located = f.pick(1, (id) => f.records.get(id)!.location.lat !== undefined)[0]!;
    const height = (): number => geo.buffer[f.slot(located) * geo.stride + geo.dims]!;
    const before = height();
    expect(before).toBe(f.coordinates.get(located)!.height);
    f.setFull(located, !f.isFull(located), 'sync');
    expect(height()).toBe(before);
    churn(f, 150, 150);
    expect(check(false)).toEqual([]);
    expect(check(true)).toEqual([]);
  });
});

describe('BallIndex', () => {
  /** Random points in 4 dimensions (every 20th unlocated), a free flag each. */
  function space(count: number, seed: number) {
    const random = createRandom(seed);
    const stride = DIMS + 2;
    const buffer = new Float64Array(count * stride);
    const free = new Uint8Array(count);
    for (let slot = 0; slot < count; slot++) {
      const o = slot * stride;
      if (slot % 20 === 7) {
        buffer.fill(Number.NaN, o, o + stride);
        continue;
      }
      const cluster = Math.floor(random() * 12);
      for (let d = 0; d < DIMS; d++) buffer[o + d] = cluster * 15 * (d === cluster % DIMS ? 1 : 0.2) + 10 * random();
      buffer[o + DIMS] = 0.05 + 5 * random();
      free[slot] = random() < 0.1 ? 1 : 0;
    }
    return { space: { buffer, stride, dims: DIMS }, free, random };
  }

  it('visits every member within the bound, and with freeOnly every free one, as members fill and free', () => {
    const count = 1800;
    const { space: s, free, random } = space(count + 50, 21);
    const index = BallIndex.build(s, count, createRandom(22), (slot) => free[slot] === 1);
    expect(index.count).toBe(count);
    const problems: string[] = [];
    const check = (round: number): void => {
      for (let i = 0; i < 40; i++) {
        const point = Float64Array.from([...Array.from({ length: DIMS }, () => 180 * random() - 10), 2 * random(), 0]);
        const bound = 5 + 30 * random();
        for (const freeOnly of [false, true]) {
          const visited = new Set<number>();
          index.search(
            point,
            () => bound,
            (slot) => visited.add(slot),
            freeOnly,
          );
          for (const slot of visited) {
            if (slot >= count || Number.isNaN(s.buffer[slot * s.stride]!))
              problems.push(`round ${round}: visited ${slot}, not covered`);
          }
          for (let slot = 0; slot < count; slot++) {
            if (freeOnly && free[slot] === 0) continue;
            const d = coordinateDistance(point, 0, s.buffer, slot * s.stride, DIMS);
            if (d < bound && !visited.has(slot)) problems.push(`round ${round}: missed ${slot} (freeOnly ${freeOnly})`);
          }
        }
      }
    };
    check(0);
    for (let round = 1; round <= 3; round++) {
      for (let n = 0; n < 200; n++) {
        const slot = Math.floor(random() * (count + 50));
        free[slot] = free[slot] === 1 ? 0 : 1;
        index.setAvailable(slot, free[slot] === 1); // slots past `count` or unlocated are ignored
      }
      check(round);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });
});
