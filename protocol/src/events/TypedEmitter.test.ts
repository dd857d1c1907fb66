import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './TypedEmitter.js';

class Probe extends TypedEmitter<{ tick: [n: number]; done: [] }> {
  fire(n: number) {
    this.emit('tick', n);
  }
}

describe('TypedEmitter', () => {
  it('keeps calling other listeners when one throws, and reports the error', () => {
    const reported: unknown[] = [];
    const probe = new Probe((error) => reported.push(error));
    const seen: number[] = [];
    probe.on('tick', () => {
      throw new Error('boom');
    });
    probe.on('tick', (n) => seen.push(n));
    probe.fire(1);
    expect(seen).toEqual([1]);
    expect(reported).toHaveLength(1);
  });

  it('runs once-listeners a single time and resolves waitFor', async () => {
    const probe = new Probe();
    let calls = 0;
    probe.once('tick', () => calls++);
    const next = probe.waitFor('tick');
    probe.fire(5);
    probe.fire(6);
    expect(calls).toBe(1);
    await expect(next).resolves.toEqual([5]);
    expect(probe.listenerCount('tick')).toBe(0);
  });
});
