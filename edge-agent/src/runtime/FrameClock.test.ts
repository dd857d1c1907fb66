import { describe, expect, it } from 'vitest';
import { FrameClock } from './FrameClock.js';

/** A manual clock and timer queue: timers fire only when the test advances time. */
function fakeTime() {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimer: (callback: () => void, delayMs: number) => {
      const id = nextId++;
      timers.set(id, { at: now + delayMs, callback });
      return id;
    },
    clearTimer: (handle: unknown) => {
      timers.delete(handle as number);
    },
    /** Runs the earliest timer, `lateMs` after it was due. */
    fireNext(lateMs = 0) {
      const [id, timer] = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
      if (id === undefined || !timer) throw new Error('no timer pending');
      timers.delete(id);
      now = Math.max(now, timer.at + lateMs);
      timer.callback();
    },
    advance(ms: number) {
      now += ms;
    },
    get pending() {
      return timers.size;
    },
  };
}

describe('FrameClock', () => {
  it('aims each tick at origin + n × period, so timer lateness does not accumulate', () => {
    const time = fakeTime();
    const elapsed: number[] = [];
    const clock = new FrameClock({ fps: 50, onTick: (ms) => elapsed.push(ms), onError: () => {}, ...time });
    clock.start();
    // every timer fires 3 ms late; a naive setTimeout(20) chain would drift 3 ms per frame
    for (let i = 0; i < 100; i++) time.fireNext(3);
    expect(clock.ticks).toBe(100);
    expect(time.now()).toBe(100 * 20 + 3);
    expect(elapsed.slice(1).every((ms) => ms === 20)).toBe(true);
    expect(clock.skippedTicks).toBe(0);
    clock.stop();
  });

  it('skips the frames missed during a stall instead of replaying them in a burst', () => {
    const time = fakeTime();
    const elapsed: number[] = [];
    const clock = new FrameClock({ fps: 50, onTick: (ms) => elapsed.push(ms), onError: () => {}, ...time });
    clock.start();
    time.fireNext(); // t = 20
    time.fireNext(95); // due at 40 (slot 2), runs at 135 as slot 6: slots 2..5 are gone
    expect(clock.skippedTicks).toBe(4);
    expect(elapsed).toEqual([20, 115]);
    time.fireNext(); // next aim is slot 7 (140 ms), not an immediate catch-up
    expect(time.now()).toBe(140);
    expect(clock.ticks).toBe(3);
    clock.stop();
  });

  it('stop() cancels the pending timer and no tick follows', () => {
    const time = fakeTime();
    let ticks = 0;
    const clock = new FrameClock({ fps: 60, onTick: () => ticks++, onError: () => {}, ...time });
    clock.start();
    expect(time.pending).toBe(1);
    clock.stop();
    expect(time.pending).toBe(0);
    expect(clock.running).toBe(false);
    expect(ticks).toBe(0);
  });

  it('stops and reports when a tick throws, instead of crashing the process', () => {
    const time = fakeTime();
    const errors: unknown[] = [];
    const clock = new FrameClock({
      fps: 60,
      onTick: () => {
        throw new Error('render failed');
      },
      onError: (error) => errors.push(error),
      ...time,
    });
    clock.start();
    time.fireNext();
    expect(errors).toHaveLength(1);
    expect(clock.running).toBe(false);
    expect(time.pending).toBe(0);
  });

  it('ticks at about the requested rate on real timers', async () => {
    let ticks = 0;
    const clock = new FrameClock({ fps: 60, onTick: () => ticks++, onError: () => {} });
    clock.start();
    await new Promise((resolve) => setTimeout(resolve, 500));
    clock.stop();
    // 30 expected; generous bounds for a loaded 2-core CI machine
    expect(ticks).toBeGreaterThanOrEqual(15);
    expect(ticks).toBeLessThanOrEqual(31);
  });
});
