import { describe, expect, it } from 'vitest';
import { NeighbourSets } from './NeighbourSets.js';

describe('NeighbourSets', () => {
  it('keeps the lowest-RTT peers of each node, lowest first, both ends of every sample', () => {
    const sets = new NeighbourSets(2);
    sets.record('a', 'b', 30);
    sets.record('a', 'c', 10);
    sets.record('a', 'd', 20);
    expect(sets.of('a')).toEqual(['c', 'd']);
    expect(sets.sizeOf('a')).toBe(2);
    expect(sets.of('b')).toEqual(['a']);
    expect(sets.has('c', 'a')).toBe(true);
    expect(sets.has('a', 'b')).toBe(false);
    expect([...sets.ids('a')].sort()).toEqual(['c', 'd']);
  });

  it('keeps the latest RTT of a pair', () => {
    const sets = new NeighbourSets(2);
    sets.record('a', 'b', 5);
    sets.record('a', 'c', 10);
    sets.record('a', 'b', 50);
    expect(sets.of('a')).toEqual(['c', 'b']);
  });

  it('ignores samples of a node to itself and RTTs that are not positive', () => {
    const sets = new NeighbourSets();
    sets.record('a', 'a', 1);
    sets.record('a', 'b', 0);
    sets.record('a', 'c', Number.NaN);
    expect(sets.of('a')).toEqual([]);
    expect(sets.of('unknown')).toEqual([]);
  });

  it('forgets a node on both sides', () => {
    const sets = new NeighbourSets();
    sets.record('a', 'b', 5);
    sets.record('c', 'b', 5);
    sets.remove('b');
    expect(sets.of('b')).toEqual([]);
    expect(sets.of('a')).toEqual([]);
    expect(sets.of('c')).toEqual([]);
  });
});
