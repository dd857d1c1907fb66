import { GamepadButton, type InputEvent, InputEventType } from '@frameway/protocol';
import { type GamepadSnapshot, gamepadStateEvent, NEUTRAL_GAMEPAD, sameSnapshot, stick } from './mapStandardGamepad.js';
import { virtualStick } from './virtualStick.js';

/** What the on-screen pad needs from the session's InputController. */
export interface VirtualGamepadSink {
  send(events: readonly InputEvent[]): void;
  reserveGamepad(pad: number): () => void;
}

export interface VirtualGamepadOptions {
  /** The element the pad is laid over (positioned; the pad fills it). */
  container: HTMLElement;
  input: VirtualGamepadSink;
  /** The protocol pad slot it plays as. Default 0. */
  pad?: number;
}

const BUTTONS: readonly (readonly [label: string, bit: number, className: string])[] = [
  ['A', GamepadButton.A, 'a'],
  ['B', GamepadButton.B, 'b'],
  ['X', GamepadButton.X, 'x'],
  ['Y', GamepadButton.Y, 'y'],
  ['LB', GamepadButton.LeftShoulder, 'lb'],
  ['RB', GamepadButton.RightShoulder, 'rb'],
  ['Back', GamepadButton.Back, 'back'],
  ['Start', GamepadButton.Start, 'start'],
];

const STYLE_ID = 'frameway-virtual-gamepad';
const STYLE = `
.fw-vpad{position:absolute;inset:0;pointer-events:none;touch-action:none;user-select:none;-webkit-user-select:none}
.fw-vpad[hidden]{display:none}
.fw-vpad__stick,.fw-vpad__button{position:absolute;pointer-events:auto;touch-action:none;border:2px solid rgb(255 255 255/45%);background:rgb(20 24 32/45%);color:#fff;font:600 15px/1 system-ui,sans-serif;-webkit-tap-highlight-color:transparent}
.fw-vpad__stick{left:max(16px,env(safe-area-inset-left));bottom:max(16px,env(safe-area-inset-bottom));width:128px;height:128px;border-radius:50%}
.fw-vpad__knob{position:absolute;left:50%;top:50%;width:56px;height:56px;margin:-28px 0 0 -28px;border-radius:50%;background:rgb(255 255 255/55%);pointer-events:none}
.fw-vpad__button{width:52px;height:52px;border-radius:50%;display:grid;place-items:center;padding:0}
.fw-vpad__button[aria-pressed=true]{background:rgb(79 140 255/80%)}
.fw-vpad__button--a{right:calc(max(16px,env(safe-area-inset-right)) + 52px);bottom:max(16px,env(safe-area-inset-bottom))}
.fw-vpad__button--b{right:max(16px,env(safe-area-inset-right));bottom:calc(max(16px,env(safe-area-inset-bottom)) + 52px)}
.fw-vpad__button--x{right:calc(max(16px,env(safe-area-inset-right)) + 104px);bottom:calc(max(16px,env(safe-area-inset-bottom)) + 52px)}
.fw-vpad__button--y{right:calc(max(16px,env(safe-area-inset-right)) + 52px);bottom:calc(max(16px,env(safe-area-inset-bottom)) + 104px)}
.fw-vpad__button--lb,.fw-vpad__button--rb,.fw-vpad__button--back,.fw-vpad__button--start{width:60px;height:34px;border-radius:10px;font-size:12px}
.fw-vpad__button--lb{left:max(16px,env(safe-area-inset-left));bottom:calc(max(16px,env(safe-area-inset-bottom)) + 146px)}
.fw-vpad__button--rb{right:max(16px,env(safe-area-inset-right));bottom:calc(max(16px,env(safe-area-inset-bottom)) + 166px)}
.fw-vpad__button--back{left:calc(50% - 66px);bottom:calc(max(16px,env(safe-area-inset-bottom)) + 146px)}
.fw-vpad__button--start{left:calc(50% + 6px);bottom:calc(max(16px,env(safe-area-inset-bottom)) + 146px)}
`;

/**
 * An on-screen gamepad for touch screens: a left stick and A/B/X/Y, shoulder,
 * Back and Start buttons laid over the video. Each control follows its own
 * finger, so the stick and a button work together; the state goes out as
 * GamepadState for one pad slot (0 by default), only when it changes.
 */
export class VirtualGamepad {
  readonly element: HTMLElement;
  readonly pad: number;
  readonly #input: VirtualGamepadSink;
  readonly #stick: HTMLElement;
  readonly #knob: HTMLElement;
  readonly #buttonPointers = new Map<number, number>();
  #stickPointer: number | undefined;
  #stickVector: [number, number] = [0, 0];
  #buttons = 0;
  #sent: GamepadSnapshot | undefined;
  #release: (() => void) | undefined;
  #closed = false;

  constructor(options: VirtualGamepadOptions) {
    this.pad = options.pad ?? 0;
    this.#input = options.input;
    const doc = options.container.ownerDocument;
    injectStyle(doc);
    this.element = doc.createElement('div');
    this.element.className = 'fw-vpad';
    this.element.hidden = true;
    this.element.dataset.pad = String(this.pad);
    this.#stick = doc.createElement('div');
    this.#stick.className = 'fw-vpad__stick';
    this.#stick.setAttribute('role', 'slider');
    this.#stick.setAttribute('aria-label', 'Left stick');
    this.#knob = doc.createElement('div');
    this.#knob.className = 'fw-vpad__knob';
    this.#stick.append(this.#knob);
    this.element.append(this.#stick);
    for (const event of ['pointerdown', 'pointermove', 'pointerup', 'pointercancel']) {
      this.#stick.addEventListener(event, this.#onStick);
    }
    for (const [label, bit, className] of BUTTONS) {
      const button = doc.createElement('button');
      button.type = 'button';
      button.className = `fw-vpad__button fw-vpad__button--${className}`;
      button.textContent = label;
      button.dataset.button = label;
      button.setAttribute('aria-pressed', 'false');
      for (const event of ['pointerdown', 'pointerup', 'pointercancel', 'lostpointercapture']) {
        button.addEventListener(event, (e) => this.#onButton(e as PointerEvent, button, bit));
      }
      button.addEventListener('contextmenu', (e) => e.preventDefault());
      this.element.append(button);
    }
    options.container.append(this.element);
  }

  get visible(): boolean {
    return !this.element.hidden;
  }

  /** Shows the pad and plugs it in: GamepadConnect, then its neutral state. */
  show(): void {
    if (this.#closed || this.visible) return;
    this.element.hidden = false;
    this.#release = this.#input.reserveGamepad(this.pad);
    this.#sent = undefined;
    this.#input.send([{ type: InputEventType.GamepadConnect, pad: this.pad }]);
    this.#update();
  }

  /** Hides the pad and unplugs it (GamepadDisconnect: the far end lets go of everything). */
  hide(): void {
    if (!this.visible) return;
    this.element.hidden = true;
    this.#resetControls();
    this.#input.send([{ type: InputEventType.GamepadDisconnect, pad: this.pad }]);
    this.#release?.();
    this.#release = undefined;
  }

  toggle(): void {
    if (this.visible) this.hide();
    else this.show();
  }

  /** Sends the current state again (after a reconnect, the far end may be a new node). */
  resync(): void {
    if (!this.visible) return;
    this.#sent = undefined;
    this.#input.send([{ type: InputEventType.GamepadConnect, pad: this.pad }]);
    this.#update();
  }

  close(): void {
    if (this.#closed) return;
    try {
      this.hide();
    } catch {
      // The session may already be gone; the element still goes.
    }
    this.#closed = true;
    this.element.remove();
  }

  readonly #onStick = (event: Event): void => {
    const pointer = event as PointerEvent;
    event.preventDefault();
    event.stopPropagation();
    if (pointer.type === 'pointerdown') {
      if (this.#stickPointer !== undefined) return;
      this.#stickPointer = pointer.pointerId;
      try {
        this.#stick.setPointerCapture(pointer.pointerId);
      } catch {
        // Without capture a finger sliding off the stick ends at the rim instead.
      }
    } else if (pointer.pointerId !== this.#stickPointer) {
      return;
    }
    if (pointer.type === 'pointerup' || pointer.type === 'pointercancel') {
      this.#stickPointer = undefined;
      this.#stickVector = [0, 0];
    } else {
      const rect = this.#stick.getBoundingClientRect();
      const radius = rect.width / 2;
      this.#stickVector = virtualStick(
        pointer.clientX - (rect.left + radius),
        pointer.clientY - (rect.top + rect.height / 2),
        radius,
      );
    }
    const [x, y] = this.#stickVector;
    this.#knob.style.transform = `translate(${(x * 36).toFixed(1)}px, ${(y * 36).toFixed(1)}px)`;
    this.#update();
  };

  #onButton(pointer: PointerEvent, button: HTMLElement, bit: number): void {
    pointer.preventDefault();
    pointer.stopPropagation();
    if (pointer.type === 'pointerdown') {
      this.#buttonPointers.set(pointer.pointerId, bit);
      try {
        button.setPointerCapture(pointer.pointerId);
      } catch {
        // A button released off its area still releases on pointerup elsewhere.
      }
      this.#buttons |= bit;
    } else {
      if (this.#buttonPointers.get(pointer.pointerId) !== bit) return;
      this.#buttonPointers.delete(pointer.pointerId);
      if (![...this.#buttonPointers.values()].includes(bit)) this.#buttons &= ~bit;
    }
    button.setAttribute('aria-pressed', String((this.#buttons & bit) !== 0));
    this.#update();
  }

  #resetControls(): void {
    this.#stickPointer = undefined;
    this.#stickVector = [0, 0];
    this.#buttons = 0;
    this.#buttonPointers.clear();
    this.#knob.style.transform = '';
    for (const button of this.element.querySelectorAll('button')) button.setAttribute('aria-pressed', 'false');
  }

  #update(): void {
    if (!this.visible) return;
    const [lx, ly] = stick(this.#stickVector[0], this.#stickVector[1]);
    const snapshot: GamepadSnapshot = { ...NEUTRAL_GAMEPAD, buttons: this.#buttons, lx, ly };
    if (sameSnapshot(this.#sent, snapshot)) return;
    this.#sent = snapshot;
    this.#input.send([gamepadStateEvent(this.pad, snapshot)]);
  }
}

function injectStyle(doc: Document): void {
  if (doc.getElementById(STYLE_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ID;
  style.textContent = STYLE;
  doc.head.append(style);
}
