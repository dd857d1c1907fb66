import { GamepadButton, type InputEvent, InputEventType } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { manualFrames } from '../testing/fakeDom.js';
import { standardPad } from '../testing/fakeGamepad.js';
import { GamepadPoller } from './GamepadPoller.js';
import type { GamepadLike } from './mapStandardGamepad.js';

function harness(options: { reserved?: number[] } = {}) {
  const pads: (GamepadLike | null)[] = [];
  const sent: InputEvent[][] = [];
  const frames = manualFrames();
  const timers: (() => void)[] = [];
  const events = new EventTarget();
  const poller = new GamepadPoller({
    send: (batch) => sent.push(batch),
    getGamepads: () => pads,
    requestFrame: frames.requestFrame,
    setTimer: (callback) => {
      timers.push(callback);
      return timers.length;
    },
    clearTimer: () => {
      timers.length = 0;
    },
    events,
    ...(options.reserved ? { isReserved: (pad: number) => options.reserved!.includes(pad) } : {}),
  });
  const log: string[] = [];
  poller.on('connected', (pad) => log.push(`+${pad.pad}`));
  poller.on('disconnected', (pad) => log.push(`-${pad.pad}`));
  return { poller, pads, sent, frames, timers, events, log };
}

const state = (pad: number, fields: Partial<Record<string, number>> = {}) => ({
  type: InputEventType.GamepadState,
  pad,
  buttons: 0,
  leftTrigger: 0,
  rightTrigger: 0,
  lx: 0,
  ly: 0,
  rx: 0,
  ry: 0,
  ...fields,
});

describe('GamepadPoller', () => {
  it('announces a new pad with its state, then sends only changes, once per frame', () => {
    const h = harness();
    h.poller.start();
    expect(h.sent).toEqual([]);
    h.pads[0] = standardPad();
    h.events.dispatchEvent(new Event('gamepadconnected'));
    expect(h.sent).toEqual([[{ type: InputEventType.GamepadConnect, pad: 0 }, state(0)]]);
    expect(h.log).toEqual(['+0']);
    h.frames.runFrame();
    h.frames.runFrame();
    expect(h.sent).toHaveLength(1); // nothing changed: nothing sent
    h.pads[0] = standardPad({ pressed: [0], axes: [1, 0, 0, 0] });
    h.frames.runFrame();
    expect(h.sent[1]).toEqual([state(0, { buttons: GamepadButton.A, lx: 32767 })]);
    expect(h.frames.pending()).toBe(1);
  });

  it('finds a pad that was there before any event on the idle poll, and slows down again when it leaves', () => {
    const h = harness();
    h.pads[2] = standardPad({ index: 2 });
    h.poller.start();
    expect(h.sent[0]?.[0]).toEqual({ type: InputEventType.GamepadConnect, pad: 0 });
    h.pads[2] = null;
    h.frames.runFrame();
    expect(h.sent[1]).toEqual([{ type: InputEventType.GamepadDisconnect, pad: 0 }]);
    expect(h.log).toEqual(['+0', '-0']);
    expect(h.frames.pending()).toBe(0);
    expect(h.timers).toHaveLength(1); // back to the idle poll
  });

  it('gives pads the lowest free slot, skipping reserved ones, and ignores a fifth', () => {
    const h = harness({ reserved: [0] });
    for (let i = 0; i < 5; i++) h.pads[i] = standardPad({ index: i, id: `pad ${i}` });
    h.poller.start();
    expect(h.poller.pads.map((p) => [p.index, p.pad])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('treats a different device at the same index as a new pad', () => {
    const h = harness();
    h.pads[0] = standardPad({ id: 'first' });
    h.poller.start();
    h.pads[0] = standardPad({ id: 'second' });
    h.frames.runFrame();
    expect(h.sent[1]).toEqual([
      { type: InputEventType.GamepadDisconnect, pad: 0 },
      { type: InputEventType.GamepadConnect, pad: 0 },
      state(0),
    ]);
  });

  it('resends every pad on resync and releases them on stop', () => {
    const h = harness();
    h.pads[0] = standardPad({ pressed: [1] });
    h.poller.start();
    h.poller.resync();
    expect(h.sent[1]).toEqual([
      { type: InputEventType.GamepadConnect, pad: 0 },
      state(0, { buttons: GamepadButton.B }),
    ]);
    h.poller.stop();
    h.poller.stop();
    expect(h.sent[2]).toEqual([{ type: InputEventType.GamepadDisconnect, pad: 0 }]);
    h.frames.runFrame();
    expect(h.sent).toHaveLength(3);
  });

  it('copes with a browser whose getGamepads throws', () => {
    const sent: InputEvent[][] = [];
    const poller = new GamepadPoller({
      send: (batch) => sent.push(batch),
      getGamepads: () => {
        throw new Error('SecurityError');
      },
      setTimer: () => 1,
      clearTimer: () => undefined,
    });
    poller.start();
    poller.poll();
    expect(sent).toEqual([]);
    poller.stop();
  });
});
