import {
  decodeInputEvents,
  type InputEvent,
  InputEventType,
  MAX_EVENTS_PER_MESSAGE,
  MAX_TEXT_BYTES,
  Modifier,
  NavKey,
  Orientation,
  PointerButton,
} from '@frameway/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FakeVideoTarget,
  keyEvent,
  manualFrames,
  pasteEvent,
  pointerEvent,
  touchEvent,
  wheelEvent,
} from '../testing/fakeDom.js';
import { standardPad } from '../testing/fakeGamepad.js';
import { InputController, type InputControllerOptions, isPasteShortcut } from './InputController.js';
import type { GamepadLike } from './mapStandardGamepad.js';

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
    gamepads: false,
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

  it('ignores secondary pointers that are not touches', () => {
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

afterEach(() => {
  vi.useRealTimers();
});

// The 1600x600 element shows 800x600 video between x = 400 and x = 1200.
const videoX = (fraction: number) => 400 + 800 * fraction;
const norm = (fraction: number) => Math.round(fraction * MAX);

describe('InputController touch', () => {
  it('sends each finger as its own touch with ids 0.., mapped through the letterbox', () => {
    const { video, events, messages } = setup();
    video.dispatchEvent(touchEvent('pointerdown', 7, videoX(0.25), 150));
    video.dispatchEvent(touchEvent('pointerdown', 8, videoX(0.75), 450, 1));
    expect(events(true)).toEqual([
      { type: InputEventType.TouchDown, id: 0, x: norm(0.25), y: norm(0.25), pressure: 128 },
      { type: InputEventType.TouchDown, id: 1, x: norm(0.75), y: norm(0.75), pressure: 255 },
    ]);
    expect(messages.every((m) => m.reliable)).toBe(true);
  });

  it('coalesces the moves of all fingers into one motion message per frame, latest positions only', () => {
    const { video, events, frames, messages } = setup();
    video.dispatchEvent(touchEvent('pointerdown', 1, videoX(0.1), 60));
    video.dispatchEvent(touchEvent('pointerdown', 2, videoX(0.9), 540));
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.2), 60)); // leading send
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.3), 60));
    video.dispatchEvent(touchEvent('pointermove', 2, videoX(0.8), 540));
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.4), 60));
    expect(events(false)).toEqual([
      { type: InputEventType.TouchMove, id: 0, x: norm(0.2), y: norm(0.1), pressure: 128 },
    ]);
    frames.runFrame();
    expect(messages.at(-1)).toEqual({
      reliable: false,
      events: [
        { type: InputEventType.TouchMove, id: 0, x: norm(0.4), y: norm(0.1), pressure: 128 },
        { type: InputEventType.TouchMove, id: 1, x: norm(0.8), y: norm(0.9), pressure: 128 },
      ],
    });
  });

  it('lifts with the final position, drops a move still waiting, and reuses the freed id', () => {
    const { video, events, frames } = setup();
    video.dispatchEvent(touchEvent('pointerdown', 1, videoX(0.5), 300));
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.5), 310));
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.5), 320));
    video.dispatchEvent(touchEvent('pointerup', 1, videoX(0.5), 330));
    frames.runFrame();
    expect(events().map((e) => e.type)).toEqual([
      InputEventType.TouchDown,
      InputEventType.TouchMove,
      InputEventType.TouchUp,
    ]);
    expect(events().at(-1)).toMatchObject({ id: 0, y: norm(330 / 600), pressure: 0 });
    video.dispatchEvent(touchEvent('pointerdown', 2, videoX(0.5), 300));
    expect(events().at(-1)).toMatchObject({ type: InputEventType.TouchDown, id: 0 });
  });

  it('ignores a finger landing on the bars, and cancels touches on pointercancel, blur and release', () => {
    const { video, events, keyboard, controller } = setup();
    video.dispatchEvent(touchEvent('pointerdown', 1, 100, 300));
    video.dispatchEvent(touchEvent('pointermove', 1, videoX(0.5), 300));
    expect(events()).toEqual([]);
    video.dispatchEvent(touchEvent('pointerdown', 2, videoX(0.5), 300));
    video.dispatchEvent(touchEvent('pointercancel', 2, 0, 0));
    video.dispatchEvent(touchEvent('pointerdown', 3, videoX(0.5), 300));
    keyboard.dispatchEvent(new Event('blur'));
    video.dispatchEvent(touchEvent('pointerdown', 4, videoX(0.5), 300));
    controller.release();
    expect(events().map((e) => [e.type, (e as { id: number }).id])).toEqual([
      [InputEventType.TouchDown, 0],
      [InputEventType.TouchCancel, 0],
      [InputEventType.TouchDown, 0],
      [InputEventType.TouchCancel, 0],
      [InputEventType.TouchDown, 0],
      [InputEventType.TouchCancel, 0],
    ]);
  });

  it("plays the first finger as the mouse in 'mouse' mode", () => {
    const { video, events } = setup({ touch: 'mouse' });
    video.dispatchEvent(
      pointerEvent('pointerdown', { clientX: videoX(0.5), clientY: 300, buttons: 1, pointerType: 'touch' }),
    );
    expect(events()).toEqual([
      { type: InputEventType.PointerMove, x: 32768, y: 32768 },
      { type: InputEventType.PointerDown, button: 0, x: 32768, y: 32768 },
    ]);
  });

  it('cancels touches in progress on resync, after a reconnect', () => {
    const { video, events, controller } = setup();
    video.dispatchEvent(touchEvent('pointerdown', 1, videoX(0.5), 300));
    controller.resync();
    video.dispatchEvent(touchEvent('pointerup', 1, videoX(0.5), 300));
    expect(events().map((e) => e.type)).toEqual([InputEventType.TouchDown, InputEventType.TouchCancel]);
  });
});

describe('InputController text, clipboard and phone keys', () => {
  it('sends text as Text events of at most MAX_TEXT_BYTES, one per message', () => {
    const { controller, messages } = setup();
    controller.sendText('héllo');
    controller.sendText('');
    controller.sendText('é'.repeat(MAX_TEXT_BYTES));
    expect(messages[0]?.events).toEqual([{ type: InputEventType.Text, text: 'héllo' }]);
    expect(messages.slice(1).map((m) => m.events.length)).toEqual([1, 1]);
    expect(messages.slice(1).map((m) => (m.events[0] as { text: string }).text.length)).toEqual([
      MAX_TEXT_BYTES / 2,
      MAX_TEXT_BYTES / 2,
    ]);
  });

  it('sends the clipboard whole, or refuses it with FW_ERR_INPUT_TOO_LARGE', () => {
    const { controller, events } = setup();
    controller.sendClipboard('copied');
    expect(events()).toEqual([{ type: InputEventType.Clipboard, text: 'copied' }]);
    expect(() => controller.sendClipboard('x'.repeat(MAX_TEXT_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INPUT_TOO_LARGE' }),
    );
  });

  it('reads the clipboard on request, and reports a refusal as FW_ERR_FORBIDDEN', async () => {
    const granted = setup({ clipboardApi: { readText: async () => 'from clipboard' } });
    await expect(granted.controller.pasteFromClipboard()).resolves.toBe('from clipboard');
    expect(granted.events()).toEqual([{ type: InputEventType.Clipboard, text: 'from clipboard' }]);
    const denied = setup({
      clipboardApi: {
        readText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')),
      },
    });
    await expect(denied.controller.pasteFromClipboard()).rejects.toMatchObject({ code: 'FW_ERR_FORBIDDEN' });
    expect(denied.events()).toEqual([]);
  });

  it('sends the clipboard before the paste shortcut, and lets the browser paste', () => {
    const { keyboard, events } = setup();
    const down = keyEvent('keydown', 'KeyV', { ctrlKey: true });
    keyboard.dispatchEvent(down);
    expect(down.defaultPrevented).toBe(false);
    expect(events()).toEqual([]);
    const paste = pasteEvent('pasted text');
    keyboard.dispatchEvent(paste);
    keyboard.dispatchEvent(keyEvent('keyup', 'KeyV', { ctrlKey: true }));
    expect(paste.defaultPrevented).toBe(true);
    expect(events()).toEqual([
      { type: InputEventType.Clipboard, text: 'pasted text' },
      { type: InputEventType.KeyDown, usage: 0x19, modifiers: Modifier.Control },
      { type: InputEventType.KeyUp, usage: 0x19, modifiers: Modifier.Control },
    ]);
  });

  it('sends the shortcut alone when no paste event comes, or the clipboard is too large', () => {
    vi.useFakeTimers();
    const { keyboard, events, controller } = setup();
    keyboard.dispatchEvent(keyEvent('keydown', 'KeyV', { metaKey: true }));
    vi.advanceTimersByTime(100);
    expect(events().map((e) => e.type)).toEqual([InputEventType.KeyDown]);
    keyboard.dispatchEvent(keyEvent('keyup', 'KeyV', { metaKey: true }));
    const errors: string[] = [];
    const big = setup({ onError: (error) => errors.push(error.code) });
    big.keyboard.dispatchEvent(keyEvent('keydown', 'KeyV', { ctrlKey: true }));
    big.keyboard.dispatchEvent(pasteEvent('x'.repeat(MAX_TEXT_BYTES + 1)));
    expect(big.events().map((e) => e.type)).toEqual([InputEventType.KeyDown]);
    expect(errors).toEqual(['FW_ERR_INPUT_TOO_LARGE']);
    controller.close();
  });

  it('leaves pastes into text fields to the page, and can be turned off', () => {
    const { keyboard, events } = setup();
    const inField = pasteEvent('x', { tagName: 'INPUT', type: 'text' });
    keyboard.dispatchEvent(inField);
    expect(inField.defaultPrevented).toBe(false);
    const off = setup({ clipboard: false });
    const down = keyEvent('keydown', 'KeyV', { ctrlKey: true });
    off.keyboard.dispatchEvent(down);
    off.keyboard.dispatchEvent(pasteEvent('x'));
    expect(down.defaultPrevented).toBe(true);
    expect(off.events().map((e) => e.type)).toEqual([InputEventType.KeyDown]);
    expect(events()).toEqual([]);
  });

  it('knows the paste shortcuts', () => {
    const key = (code: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey', boolean>>) => ({
      code,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...mods,
    });
    expect(isPasteShortcut(key('KeyV', { ctrlKey: true }))).toBe(true);
    expect(isPasteShortcut(key('KeyV', { metaKey: true }))).toBe(true);
    expect(isPasteShortcut(key('Insert', { shiftKey: true }))).toBe(true);
    expect(isPasteShortcut(key('KeyV', {}))).toBe(false);
    expect(isPasteShortcut(key('KeyV', { ctrlKey: true, altKey: true }))).toBe(false);
  });

  it('taps phone navigation keys, or holds and releases them', () => {
    const { controller, events } = setup();
    controller.navKey(NavKey.Back);
    controller.navKey(NavKey.Home, true);
    controller.navKey(NavKey.Home, false);
    expect(events()).toEqual([
      { type: InputEventType.NavKey, key: NavKey.Back, down: true },
      { type: InputEventType.NavKey, key: NavKey.Back, down: false },
      { type: InputEventType.NavKey, key: NavKey.Home, down: true },
      { type: InputEventType.NavKey, key: NavKey.Home, down: false },
    ]);
  });

  it('taps keys by code, sends orientation, and rejects an unknown code', () => {
    const { controller, events } = setup();
    controller.tapKey('Backspace');
    controller.setOrientation(Orientation.Landscape);
    expect(events()).toEqual([
      { type: InputEventType.KeyDown, usage: 0x2a, modifiers: 0 },
      { type: InputEventType.KeyUp, usage: 0x2a, modifiers: 0 },
      { type: InputEventType.Orientation, orientation: Orientation.Landscape },
    ]);
    expect(() => controller.tapKey('NoSuchKey')).toThrow(expect.objectContaining({ code: 'FW_ERR_INPUT_MALFORMED' }));
  });
});

describe('InputController gamepads', () => {
  it('polls physical pads while capturing, skipping a slot reserved for a virtual pad', () => {
    const pads: (GamepadLike | null)[] = [standardPad({ pressed: [0] })];
    const { controller, events, frames } = setup({ gamepads: true, getGamepads: () => pads });
    expect(events().slice(0, 1)).toEqual([{ type: InputEventType.GamepadConnect, pad: 0 }]);
    controller.release();
    const release = controller.reserveGamepad(0);
    controller.capture(new FakeVideoTarget({ left: 0, top: 0, width: 800, height: 600 }, 800, 600));
    expect(controller.gamepads.pads.map((p) => p.pad)).toEqual([1]);
    release();
    frames.runFrame();
    controller.close();
    expect(events().at(-1)).toEqual({ type: InputEventType.GamepadDisconnect, pad: 1 });
  });
});
