import { fitCoordinate } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/createRandom.js';
import { NetworkCoordinates } from './NetworkCoordinates.js';

/**
 * A synthetic network Vivaldi with heights can embed exactly: hosts on a
 * 120 × 60 ms plane, each behind a 1–5 ms access link.
 */
function syntheticNetwork(count: number, random: () => number) {
  const hosts = Array.from({ length: count }, (_, i) => ({
    id: `n${i}`,
    x: random() * 120,
    y: random() * 60,
    access: 1 + random() * 4,
  }));
  const rtt = (a: number, b: number): number =>
    Math.hypot(hosts[a]!.x - hosts[b]!.x, hosts[a]!.y - hosts[b]!.y) + hosts[a]!.access + hosts[b]!.access;
  return { hosts, rtt };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

describe('NetworkCoordinates', () => {
  it('converges: RTTs of pairs that were never measured are predicted within a small relative error', () => {
    const random = createRandom(1);
    const count = 64;
    const { hosts, rtt } = syntheticNetwork(count, random);
    const coordinates = new NetworkCoordinates({ random });
    for (const host of hosts) coordinates.ensureSlot(host.id);
    // Every node measures the same 8 random peers over and over; every other pair is held out.
    const peers = hosts.map((_, i) => {
      const chosen = new Set<number>();
      while (chosen.size < 8) {
        const j = Math.floor(random() * count);
        if (j !== i) chosen.add(j);
      }
      return [...chosen];
    });
    const measured = new Set(peers.flatMap((list, i) => list.flatMap((j) => [`${i}:${j}`, `${j}:${i}`])));
    const heldOutErrors = (): number[] => {
      const errors: number[] = [];
      for (let i = 0; i < count; i++) {
        for (let j = i + 1; j < count; j++) {
          if (measured.has(`${i}:${j}`)) continue;
          const a = coordinates.slotOf(hosts[i]!.id)!;
          const b = coordinates.slotOf(hosts[j]!.id)!;
          errors.push(Math.abs(coordinates.predictBetween(a, b) - rtt(i, j)) / rtt(i, j));
        }
      }
      return errors;
    };
    expect(percentile(heldOutErrors(), 0.5)).toBeGreaterThan(0.9); // all at the origin: nothing is known

    for (let round = 0; round < 300; round++) {
      for (let i = 0; i < count; i++) {
        const j = peers[i]![Math.floor(random() * 8)]!;
        coordinates.observe(hosts[i]!.id, hosts[j]!.id, rtt(i, j));
      }
    }
    const errors = heldOutErrors();
    expect(errors.length).toBeGreaterThan(1000);
    // Measured with this seed: median 0.034, 90th percentile 0.21.
    expect(percentile(errors, 0.5)).toBeLessThan(0.08);
    expect(percentile(errors, 0.9)).toBeLessThan(0.4);
    expect(coordinates.updates).toBe(2 * 300 * count);
  });

  it('fits a newcomer from a few measured nodes well enough to predict its RTT to the rest', () => {
    const random = createRandom(7);
    const count = 48;
    const { hosts, rtt } = syntheticNetwork(count + 1, random);
    const coordinates = new NetworkCoordinates({ random });
    for (const host of hosts.slice(0, count)) coordinates.ensureSlot(host.id);
    for (let round = 0; round < 400; round++) {
      for (let i = 0; i < count; i++) {
        const j = (i + 1 + Math.floor(random() * (count - 1))) % count;
        coordinates.observe(hosts[i]!.id, hosts[j]!.id, rtt(i, j));
      }
    }
    const newcomer = count;
    const probed = [0, 6, 12, 18, 24, 30, 36, 42];
    const point = fitCoordinate(
      coordinates.buffer,
      probed.map((i) => ({ offset: i * coordinates.stride, rttMs: rtt(newcomer, i) })),
      { params: coordinates.params },
    );
    const errors = hosts
      .slice(0, count)
      .map((_, i) => i)
      .filter((i) => !probed.includes(i))
      .map((i) => Math.abs(coordinates.predict(point, i) - rtt(newcomer, i)) / rtt(newcomer, i));
    // Measured with this seed: median 0.002, 90th percentile 0.025.
    expect(percentile(errors, 0.5)).toBeLessThan(0.02);
    expect(percentile(errors, 0.9)).toBeLessThan(0.1);
  });

  it('keeps a slot per id for good and grows its buffer without losing coordinates', () => {
    const coordinates = new NetworkCoordinates({ initialCapacity: 8 });
    const first = coordinates.ensureSlot('a');
    coordinates.set('a', { vec: [1, 2, 3, 4], height: 5, error: 0.5 });
    for (let i = 0; i < 20; i++) coordinates.ensureSlot(`n${i}`);
    expect(coordinates.ensureSlot('a')).toBe(first);
    expect(coordinates.size).toBe(21);
    expect(coordinates.capacity).toBeGreaterThanOrEqual(21);
    expect(coordinates.buffer.length).toBe(coordinates.capacity * coordinates.stride);
    expect(coordinates.get('a')).toEqual({ vec: [1, 2, 3, 4], height: 5, error: 0.5 });
    expect(coordinates.idOf(first)).toBe('a');
    expect(coordinates.get('missing')).toBeUndefined();
  });

  it('seeds a located node from lat/lon at fibre speed, still a guess until something is measured', () => {
    const coordinates = new NetworkCoordinates({ random: createRandom(3) });
    const berlin = coordinates.ensureSlot('berlin', { lat: 52.52, lon: 13.4 });
    const paris = coordinates.ensureSlot('paris', { lat: 48.86, lon: 2.35 });
    const nowhere = coordinates.ensureSlot('nowhere');
    // 880 km great circle; the seed assumes 1.5× route inflation at 200 km/ms, both ways, plus 1 ms height each.
    expect(coordinates.predictBetween(berlin, paris)).toBeGreaterThan(12);
    expect(coordinates.predictBetween(berlin, paris)).toBeLessThan(18);
    expect(coordinates.errorOf(berlin)).toBeLessThan(coordinates.params.maxError);
    expect(coordinates.errorOf(nowhere)).toBe(coordinates.params.maxError);
    expect([berlin, paris, nowhere].map((slot) => coordinates.isKnown(slot))).toEqual([false, false, false]);
    coordinates.observe('berlin', 'paris', 14);
    expect([berlin, paris, nowhere].map((slot) => coordinates.isKnown(slot))).toEqual([true, true, false]);
    coordinates.observeFrom(Float64Array.from([0, 0, 0, 0, 1, 0.2]), 'nowhere', 30, 0.05);
    expect(coordinates.isKnown(nowhere)).toBe(true);
  });

  it('counts a restored coordinate as known unless it carries the maximal error', () => {
    const coordinates = new NetworkCoordinates();
    coordinates.set('learned', { vec: [1, 0, 0, 0], height: 2, error: 0.3 });
    coordinates.set('blank', { vec: [0, 0, 0, 0], height: 0.05, error: coordinates.params.maxError });
    expect(coordinates.isKnown(coordinates.slotOf('learned')!)).toBe(true);
    expect(coordinates.isKnown(coordinates.slotOf('blank')!)).toBe(false);
  });

  it('ignores samples between unknown ids, from a node to itself, and of invalid RTTs', () => {
    const coordinates = new NetworkCoordinates();
    coordinates.ensureSlot('a');
    coordinates.ensureSlot('b');
    expect(coordinates.observe('a', 'zzz', 10)).toBeNaN();
    expect(coordinates.observe('a', 'a', 10)).toBeNaN();
    expect(coordinates.observe('a', 'b', 0)).toBeNaN();
    expect(coordinates.observe('a', 'b', Number.NaN)).toBeNaN();
    expect(coordinates.updates).toBe(0);
    expect(coordinates.isKnown(coordinates.slotOf('a')!)).toBe(false);
  });

  it('moves far samples less than near ones (nearRttMs weighting)', () => {
    const step = (nearRttMs: number): number => {
      const coordinates = new NetworkCoordinates({ random: createRandom(5), nearRttMs });
      coordinates.set('a', { vec: [0, 0, 0, 0], height: 1, error: 0.5 });
      coordinates.set('b', { vec: [100, 0, 0, 0], height: 1, error: 0.5 });
      coordinates.observe('a', 'b', 202); // measured 100 ms further than predicted
      return -coordinates.get('a')!.vec[0]!; // a is pushed away from b
    };
    const plain = step(0);
    const weighted = step(40);
    expect(plain).toBeGreaterThan(0);
    expect(weighted).toBeGreaterThan(0);
    expect(weighted).toBeCloseTo(plain * (40 / 202), 6);
  });
});
