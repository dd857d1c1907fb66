import { describe, expect, it } from 'vitest';
import { NackedPacketCounter } from './NackedPacketCounter.js';

describe('NackedPacketCounter', () => {
  it('counts each NACKed packet once however often the player asks again', () => {
    const counter = new NackedPacketCounter();
    counter.note([5, 9]);
    counter.note([5, 9, 12]);
    counter.note([9]);
    expect(counter.count).toBe(3);
  });

  it('forgets the oldest numbers past its memory, so a wrapped number counts again', () => {
    const counter = new NackedPacketCounter(2);
    counter.note([1, 2, 3]);
    counter.note([1]);
    expect(counter.count).toBe(4);
    counter.note([3]);
    expect(counter.count).toBe(4);
  });
});
