import {
  decodeInputEvents,
  type InputEvent,
  InputEventType,
  MAX_EVENTS_PER_MESSAGE,
  Modifier,
  PointerButton,
} from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { FakeVideoTarget, keyEvent, manualFrames, pointerEvent, wheelEvent } from '../testing/fakeDom.js';
import { InputController, type InputControllerOptions } from './InputController.js';

const MAX = 0xffff;

function setup(options: Partial<InputControllerOptions> = {}) {
  const keyboard = new EventTarget();
  const frames = manualFrames();
  const messages: { reliable: boolean; events: InputEvent[] }[] = [];
  const sink = {
    send: (bytes: Uint8Array, reliable: boolean) => messages.push({ reliable, events: decodeInputEvents(bytes) }),
  };
  const controller = new InputController(sink, {
    keyboardTarget: keyboard,
    requestFrame: frames.requestFrame,
    ...options,
  });
  // A 1600x600 element showing 800x600 video: 400 px bars left and right.
  const video = new FakeVideoTarget({ left: 0, top: 0, width: 1600, height: 600 }, 800, 600);
  controller.capture(video);
  const events = (reliable?: boolean) =>
    messages.filter((m) => reliable === undefined || m.reliable === reliable).flatMap((m) => m.events);
  return { keyboard, frames, messages, controller, video, events };
}

describe('InputController keyboard', () => {
  it('sends a key press as KeyDown then KeyUp on the reliable channel, by physical code', () => {
    const { keyboard, events, messages } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyW'));
    keyboard.dispatchEvent(keyEvent('keyup', 'KeyW'));
    expect(events()).toEqual([
      { type: InputEventType.KeyDown, usage: 0x1a, modifiers: 0 },
      { type: InputEventType.KeyUp, usage: 0x1a, modifiers: 0 },
    ]);
    expect(messages.every((m) => m.reliable)).toBe(true);
  });

  it('carries modifier bits with the key', () => {
    const { keyboard, events } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyA', { shiftKey: true, altKey: true }));
    expect(events()[0]).toMatchObject({ modifiers: Modifier.Shift | Modifier.Alt });
  });

  it('does not send auto-repeat, but still keeps the repeat from scrolling the page', () => {
    const { keyboard, events } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'Space'));
    const repeat = keyEvent('keydown', 'Space', { repeat: true });
    keyboard.dispatchEvent(repeat);
    expect(events()).toHaveLength(1);
    expect(repeat.defaultPrevented).toBe(true);
  });

  it('prevents the default of captured keys only', () => {
    const { keyboard } = setup({ ignoredCodes: ['F2'] });
    const captured = keyEvent('keydown', 'ArrowDown');
    const unknown = keyEvent('keydown', 'BrowserBack');
    const ignored = keyEvent('keydown', 'F2');
    for (const event of [captured, unknown, ignored]) keyboard.dispatchEvent(event);
    expect([captured.defaultPrevented, unknown.defaultPrevented, ignored.defaultPrevented]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('ignores unknown codes, the page keys, and typing in text fields', () => {
    const { keyboard, events } = setup({ ignoredCodes: ['F2'] });
    keyboard.dispatchEvent(keyEvent('keydown', 'BrowserBack'));
    keyboard.dispatchEvent(keyEvent('keydown', 'F2'));
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyA', { target: { tagName: 'INPUT', type: 'text' } }));
    expect(events()).toEqual([]);
  });

  it('sends no KeyUp for a key whose KeyDown it never sent', () => {
    const { keyboard, events } = setup();
    keyboard.dispatchEvent(keyEvent('keyup', 'KeyQ'));
    expect(events()).toEqual([]);
  });

  it('releases held keys when the window loses focus, so nothing sticks in the game', () => {
    const { keyboard, events } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyW'));
    keyboard.dispatchEvent(keyEvent('keydown', 'ShiftLeft', { shiftKey: true }));
    keyboard.dispatchEvent(new Event('blur'));
    keyboard.dispatchEvent(keyEvent('keyup', 'KeyW'));
    expect(events().map((e) => e.type)).toEqual([
      InputEventType.KeyDown,
      InputEventType.KeyDown,
      InputEventType.KeyUp,
      InputEventType.KeyUp,
    ]);
  });

  it('stops listening and releases held keys on release()', () => {
    const { keyboard, controller, events } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyD'));
    controller.release();
    controller.release();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyE'));
    expect(events()).toEqual([
      { type: InputEventType.KeyDown, usage: 0x07, modifiers: 0 },
      { type: InputEventType.KeyUp, usage: 0x07, modifiers: 0 },
    ]);
    expect(controller.target).toBeUndefined();
  });
});

describe('InputController pointer', () => {
  it('maps pointer motion through the letterbox onto the video and sends it on the motion channel', () => {
    const { video, events } = setup();
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 800, clientY: 300 }));
    expect(events(false)).toEqual([{ type: InputEventType.PointerMove, x: 32768, y: 32768 }]);
    expect(events(true)).toEqual([]);
  });

  it('coalesces motion to one send per frame, sending the latest position', () => {
    const { video, frames, events } = setup();
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 400, clientY: 0 }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 500, clientY: 0 }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 1200, clientY: 600 }));
    expect(events(false)).toHaveLength(1);
    frames.runFrame();
    expect(events(false)).toEqual([
      { type: InputEventType.PointerMove, x: 0, y: 0 },
      { type: InputEventType.PointerMove, x: MAX, y: MAX },
    ]);
    frames.runFrame();
    expect(frames.pending()).toBe(0);
  });

  it('clamps motion over the bars to the edge of the video', () => {
    const { video, events } = setup();
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 100, clientY: 300 }));
    expect(events(false)).toEqual([{ type: InputEventType.PointerMove, x: 0, y: 32768 }]);
  });

  it('sends a click as PointerDown and PointerUp at the mapped position, and captures the pointer', () => {
    const { video, events } = setup();
    const down = pointerEvent('pointerdown', { clientX: 1200, clientY: 0, button: 0, buttons: 1, pointerId: 7 });
    video.dispatchEvent(down);
    video.dispatchEvent(pointerEvent('pointerup', { clientX: 1200, clientY: 0, button: 0, buttons: 0 }));
    expect(events(true)).toEqual([
      { type: InputEventType.PointerDown, button: PointerButton.Primary, x: MAX, y: 0 },
      { type: InputEventType.PointerUp, button: PointerButton.Primary, x: MAX, y: 0 },
    ]);
    expect(down.defaultPrevented).toBe(true);
    expect(video.captured).toEqual([7]);
  });

  it('ignores a press on the letterbox bars, and its release', () => {
    const { video, events } = setup();
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 100, clientY: 300, button: 0, buttons: 1 }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 800, clientY: 300, buttons: 1 }));
    video.dispatchEvent(pointerEvent('pointerup', { clientX: 800, clientY: 300, button: 0, buttons: 0 }));
    expect(events(true)).toEqual([]);
  });

  it('sends a second button pressed during a drag, which browsers report as a pointermove', () => {
    const { video, events } = setup();
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 800, clientY: 300, button: 0, buttons: 1 }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 800, clientY: 300, button: 2, buttons: 3 }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 800, clientY: 300, button: 2, buttons: 1 }));
    expect(events(true).map((e) => [e.type, 'button' in e ? e.button : -1])).toEqual([
      [InputEventType.PointerDown, PointerButton.Primary],
      [InputEventType.PointerDown, PointerButton.Secondary],
      [InputEventType.PointerUp, PointerButton.Secondary],
    ]);
  });

  it('releases held buttons on pointercancel and on release()', () => {
    const { video, controller, events } = setup();
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 800, clientY: 300, button: 0, buttons: 1 }));
    video.dispatchEvent(pointerEvent('pointercancel', { clientX: 800, clientY: 300, buttons: 1 }));
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 800, clientY: 300, button: 1, buttons: 4 }));
    controller.release();
    expect(events(true).map((e) => e.type)).toEqual([
      InputEventType.PointerDown,
      InputEventType.PointerUp,
      InputEventType.PointerDown,
      InputEventType.PointerUp,
    ]);
  });

  it('ignores secondary touch points', () => {
    const { video, events } = setup();
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 800, clientY: 300, buttons: 1, isPrimary: false }));
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 800, clientY: 300, isPrimary: false }));
    expect(events()).toEqual([]);
  });

  it('sends the wheel in pixels and keeps the page from scrolling', () => {
    const { video, events } = setup();
    const wheel = wheelEvent(0, 3, 1);
    video.dispatchEvent(wheel);
    expect(events(true)).toEqual([{ type: InputEventType.Wheel, dx: 0, dy: 120 }]);
    expect(wheel.defaultPrevented).toBe(true);
  });

  it('keeps the context menu away from right clicks on the video', () => {
    const { video } = setup();
    const menu = new Event('contextmenu', { cancelable: true });
    video.dispatchEvent(menu);
    expect(menu.defaultPrevented).toBe(true);
  });
});

describe('InputController pointer lock', () => {
  it('requests raw pointer lock on click only when the page opts in', async () => {
    const plain = setup();
    plain.video.dispatchEvent(new Event('click'));
    expect(plain.video.lockRequests).toEqual([]);
    const locking = setup({ pointerLock: true });
    locking.video.dispatchEvent(new Event('click'));
    expect(locking.video.lockRequests).toEqual([{ unadjustedMovement: true }]);
  });

  it('falls back to plain pointer lock where raw motion is not supported', async () => {
    const { video } = setup({ pointerLock: true });
    const requests: unknown[] = [];
    video.requestPointerLock = (options) => {
      requests.push(options);
      return options ? Promise.reject(new Error('NotSupportedError')) : Promise.resolve();
    };
    video.dispatchEvent(new Event('click'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(requests).toEqual([{ unadjustedMovement: true }, undefined]);
  });

  it('sends relative motion, summed per frame and clamped, while the pointer is locked', () => {
    const { video, frames, events } = setup({ pointerLock: true });
    video.ownerDocument.pointerLockElement = video;
    video.dispatchEvent(pointerEvent('pointermove', { movementX: 5, movementY: -2 }));
    video.dispatchEvent(pointerEvent('pointermove', { movementX: 3, movementY: -1 }));
    video.dispatchEvent(pointerEvent('pointermove', { movementX: 40_000, movementY: 0 }));
    frames.runFrame();
    expect(events(false)).toEqual([
      { type: InputEventType.PointerDelta, dx: 5, dy: -2 },
      { type: InputEventType.PointerDelta, dx: 32767, dy: -1 },
    ]);
  });

  it('sends button edges at the last known position while locked', () => {
    const { video, events } = setup({ pointerLock: true });
    video.dispatchEvent(pointerEvent('pointermove', { clientX: 1200, clientY: 600 }));
    video.ownerDocument.pointerLockElement = video;
    video.dispatchEvent(pointerEvent('pointerdown', { clientX: 0, clientY: 0, button: 0, buttons: 1 }));
    expect(events(true)).toEqual([{ type: InputEventType.PointerDown, button: 0, x: MAX, y: MAX }]);
  });
});

describe('InputController.send', () => {
  it('splits events by channel and into messages of at most MAX_EVENTS_PER_MESSAGE', () => {
    const { controller, messages } = setup();
    const keys = Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, () => ({
      type: InputEventType.KeyDown,
      usage: 4,
      modifiers: 0,
    }));
    controller.send([...keys, { type: InputEventType.PointerMove, x: 1, y: 2 }]);
    expect(messages.map((m) => [m.reliable, m.events.length])).toEqual([
      [false, 1],
      [true, MAX_EVENTS_PER_MESSAGE],
      [true, 1],
    ]);
  });

  it('rejects out-of-range events with a typed error and sends nothing', () => {
    const { controller, messages } = setup();
    expect(() =>
      controller.send([
        { type: InputEventType.KeyDown, usage: 4, modifiers: 0 },
        { type: InputEventType.PointerMove, x: 70_000, y: 0 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'FW_ERR_INPUT_MALFORMED' }));
    expect(messages).toEqual([]);
  });

  it('does nothing after close()', () => {
    const { controller, keyboard, messages } = setup();
    controller.close();
    controller.send([{ type: InputEventType.KeyDown, usage: 4, modifiers: 0 }]);
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyA'));
    expect(messages).toEqual([]);
  });
});
