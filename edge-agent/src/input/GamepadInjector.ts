import type { InputEvent, InputEventType } from '@frameway/protocol';

/** The input events a gamepad injector takes. */
export type GamepadEvent = Extract<
  InputEvent,
  {
    type:
      | typeof InputEventType.GamepadState
      | typeof InputEventType.GamepadConnect
      | typeof InputEventType.GamepadDisconnect;
  }
>;

/**
 * Turns the player's gamepads (XInput layout, up to 4) into devices the
 * session's game can read. One per session; `close()` removes the devices.
 */
export interface GamepadInjector {
  /** Applies one gamepad event; never throws on the hot path (a lost device is logged). */
  apply(event: GamepadEvent): void;
  close(): Promise<void>;
}

/** Opens the session's gamepad injector; rejects with FW_ERR_INPUT_UNSUPPORTED where the node cannot inject pads. */
export type OpenGamepadInjector = () => Promise<GamepadInjector>;
