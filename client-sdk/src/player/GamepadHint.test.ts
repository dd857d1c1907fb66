import { TypedEmitter } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import type { GamepadPollerEvents, PadInfo } from '../input/GamepadPoller.js';
import { GamepadHint, shortName } from './GamepadHint.js';
import { Toast } from './Toast.js';

class FakePads extends TypedEmitter<GamepadPollerEvents> {
  pads: PadInfo[] = [];
  connect(pad: PadInfo): void {
    this.pads.push(pad);
    this.emit('connected', pad);
  }
  disconnect(pad: PadInfo): void {
    this.pads = this.pads.filter((p) => p !== pad);
    this.emit('disconnected', pad);
  }
}

function setup() {
  const toastElement = { textContent: '' as string | null, hidden: true, dataset: {} as DOMStringMap };
  const timers: (() => void)[] = [];
  const toast = new Toast(toastElement, { setTimer: (cb) => timers.push(cb), clearTimer: () => undefined });
  const badge = { dataset: {} as DOMStringMap };
  const pads = new FakePads();
  const hint = new GamepadHint(toast, badge, pads);
  return { toastElement, timers, badge, pads, hint };
}

describe('GamepadHint', () => {
  it('hints once that a pad can be used, and not at all once one is connected', () => {
    const { toastElement, timers, hint } = setup();
    hint.hintOnce();
    expect(toastElement).toMatchObject({ hidden: false, textContent: expect.stringContaining('Gamepad?') });
    timers.shift()?.();
    expect(toastElement.hidden).toBe(true);
    hint.hintOnce();
    expect(toastElement.hidden).toBe(true);
  });

  it('says when a pad connects and leaves, and counts pads in data-pads', () => {
    const { toastElement, badge, pads, hint } = setup();
    expect(badge.dataset.pads).toBe('0');
    const pad = { pad: 0, id: 'Xbox 360 Controller (XInput STANDARD GAMEPAD)', index: 0 };
    pads.connect(pad);
    expect(toastElement.textContent).toBe('Gamepad connected: Xbox 360 Controller (player 1)');
    expect(badge.dataset.pads).toBe('1');
    hint.hintOnce();
    expect(toastElement.textContent).toContain('connected');
    pads.disconnect(pad);
    expect(toastElement.textContent).toBe('Gamepad disconnected (player 1)');
    expect(badge.dataset.pads).toBe('0');
    hint.close();
    pads.connect(pad);
    expect(badge.dataset.pads).toBe('0');
  });

  it('shortens browser gamepad ids', () => {
    expect(shortName('045e-028e-Microsoft X-Box 360 pad')).toBe('Microsoft X-Box 360 pad');
    expect(shortName('')).toBe('gamepad');
  });
});
