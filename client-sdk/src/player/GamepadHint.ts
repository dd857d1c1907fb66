import type { PadInfo } from '../input/GamepadPoller.js';
import type { Toast } from './Toast.js';

/** Where pads are announced: the session's `input.gamepads`. */
export interface PadSource {
  readonly pads: readonly PadInfo[];
  on(event: 'connected' | 'disconnected', listener: (pad: PadInfo) => void): unknown;
  off(event: 'connected' | 'disconnected', listener: (pad: PadInfo) => void): unknown;
}

/**
 * Tells the player about gamepads: a one-time hint that a pad can be used
 * (browsers reveal pads only after a button press), and a note when one
 * connects or leaves. `data-pads` on the hint element counts connected pads.
 */
export class GamepadHint {
  readonly #toast: Toast;
  readonly #element: { dataset: DOMStringMap };
  readonly #gamepads: PadSource;
  #hinted = false;

  constructor(toast: Toast, element: { dataset: DOMStringMap }, gamepads: PadSource) {
    this.#toast = toast;
    this.#element = element;
    this.#gamepads = gamepads;
    element.dataset.pads = String(gamepads.pads.length);
    gamepads.on('connected', this.#onConnected);
    gamepads.on('disconnected', this.#onDisconnected);
  }

  /** Once per page, when play starts and no pad is known yet. */
  hintOnce(): void {
    if (this.#hinted || this.#gamepads.pads.length > 0) return;
    this.#hinted = true;
    this.#toast.show('Gamepad? Press any button on it to play with it.', 5000);
  }

  close(): void {
    this.#gamepads.off('connected', this.#onConnected);
    this.#gamepads.off('disconnected', this.#onDisconnected);
  }

  readonly #onConnected = (pad: PadInfo): void => {
    this.#hinted = true;
    this.#element.dataset.pads = String(this.#gamepads.pads.length);
    this.#toast.show(`Gamepad connected: ${shortName(pad.id)} (player ${pad.pad + 1})`);
  };

  readonly #onDisconnected = (pad: PadInfo): void => {
    this.#element.dataset.pads = String(this.#gamepads.pads.length);
    this.#toast.show(`Gamepad disconnected (player ${pad.pad + 1})`);
  };
}

/** "Xbox 360 Controller (XInput STANDARD GAMEPAD)" → "Xbox 360 Controller". */
export function shortName(id: string): string {
  const name = id
    .replace(/\s*\(.*\)\s*$/, '')
    .replace(/^[0-9a-f]{4}-[0-9a-f]{4}-/i, '')
    .trim();
  return (name || id || 'gamepad').slice(0, 48);
}
