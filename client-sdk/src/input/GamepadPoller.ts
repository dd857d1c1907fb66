import { type InputEvent, InputEventType, MAX_GAMEPADS, TypedEmitter } from '@frameway/protocol';
import {
  type GamepadLike,
  type GamepadSnapshot,
  gamepadStateEvent,
  mapStandardGamepad,
  sameSnapshot,
} from './mapStandardGamepad.js';

/** A physical pad and the protocol slot (0..3) it plays as. */
export interface PadInfo {
  pad: number;
  id: string;
  /** `Gamepad.index` in the browser. */
  index: number;
}

export type GamepadPollerEvents = {
  connected: [pad: PadInfo];
  disconnected: [pad: PadInfo];
};

export interface GamepadPollerOptions {
  send: (events: InputEvent[]) => void;
  /** `navigator.getGamepads()` in browsers. */
  getGamepads?: () => readonly (GamepadLike | null)[];
  /** Polls once per frame while a pad is connected; `requestAnimationFrame` in browsers. */
  requestFrame?: (callback: () => void) => void;
  /** Without a pad, how often to look for one (browsers announce pads only after a button press). Default 500 ms. */
  idlePollMs?: number;
  deadzone?: number;
  /** Slots a virtual pad holds; physical pads skip them. */
  isReserved?: (pad: number) => boolean;
  /** Where `gamepadconnected` fires (the window), to switch to per-frame polling at once. */
  events?: EventTarget;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Tracked extends PadInfo {
  last: GamepadSnapshot | undefined;
}

/**
 * Reads physical gamepads through the Gamepad API: polled every animation
 * frame while one is connected, and only changes are sent (GamepadState with
 * XInput bits, GamepadConnect/Disconnect as pads come and go). Pads take the
 * lowest free slot 0..3 not reserved by a virtual pad.
 */
export class GamepadPoller extends TypedEmitter<GamepadPollerEvents> {
  readonly #options: GamepadPollerOptions;
  readonly #byIndex = new Map<number, Tracked>();
  #generation = 0;
  #timer: unknown;
  #running = false;

  constructor(options: GamepadPollerOptions) {
    super();
    this.#options = options;
  }

  /** The pads connected now. */
  get pads(): PadInfo[] {
    return [...this.#byIndex.values()].map(({ pad, id, index }) => ({ pad, id, index }));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#options.events?.addEventListener('gamepadconnected', this.#wake);
    this.#wake();
  }

  /** Stops polling; pads still connected are released (GamepadDisconnect: the far end lets go of every input). */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#options.events?.removeEventListener('gamepadconnected', this.#wake);
    this.#clearTimer();
    const events: InputEvent[] = [];
    for (const tracked of this.#byIndex.values()) events.push(...this.#release(tracked));
    this.#byIndex.clear();
    if (events.length > 0) this.#options.send(events);
  }

  /** Reads every pad once and sends what changed. */
  poll(): void {
    const events: InputEvent[] = [];
    const seen = new Set<number>();
    for (const gamepad of this.#read()) {
      if (!gamepad?.connected) continue;
      seen.add(gamepad.index);
      let tracked = this.#byIndex.get(gamepad.index);
      if (tracked && tracked.id !== gamepad.id) {
        // Another device took the browser's index: the old pad left.
        events.push(...this.#release(tracked));
        this.#byIndex.delete(gamepad.index);
        tracked = undefined;
      }
      if (!tracked) {
        const pad = this.#freeSlot();
        if (pad === undefined) continue;
        tracked = { pad, id: gamepad.id, index: gamepad.index, last: undefined };
        this.#byIndex.set(gamepad.index, tracked);
        events.push({ type: InputEventType.GamepadConnect, pad });
        this.emit('connected', { pad, id: gamepad.id, index: gamepad.index });
      }
      const snapshot = mapStandardGamepad(gamepad, this.#options.deadzone);
      if (!sameSnapshot(tracked.last, snapshot)) {
        tracked.last = snapshot;
        events.push(gamepadStateEvent(tracked.pad, snapshot));
      }
    }
    for (const [index, tracked] of this.#byIndex) {
      if (seen.has(index)) continue;
      this.#byIndex.delete(index);
      events.push({ type: InputEventType.GamepadDisconnect, pad: tracked.pad });
      this.emit('disconnected', { pad: tracked.pad, id: tracked.id, index });
    }
    if (events.length > 0) this.#options.send(events);
  }

  /** Sends every connected pad again (connect + state): the far end may be a fresh node after a reconnect. */
  resync(): void {
    const events: InputEvent[] = [];
    for (const tracked of this.#byIndex.values()) {
      events.push({ type: InputEventType.GamepadConnect, pad: tracked.pad });
      if (tracked.last) events.push(gamepadStateEvent(tracked.pad, tracked.last));
    }
    if (events.length > 0) this.#options.send(events);
  }

  readonly #wake = (): void => {
    this.#generation++;
    this.#clearTimer();
    this.#loop(this.#generation);
  };

  #loop(generation: number): void {
    if (!this.#running || generation !== this.#generation) return;
    this.poll();
    if (this.#byIndex.size > 0) {
      (this.#options.requestFrame ?? defaultRequestFrame)(() => this.#loop(generation));
    } else {
      const setTimer = this.#options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
      this.#timer = setTimer(() => this.#loop(generation), this.#options.idlePollMs ?? 500);
    }
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    // The handle is opaque (an injected clock returns anything); the default clear only ever gets the default set's.
    (this.#options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>)))(this.#timer);
    this.#timer = undefined;
  }

  #read(): readonly (GamepadLike | null)[] {
    try {
      const read =
        this.#options.getGamepads ??
        (() =>
          (globalThis as { navigator?: { getGamepads?: () => (GamepadLike | null)[] } }).navigator?.getGamepads?.() ??
          []);
      return read() ?? [];
    } catch {
      // Insecure contexts and permission policies make getGamepads throw: no pads, then.
      return [];
    }
  }

  #freeSlot(): number | undefined {
    const used = new Set([...this.#byIndex.values()].map((tracked) => tracked.pad));
    for (let pad = 0; pad < MAX_GAMEPADS; pad++) {
      if (!used.has(pad) && !this.#options.isReserved?.(pad)) return pad;
    }
    return undefined;
  }

  #release(tracked: Tracked): InputEvent[] {
    this.emit('disconnected', { pad: tracked.pad, id: tracked.id, index: tracked.index });
    return [{ type: InputEventType.GamepadDisconnect, pad: tracked.pad }];
  }
}

function defaultRequestFrame(callback: () => void): void {
  const raf = (globalThis as { requestAnimationFrame?: (callback: () => void) => unknown }).requestAnimationFrame;
  if (raf) raf(callback);
  else setTimeout(callback, 16);
}
