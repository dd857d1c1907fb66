import { type InputEvent, InputEventType, NavKey, type Orientation, PointerButton } from '@frameway/protocol';
import {
  AndroidKeyCode,
  AndroidKeyEventAction,
  AndroidKeyEventMeta,
  AndroidMotionEventAction,
  AndroidMotionEventButton,
  type ScrcpyControlMessageSerializer,
  ScrcpyPointerId,
} from '@yume-chan/scrcpy';
import { createLogger, type Logger } from '../../logging/logger.js';
import { ANDROID_KEY_CODE_BY_HID_USAGE, androidMetaState } from './androidKeyCodes.js';
import type { FitLayout } from './fitLayout.js';
import { mapTouchToDevice } from './mapTouchToDevice.js';

export interface AndroidControlOptions {
  /** scrcpy's message encoder for the server version in use. */
  serializer: ScrcpyControlMessageSerializer;
  /** The current picture layout (changes when the phone rotates). */
  layout: () => FitLayout;
  /** The player asked for a display orientation; scrcpy has no message for it. */
  onOrientation?: (orientation: Orientation) => void;
  logger?: Logger;
}

/** scrcpy accepts at most this many UTF-8 bytes of text per message (SC_CONTROL_MSG_INJECT_TEXT_MAX_LENGTH). */
export const SCRCPY_TEXT_MAX_BYTES = 300;
/** Wheel pixels (browser deltas) per scroll unit; scrcpy 3.x takes -16..16 units per message. */
const WHEEL_PIXELS_PER_UNIT = 100;
const SCROLL_MAX = 16;

const NAV_KEY_CODES: Readonly<Record<number, number>> = {
  [NavKey.Home]: AndroidKeyCode.AndroidHome,
  [NavKey.Recents]: AndroidKeyCode.AndroidAppSwitch,
  [NavKey.Power]: AndroidKeyCode.Power,
  [NavKey.VolumeUp]: AndroidKeyCode.VolumeUp,
  [NavKey.VolumeDown]: AndroidKeyCode.VolumeDown,
  [NavKey.Menu]: AndroidKeyCode.ContextMenu,
};

/** Android MotionEvent button bits by MouseEvent.button. */
const MOTION_BUTTON: Readonly<Record<number, number>> = {
  [PointerButton.Primary]: AndroidMotionEventButton.Primary,
  [PointerButton.Secondary]: AndroidMotionEventButton.Secondary,
  [PointerButton.Middle]: AndroidMotionEventButton.Tertiary,
  [PointerButton.Back]: AndroidMotionEventButton.Back,
  [PointerButton.Forward]: AndroidMotionEventButton.Forward,
};

/**
 * Turns player input into scrcpy control messages for a phone: up to ten
 * touch points as separate pointers (multitouch), the mouse as scrcpy's mouse
 * pointer, physical keys as Android key codes, back/home/recents and the
 * hardware keys, committed text, and the player's clipboard. Positions are
 * mapped through the picture's letterbox and rotation onto the phone frame.
 */
export class AndroidControl {
  readonly #options: AndroidControlOptions;
  readonly #log: Logger;
  /** Touch ids (0..9) whose finger is down on the phone. */
  readonly #touches = new Set<number>();
  #mouseButtons = 0;

  constructor(options: AndroidControlOptions) {
    this.#options = options;
    this.#log = options.logger ?? createLogger('android.control');
  }

  /** The scrcpy messages for `events`, in order; events that mean nothing on a phone produce none. */
  toMessages(events: readonly InputEvent[]): Uint8Array[] {
    const messages: Uint8Array[] = [];
    for (const event of events) this.#convert(event, messages);
    return messages;
  }

  #convert(event: InputEvent, out: Uint8Array[]): void {
    const serializer = this.#options.serializer;
    switch (event.type) {
      case InputEventType.TouchDown:
      case InputEventType.TouchMove:
      case InputEventType.TouchUp: {
        const down = event.type === InputEventType.TouchDown;
        if (!down && !this.#touches.has(event.id)) return; // the finger went down on a bar
        const layout = this.#options.layout();
        const point = mapTouchToDevice(layout, event.x, event.y, !down);
        if (!point) return;
        if (down) this.#touches.add(event.id);
        if (event.type === InputEventType.TouchUp) this.#touches.delete(event.id);
        out.push(
          serializer.injectTouch({
            action: down
              ? AndroidMotionEventAction.Down
              : event.type === InputEventType.TouchUp
                ? AndroidMotionEventAction.Up
                : AndroidMotionEventAction.Move,
            pointerId: BigInt(event.id),
            pointerX: point.x,
            pointerY: point.y,
            videoWidth: layout.device.width,
            videoHeight: layout.device.height,
            pressure: event.type === InputEventType.TouchUp ? 0 : Math.max(1, event.pressure) / 255,
            actionButton: 0,
            buttons: 0,
          }),
        );
        return;
      }
      case InputEventType.TouchCancel: {
        if (!this.#touches.delete(event.id)) return;
        // A cancelled finger lifts where the phone last saw it: scrcpy keeps the position per pointer.
        const layout = this.#options.layout();
        out.push(
          serializer.injectTouch({
            action: AndroidMotionEventAction.Up,
            pointerId: BigInt(event.id),
            pointerX: 0,
            pointerY: 0,
            videoWidth: layout.device.width,
            videoHeight: layout.device.height,
            pressure: 0,
            actionButton: 0,
            buttons: 0,
          }),
        );
        return;
      }
      case InputEventType.PointerMove:
      case InputEventType.PointerDown:
      case InputEventType.PointerUp:
        this.#mouse(event, out);
        return;
      case InputEventType.PointerDelta:
        // A phone has no relative pointer (no pointer lock); absolute moves drive it.
        return;
      case InputEventType.Wheel: {
        const layout = this.#options.layout();
        const unit = (pixels: number) => Math.max(-SCROLL_MAX, Math.min(SCROLL_MAX, -pixels / WHEEL_PIXELS_PER_UNIT));
        const message = serializer.injectScroll({
          pointerX: Math.floor(layout.device.width / 2),
          pointerY: Math.floor(layout.device.height / 2),
          videoWidth: layout.device.width,
          videoHeight: layout.device.height,
          scrollX: unit(event.dx),
          scrollY: unit(event.dy),
          buttons: this.#mouseButtons,
        });
        if (message) out.push(message);
        return;
      }
      case InputEventType.KeyDown:
      case InputEventType.KeyUp: {
        const keyCode = ANDROID_KEY_CODE_BY_HID_USAGE.get(event.usage);
        if (keyCode === undefined) {
          this.#log.debug({ usage: event.usage }, 'no Android key for this HID usage');
          return;
        }
        out.push(
          serializer.injectKeyCode({
            action: event.type === InputEventType.KeyDown ? AndroidKeyEventAction.Down : AndroidKeyEventAction.Up,
            keyCode: keyCode as AndroidKeyCode,
            repeat: 0,
            metaState: androidMetaState(event.modifiers),
          }),
        );
        return;
      }
      case InputEventType.NavKey: {
        const action = event.down ? AndroidKeyEventAction.Down : AndroidKeyEventAction.Up;
        if (event.key === NavKey.Back) {
          // BACK_OR_SCREEN_ON: Back, or wake the screen if it is off.
          const message = serializer.backOrScreenOn(action);
          if (message) out.push(message);
          return;
        }
        const keyCode = NAV_KEY_CODES[event.key];
        if (keyCode !== undefined) {
          out.push(
            serializer.injectKeyCode({
              action,
              keyCode: keyCode as AndroidKeyCode,
              repeat: 0,
              metaState: AndroidKeyEventMeta.None,
            }),
          );
        }
        return;
      }
      case InputEventType.Text:
        for (const chunk of splitUtf8(event.text, SCRCPY_TEXT_MAX_BYTES)) out.push(serializer.injectText(chunk));
        return;
      case InputEventType.Clipboard: {
        // Sequence 0: no acknowledgement wanted; paste false: only set it, the player pastes.
        const message = serializer.setClipboard({ sequence: 0n, paste: false, content: event.text });
        out.push(Array.isArray(message) ? message[0] : message);
        return;
      }
      case InputEventType.Orientation:
        this.#options.onOrientation?.(event.orientation);
        return;
      case InputEventType.GamepadState:
      case InputEventType.GamepadConnect:
      case InputEventType.GamepadDisconnect:
        this.#log.debug('gamepads are not forwarded to phones');
        return;
      default:
        // Every event type has a case above: a new one fails to compile here instead of vanishing.
        event satisfies never;
    }
  }

  #mouse(
    event: Extract<
      InputEvent,
      { type: typeof InputEventType.PointerMove | typeof InputEventType.PointerDown | typeof InputEventType.PointerUp }
    >,
    out: Uint8Array[],
  ): void {
    const layout = this.#options.layout();
    const held = this.#mouseButtons !== 0;
    const point = mapTouchToDevice(layout, event.x, event.y, held);
    if (!point) return;
    let action: AndroidMotionEventAction;
    let actionButton = 0;
    if (event.type === InputEventType.PointerMove) {
      action = held ? AndroidMotionEventAction.Move : AndroidMotionEventAction.HoverMove;
    } else {
      actionButton = MOTION_BUTTON[event.button] ?? 0;
      if (event.type === InputEventType.PointerDown) {
        action = AndroidMotionEventAction.Down;
        this.#mouseButtons |= actionButton;
      } else {
        if ((this.#mouseButtons & actionButton) === 0) return;
        action = AndroidMotionEventAction.Up;
        this.#mouseButtons &= ~actionButton;
      }
    }
    out.push(
      this.#options.serializer.injectTouch({
        action,
        pointerId: ScrcpyPointerId.Mouse,
        pointerX: point.x,
        pointerY: point.y,
        videoWidth: layout.device.width,
        videoHeight: layout.device.height,
        pressure: this.#mouseButtons !== 0 ? 1 : 0,
        actionButton,
        buttons: this.#mouseButtons,
      }),
    );
  }
}

/** Splits text into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > maxBytes && piece) {
      pieces.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += character;
    bytes += size;
  }
  if (piece) pieces.push(piece);
  return pieces;
}
