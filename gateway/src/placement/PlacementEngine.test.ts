import { describe, expect, it } from 'vitest';
import { NetworkCoordinates } from '../latency/NetworkCoordinates.js';
import { createRandom } from '../random/createRandom.js';
import type { NodeRecord } from '../registry/NodeRecord.js';
import { nodeRecord } from '../testing/nodeRecord.js';
import { FleetIndex } from './FleetIndex.js';
import { type PlacementDecision, PlacementEngine, type PlacementQuery } from './PlacementEngine.js';

function fleet(nodes: readonly NodeRecord[], minStakeWei = 0n) {
  const coordinates = new NetworkCoordinates({ random: createRandom(1) });
  const index = new FleetIndex({ coordinates, minStakeWei });
  for (const node of nodes) index.sync(node);
  const engine = new PlacementEngine({ index, now: () => 0, random: createRandom(2) });
  const slot = (nodeId: string): number => coordinates.slotOf(nodeId)!;
  /** Node id → RTT as the slot-keyed map `choose` takes. */
  const rtts = (table: Record<string, number>): Map<number, number> =>
    new Map(Object.entries(table).map(([nodeId, rtt]) => [slot(nodeId), rtt]));
  /** Puts a node on the x axis of the coordinate space (predicted RTT to the origin player = x + height + 1). */
  const place = (nodeId: string, x: number, height = 1): void =>
    coordinates.set(nodeId, { vec: [x, 0, 0, 0], height, error: 0.1 });
  const query = (patch: Partial<PlacementQuery> = {}) =>
    engine.compile({ runtime: 'scene', codec: 'h264', budgetMs: 30, ...patch });
  return { engine, index, coordinates, slot, rtts, place, query };
}

/** A player coordinate at x on the first axis, height 1 ms. */
function player(x = 0): Float64Array {
  return Float64Array.from([x, 0, 0, 0, 1, 0.1]);
}

function placedOn(decision: PlacementDecision): string | undefined {
  return decision.placed ? decision.nodeId : undefined;
}

describe('PlacementEngine constraints', () => {
  it('passes over every node that fails a hard constraint, however low its RTT', () => {
    const staked = { stakeWei: '1000' };
    const f = fleet(
      [
        nodeRecord('down', { ...staked, status: 'down' }),
        nodeRecord('draining', { ...staked, status: 'draining', drainRequested: true }),
        nodeRecord('understaked', { stakeWei: '999' }),
        nodeRecord('x11only', { ...staked, runtimes: ['x11'] }),
        nodeRecord('vp8only', { ...staked, encoders: [{ codec: 'vp8', name: 'libvpx', hardware: false }] }),
        nodeRecord('full', { ...staked, slots: 2, reservedSessions: 2 }),
        nodeRecord('far', staked),
        nodeRecord('ok', staked),
      ],
      1000n,
    );
    const query = f.query();
    const decision = f.engine.choose(
      query,
      f.rtts({ down: 1, draining: 1, understaked: 1, x11only: 1, vp8only: 1, full: 1, far: 80, ok: 20 }),
    );
    expect(decision).toEqual({ placed: true, nodeId: 'ok', slot: f.slot('ok'), rttMs: 20, source: 'measured' });
    const reasons = Object.fromEntries(
      ['down', 'draining', 'understaked', 'x11only', 'vp8only', 'full', 'far', 'ok'].map((id) => [
        id,
        f.index.rejection(f.slot(id), query.caps, query.regions),
      ]),
    );
    expect(reasons).toEqual({
      down: 'not_up',
      draining: 'draining',
      understaked: 'stake_too_low',
      x11only: 'capability_missing',
      vp8only: 'capability_missing',
      full: 'full',
      far: undefined,
      ok: undefined,
    });
  });

  it('requires the session codec and runtime, whichever other codecs and runtimes a node has', () => {
    const f = fleet([
      nodeRecord('multi', {
        runtimes: ['scene', 'x11'],
        encoders: [
          { codec: 'h264', name: 'libx264', hardware: false },
          { codec: 'av1', name: 'av1_nvenc', hardware: true },
        ],
      }),
      nodeRecord('h264'),
    ]);
    const measured = f.rtts({ multi: 10, h264: 2 });
    expect(placedOn(f.engine.choose(f.query({ runtime: 'x11', codec: 'av1' }), measured))).toBe('multi');
    expect(placedOn(f.engine.choose(f.query({ runtime: 'scene', codec: 'h264' }), measured))).toBe('h264');
    expect(f.engine.choose(f.query({ runtime: 'docker', codec: 'h264' }), measured)).toMatchObject({
      placed: false,
      reason: 'no_capacity',
    });
  });

  it('places only in the allowed regions; a node that names no region is in none', () => {
    const f = fleet([
      nodeRecord('eu', { region: 'eu-west' }),
      nodeRecord('us', { region: 'us-east' }),
      nodeRecord('nowhere'),
    ]);
    const measured = f.rtts({ eu: 25, us: 5, nowhere: 1 });
    expect(placedOn(f.engine.choose(f.query({ regions: ['eu-west'] }), measured))).toBe('eu');
    expect(placedOn(f.engine.choose(f.query({ regions: ['eu-west', 'us-east'] }), measured))).toBe('us');
    expect(placedOn(f.engine.choose(f.query({ regions: [] }), measured))).toBe('nowhere');
    expect(f.engine.choose(f.query({ regions: ['mars'] }), measured)).toMatchObject({
      placed: false,
      reason: 'no_capacity',
    });
    const eu = f.query({ regions: ['eu-west'] });
    expect(f.index.rejection(f.slot('us'), eu.caps, eu.regions)).toBe('region_not_allowed');
    expect(f.index.rejection(f.slot('nowhere'), eu.caps, eu.regions)).toBe('region_not_allowed');
  });

  it('accepts an RTT equal to the budget and rejects one just over it', () => {
    const f = fleet([nodeRecord('a')]);
    expect(placedOn(f.engine.choose(f.query({ budgetMs: 30 }), f.rtts({ a: 30 })))).toBe('a');
    expect(f.engine.choose(f.query({ budgetMs: 30 }), f.rtts({ a: 30.01 }))).toMatchObject({ placed: false });
  });

  it('names the nearest free node over budget as the alternative when none is within it', () => {
    const f = fleet([nodeRecord('near-full', { slots: 1, reservedSessions: 1 }), nodeRecord('mid'), nodeRecord('far')]);
    const decision = f.engine.choose(f.query({ budgetMs: 20 }), f.rtts({ 'near-full': 25, mid: 40, far: 90 }));
    expect(decision).toEqual({
      placed: false,
      reason: 'over_budget',
      best: { nodeId: 'mid', rttMs: 40, source: 'measured' },
      waitFor: [],
    });
  });

  it('says full_in_budget, with the nodes to wait for, when only full nodes are within the budget', () => {
    const f = fleet([
      nodeRecord('full1', { slots: 1, reservedSessions: 1 }),
      nodeRecord('full2', { slots: 2, reservedSessions: 2 }),
      nodeRecord('far'),
    ]);
    const decision = f.engine.choose(f.query({ budgetMs: 20 }), f.rtts({ full1: 5, full2: 15, far: 60 }));
    expect(decision).toMatchObject({ placed: false, reason: 'full_in_budget', best: { nodeId: 'far', rttMs: 60 } });
    if (decision.placed) return;
    expect(decision.waitFor.sort()).toEqual([f.slot('full1'), f.slot('full2')].sort());
  });

  it('says no_capacity when no node passes the constraints other than latency', () => {
    const f = fleet([nodeRecord('down', { status: 'down' }), nodeRecord('full', { slots: 1, reservedSessions: 1 })]);
    expect(f.engine.choose(f.query(), f.rtts({ down: 1 }))).toEqual({
      placed: false,
      reason: 'no_capacity',
      best: undefined,
      waitFor: [],
    });
  });

  it('says over_budget, not no_capacity, when free nodes exist but none was measured', () => {
    const f = fleet([nodeRecord('a')]);
    expect(f.engine.choose(f.query(), new Map())).toMatchObject({ placed: false, reason: 'over_budget' });
  });

  it('never places on an excluded node (the one a session fails over from)', () => {
    const f = fleet([nodeRecord('old'), nodeRecord('new')]);
    const measured = f.rtts({ old: 2, new: 10 });
    expect(placedOn(f.engine.choose(f.query({ exclude: new Set(['old']) }), measured))).toBe('new');
    expect(f.engine.choose(f.query({ exclude: new Set(['old', 'new']) }), measured)).toMatchObject({
      placed: false,
      reason: 'no_capacity',
    });
  });
});

describe('PlacementEngine latency sources', () => {
  it('uses a measured RTT before any prediction, and predictions only when allowed', () => {
    const f = fleet([nodeRecord('measured'), nodeRecord('predicted')]);
    f.place('measured', 100);
    f.place('predicted', 3); // predicted RTT from the origin player: 3 + 1 + 1 = 5 ms
    const query = f.query();
    const options = { point: player(), allowPredicted: true };
    expect(f.engine.choose(query, f.rtts({ measured: 25 }), options)).toMatchObject({
      nodeId: 'measured',
      source: 'measured',
    });
    expect(f.engine.choose(query, new Map(), { point: player() })).toMatchObject({ placed: false });
    const decision = f.engine.choose(query, new Map(), options);
    expect(decision).toMatchObject({ placed: true, nodeId: 'predicted', source: 'predicted' });
    expect(decision.placed && decision.rttMs).toBeCloseTo(5, 9);
  });

  it('treats a predicted RTT over budget like a measured one: no placement, the nearest as alternative', () => {
    const f = fleet([nodeRecord('a'), nodeRecord('b')]);
    f.place('a', 40);
    f.place('b', 70);
    const decision = f.engine.choose(f.query({ budgetMs: 30 }), new Map(), { point: player(), allowPredicted: true });
    expect(decision).toMatchObject({
      placed: false,
      reason: 'over_budget',
      best: { nodeId: 'a', source: 'predicted' },
    });
  });

  it('places on a node without latency data only when allowed and nothing known fits', () => {
    const f = fleet([nodeRecord('known'), nodeRecord('blind', { probeUrl: undefined })]);
    const query = f.query({ budgetMs: 30 });
    expect(f.engine.choose(query, f.rtts({ known: 50 }))).toMatchObject({ placed: false, reason: 'over_budget' });
    expect(f.engine.choose(query, f.rtts({ known: 50 }), { allowUnknown: true })).toEqual({
      placed: true,
      nodeId: 'blind',
      slot: f.slot('blind'),
      rttMs: undefined,
      source: 'unknown',
    });
    expect(placedOn(f.engine.choose(query, f.rtts({ known: 20 }), { allowUnknown: true }))).toBe('known');
  });

  it('counts a node that only declares where it is (no probe endpoint) as one without latency data', () => {
    const berlin = { region: undefined, country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 };
    const f = fleet([nodeRecord('located', { probeUrl: undefined, location: berlin })]);
    expect(f.engine.choose(f.query(), new Map(), { allowUnknown: true })).toMatchObject({
      placed: true,
      nodeId: 'located',
      source: 'unknown',
    });
  });
});

describe('PlacementEngine objective', () => {
  /** Two nodes that tie on everything unless patched, both measured at `rtt`. */
  function pair(a: Partial<NodeRecord>, b: Partial<NodeRecord>, rtt: { a: number; b: number } = { a: 10, b: 10 }) {
    const f = fleet([nodeRecord('a', a), nodeRecord('b', b)]);
    return placedOn(f.engine.choose(f.query({ budgetMs: 50 }), f.rtts(rtt)));
  }

  it('prefers the lowest latency band over reputation, price and load', () => {
    expect(pair({ reputation: 0.1, pricePerBlock: 9, reservedSessions: 3 }, { reputation: 1 }, { a: 2, b: 12 })).toBe(
      'a',
    );
  });

  it('counts RTTs in one band as equal, so reputation decides among them', () => {
    expect(pair({ reputation: 0.5 }, { reputation: 0.9 }, { a: 0.5, b: 4.5 })).toBe('b');
  });

  it('ignores reputation differences below one reputation step', () => {
    expect(pair({ reputation: 0.5, pricePerBlock: 2 }, { reputation: 0.51, pricePerBlock: 1 })).toBe('b');
  });

  it('then prefers the lower price', () => {
    expect(pair({ reputation: 0.9, pricePerBlock: 5 }, { reputation: 0.5, pricePerBlock: 1 })).toBe('a');
    expect(pair({ pricePerBlock: 5, reservedSessions: 0 }, { pricePerBlock: 1, reservedSessions: 3 })).toBe('b');
  });

  it('then balances load: the larger free-slot fraction wins', () => {
    expect(pair({ reservedSessions: 3 }, { reservedSessions: 1 }, { a: 6, b: 9 })).toBe('b');
    expect(pair({ slots: 8, reservedSessions: 2 }, { slots: 2, reservedSessions: 1 })).toBe('a');
  });

  it('then prefers the lower exact RTT, and finally the lower node id', () => {
    expect(pair({}, {}, { a: 9, b: 6 })).toBe('b');
    expect(pair({}, {}, { a: 6, b: 6 })).toBe('a');
  });
});

describe('PlacementEngine probe targets', () => {
  it('shortlists the feasible, probe-able nodes its coordinate predicts nearest, nearest first', () => {
    const f = fleet([
      nodeRecord('n1'),
      nodeRecord('n2'),
      nodeRecord('n3'),
      nodeRecord('noprobe', { probeUrl: undefined }),
      nodeRecord('full', { slots: 1, reservedSessions: 1 }),
      nodeRecord('down', { status: 'down' }),
    ]);
    for (const [id, x] of [
      ['n1', 30],
      ['n2', 10],
      ['n3', 20],
      ['noprobe', 0],
      ['full', 1],
      ['down', 2],
    ] as const)
      f.place(id, x);
    const query = f.query();
    const ids = (candidates: { nodeId: string }[]) => candidates.map((c) => c.nodeId);
    const shortlist = f.engine.shortlist(query, player(), 2);
    expect(ids(shortlist)).toEqual(['n2', 'n3']);
    expect(shortlist[0]).toMatchObject({ url: 'ws://127.0.0.1:1/probe/n2' });
    expect(shortlist[0]!.predictedMs).toBeCloseTo(12, 9);
    expect(ids(f.engine.shortlist(query, player(), 5, new Set([f.slot('n2')])))).toEqual(['n3', 'n1']);
    // A queued player also measures the full nodes it would wait for.
    expect(ids(f.engine.shortlist(query, player(), 5, undefined, true))).toEqual(['full', 'n2', 'n3', 'n1']);
  });

  it('chooses landmarks spread over the space and skips one that went down since', () => {
    const f = fleet(['a1', 'a2', 'a3', 'b1', 'b2', 'b3'].map((id) => nodeRecord(id)));
    for (const [id, x] of [
      ['a1', 0],
      ['a2', 1],
      ['a3', 2],
      ['b1', 100],
      ['b2', 101],
      ['b3', 102],
    ] as const)
      f.place(id, x);
    const landmarks = f.engine.landmarks(2).map((c) => c.nodeId);
    expect(landmarks).toHaveLength(2);
    expect(landmarks.filter((id) => id.startsWith('a'))).toHaveLength(1);
    expect(landmarks.filter((id) => id.startsWith('b'))).toHaveLength(1);
    f.index.sync(nodeRecord(landmarks[0]!, { status: 'down' }));
    expect(f.engine.landmarks(2).map((c) => c.nodeId)).not.toContain(landmarks[0]);
  });
});

describe('PlacementEngine landmarks', () => {
  const ids = (candidates: readonly { nodeId: string }[]): string[] => candidates.map((c) => c.nodeId);
  const distinct = (values: readonly string[]): number => new Set(values).size;
  const at = (lat: number, lon: number) => ({ region: undefined, country: undefined, city: undefined, lat, lon });

  it('chooses distinct landmarks when no coordinate has learned anything', () => {
    // Every node at the origin: each is as far from itself (twice its height) as from the others.
    const f = fleet(Array.from({ length: 10 }, (_, i) => nodeRecord(`u${i}`)));
    for (const k of [1, 2, 3, 7, 10, 16]) {
      const landmarks = ids(f.engine.landmarks(k));
      expect(landmarks, `k=${k}`).toHaveLength(Math.min(k, 10));
      expect(distinct(landmarks), `k=${k}`).toBe(landmarks.length);
    }
  });

  it('chooses distinct landmarks from coordinates seeded by declared locations, one city each first', () => {
    const cities = { berlin: at(52.5, 13.4), tokyo: at(35.7, 139.7), lima: at(-12, -77) };
    const f = fleet(
      Object.entries(cities).flatMap(([city, location]) =>
        [1, 2, 3].map((i) => nodeRecord(`${city}${i}`, { location })),
      ),
    );
    const first = ids(f.engine.landmarks(3));
    expect(first.map((id) => id.replace(/\d$/, '')).sort()).toEqual(['berlin', 'lima', 'tokyo']);
    const all = ids(f.engine.landmarks(16));
    expect(all).toHaveLength(9);
    expect(distinct(all)).toBe(9);
    const some = ids(f.engine.landmarks(5));
    expect(some).toHaveLength(5);
    expect(distinct(some)).toBe(5);
  });

  it('chooses at most min(k, eligible) distinct landmarks in a learned fleet: up, probe-able nodes, full ones too', () => {
    const f = fleet([
      ...Array.from({ length: 8 }, (_, i) => nodeRecord(`ok${i}`)),
      nodeRecord('full', { slots: 1, reservedSessions: 1 }),
      nodeRecord('down', { status: 'down' }),
      nodeRecord('draining', { status: 'draining', drainRequested: true }),
      nodeRecord('noprobe', { probeUrl: undefined }),
    ]);
    [...Array.from({ length: 8 }, (_, i) => `ok${i}`), 'full', 'down', 'draining', 'noprobe'].forEach((id, i) => {
      f.place(id, 10 * (i % 4), 1 + (i % 3));
    });
    const all = ids(f.engine.landmarks(16));
    expect(all.sort()).toEqual(['full', 'ok0', 'ok1', 'ok2', 'ok3', 'ok4', 'ok5', 'ok6', 'ok7']);
    for (const k of [1, 4, 9]) {
      const landmarks = ids(f.engine.landmarks(k));
      expect(landmarks, `k=${k}`).toHaveLength(k);
      expect(distinct(landmarks), `k=${k}`).toBe(k);
      expect(
        landmarks.some((id) => ['down', 'draining', 'noprobe'].includes(id)),
        `k=${k}`,
      ).toBe(false);
    }
  });

  it('skips a landmark that went down, and puts another node in its place on refresh', () => {
    const f = fleet(Array.from({ length: 6 }, (_, i) => nodeRecord(`u${i}`)));
    const before = ids(f.engine.landmarks(3));
    expect(distinct(before)).toBe(3);
    const gone = before[1]!;
    f.index.sync(nodeRecord(gone, { status: 'down' }));
    expect(ids(f.engine.landmarks(3))).toEqual(before.filter((id) => id !== gone));
    f.engine.refreshLandmarks(3);
    const after = ids(f.engine.landmarks(3));
    expect(after).toHaveLength(3);
    expect(distinct(after)).toBe(3);
    expect(after).not.toContain(gone);
  });
});
