import { CodeByHidUsage, Modifier } from '@frameway/protocol';
import { AndroidKeyCode, AndroidKeyEventMeta } from '@yume-chan/scrcpy';

/** `KeyboardEvent.code` names whose Android key code goes by another name. */
const ALIASES: Readonly<Record<string, number>> = {
  IntlBackslash: AndroidKeyCode.Backslash,
  IntlHash: AndroidKeyCode.Backslash,
  AltLeft: AndroidKeyCode.AltLeft,
  Cut: AndroidKeyCode.AndroidCut,
  Copy: AndroidKeyCode.AndroidCopy,
  Paste: AndroidKeyCode.AndroidPaste,
  AudioVolumeMute: AndroidKeyCode.VolumeMute,
  AudioVolumeUp: AndroidKeyCode.VolumeUp,
  AudioVolumeDown: AndroidKeyCode.VolumeDown,
  NumpadEqual: AndroidKeyCode.NumpadEquals,
  // android.view.KeyEvent: KEYCODE_RO, KATAKANA_HIRAGANA, YEN, HENKAN, MUHENKAN, HELP
  IntlRo: 217,
  KanaMode: 215,
  IntlYen: 216,
  Convert: 214,
  NonConvert: 213,
  Help: 259,
};

/**
 * Android key code of a physical key (USB HID usage, page 0x07), by its
 * `KeyboardEvent.code` name: Android names its codes after the same physical
 * keys, so `KeyA` is KEYCODE_A whatever the player's layout.
 */
export const ANDROID_KEY_CODE_BY_HID_USAGE: ReadonlyMap<number, number> = new Map(
  [...CodeByHidUsage].flatMap(([usage, code]) => {
    const keyCode = (AndroidKeyCode as Record<string, number>)[code] ?? ALIASES[code];
    return keyCode === undefined ? [] : [[usage, keyCode] as [number, number]];
  }),
);

/** Android `KeyEvent` meta state for the protocol's modifier bits. */
export function androidMetaState(modifiers: number): AndroidKeyEventMeta {
  let meta: number = AndroidKeyEventMeta.None;
  if (modifiers & Modifier.Shift) meta |= AndroidKeyEventMeta.Shift | AndroidKeyEventMeta.ShiftLeft;
  if (modifiers & Modifier.Control) meta |= AndroidKeyEventMeta.Ctrl | AndroidKeyEventMeta.CtrlLeft;
  if (modifiers & Modifier.Alt) meta |= AndroidKeyEventMeta.Alt | AndroidKeyEventMeta.AltLeft;
  if (modifiers & Modifier.Meta) meta |= AndroidKeyEventMeta.Meta | AndroidKeyEventMeta.MetaLeft;
  if (modifiers & Modifier.CapsLock) meta |= AndroidKeyEventMeta.CapsLock;
  return meta as AndroidKeyEventMeta;
}
