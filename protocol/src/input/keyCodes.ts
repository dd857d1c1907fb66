/**
 * Physical key codes: the W3C UI Events `KeyboardEvent.code` value mapped to its
 * USB HID usage (Keyboard/Keypad page 0x07). Keys travel by physical position,
 * so a French or German layout in the browser does not remap a game's WASD.
 */
export const HidUsageByCode: Readonly<Record<string, number>> = Object.freeze({
  ...range('Key', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''), 0x04),
  ...range('Digit', '1234567890'.split(''), 0x1e),
  Enter: 0x28,
  Escape: 0x29,
  Backspace: 0x2a,
  Tab: 0x2b,
  Space: 0x2c,
  Minus: 0x2d,
  Equal: 0x2e,
  BracketLeft: 0x2f,
  BracketRight: 0x30,
  Backslash: 0x31,
  IntlHash: 0x32,
  Semicolon: 0x33,
  Quote: 0x34,
  Backquote: 0x35,
  Comma: 0x36,
  Period: 0x37,
  Slash: 0x38,
  CapsLock: 0x39,
  ...range('F', ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'], 0x3a),
  PrintScreen: 0x46,
  ScrollLock: 0x47,
  Pause: 0x48,
  Insert: 0x49,
  Home: 0x4a,
  PageUp: 0x4b,
  Delete: 0x4c,
  End: 0x4d,
  PageDown: 0x4e,
  ArrowRight: 0x4f,
  ArrowLeft: 0x50,
  ArrowDown: 0x51,
  ArrowUp: 0x52,
  NumLock: 0x53,
  NumpadDivide: 0x54,
  NumpadMultiply: 0x55,
  NumpadSubtract: 0x56,
  NumpadAdd: 0x57,
  NumpadEnter: 0x58,
  ...range('Numpad', '123456789'.split(''), 0x59),
  Numpad0: 0x62,
  NumpadDecimal: 0x63,
  IntlBackslash: 0x64,
  ContextMenu: 0x65,
  Power: 0x66,
  NumpadEqual: 0x67,
  ...range('F', ['13', '14', '15', '16', '17', '18', '19', '20', '21', '22', '23', '24'], 0x68),
  Help: 0x75,
  Again: 0x79,
  Undo: 0x7a,
  Cut: 0x7b,
  Copy: 0x7c,
  Paste: 0x7d,
  Find: 0x7e,
  AudioVolumeMute: 0x7f,
  AudioVolumeUp: 0x80,
  AudioVolumeDown: 0x81,
  NumpadComma: 0x85,
  IntlRo: 0x87,
  KanaMode: 0x88,
  IntlYen: 0x89,
  Convert: 0x8a,
  NonConvert: 0x8b,
  Lang1: 0x90,
  Lang2: 0x91,
  ControlLeft: 0xe0,
  ShiftLeft: 0xe1,
  AltLeft: 0xe2,
  MetaLeft: 0xe3,
  ControlRight: 0xe4,
  ShiftRight: 0xe5,
  AltRight: 0xe6,
  MetaRight: 0xe7,
});

export const CodeByHidUsage: ReadonlyMap<number, string> = new Map(
  Object.entries(HidUsageByCode).map(([code, usage]) => [usage, code]),
);

/** HID usage for a `KeyboardEvent.code`, or undefined for keys we do not carry. */
export function hidUsageFromCode(code: string): number | undefined {
  return Object.hasOwn(HidUsageByCode, code) ? HidUsageByCode[code] : undefined;
}

function range(prefix: string, names: string[], first: number): Record<string, number> {
  return Object.fromEntries(names.map((name, i) => [`${prefix}${name}`, first + i]));
}
