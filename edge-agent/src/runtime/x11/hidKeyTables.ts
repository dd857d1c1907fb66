/**
 * Tables that turn a USB HID keyboard usage (page 0x07, what the player's
 * `KeyboardEvent.code` travels as) into what an X server understands.
 *
 * `EVDEV_CODE_BY_HID_USAGE` is the Linux kernel's own translation (the
 * `hid_keyboard[]` table of drivers/hid/hid-input.c): a physical USB keyboard
 * on a Linux X server produces exactly these codes, and X servers using the
 * evdev keycode set (Xvfb and Xorg by default) add 8. Keys therefore arrive
 * by physical position, whatever layout the player's browser uses.
 *
 * `US_KEYSYM_BY_HID_USAGE` is the keysym each key carries first on a US
 * layout; it is the fallback for servers without evdev keycodes (the key is
 * then found in the server's keyboard mapping by its keysym), and it lets a
 * test check the evdev table against a live server's mapping.
 */
export const EVDEV_CODE_BY_HID_USAGE: ReadonlyMap<number, number> = new Map([
  // Letters a..z (HID 0x04..0x1d)
  ...pairs(
    0x04,
    [30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38, 50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44],
  ),
  // Digits 1..9, 0 (HID 0x1e..0x27)
  ...pairs(0x1e, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
  // Enter Esc Backspace Tab Space - = [ ] \ NonUS# ; ' ` , . / CapsLock (0x28..0x39)
  ...pairs(0x28, [28, 1, 14, 15, 57, 12, 13, 26, 27, 43, 43, 39, 40, 41, 51, 52, 53, 58]),
  // F1..F12 (0x3a..0x45)
  ...pairs(0x3a, [59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 87, 88]),
  // PrintScreen ScrollLock Pause Insert Home PageUp Delete End PageDown Right Left Down Up (0x46..0x52)
  ...pairs(0x46, [99, 70, 119, 110, 102, 104, 111, 107, 109, 106, 105, 108, 103]),
  // NumLock KP/ KP* KP- KP+ KPEnter KP1..KP9 KP0 KP. (0x53..0x63)
  ...pairs(0x53, [69, 98, 55, 74, 78, 96, 79, 80, 81, 75, 76, 77, 71, 72, 73, 82, 83]),
  // IntlBackslash (102nd key) ContextMenu Power KP= (0x64..0x67)
  ...pairs(0x64, [86, 127, 116, 117]),
  // F13..F24 (0x68..0x73)
  ...pairs(0x68, [183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194]),
  [0x75, 138], // Help
  // Again Undo Cut Copy Paste Find Mute VolumeUp VolumeDown (0x79..0x81)
  ...pairs(0x79, [129, 131, 137, 133, 135, 136, 113, 115, 114]),
  [0x85, 121], // NumpadComma
  // IntlRo KanaMode IntlYen Convert NonConvert (0x87..0x8b)
  ...pairs(0x87, [89, 93, 124, 92, 94]),
  [0x90, 122], // Lang1 (Hangeul)
  [0x91, 123], // Lang2 (Hanja)
  // Modifiers: ControlLeft ShiftLeft AltLeft MetaLeft ControlRight ShiftRight AltRight MetaRight (0xe0..0xe7)
  ...pairs(0xe0, [29, 42, 56, 125, 97, 54, 100, 126]),
]);

/** X keycodes of the evdev keycode set are the kernel code plus 8. */
export const EVDEV_X_KEYCODE_OFFSET = 8;

export const US_KEYSYM_BY_HID_USAGE: ReadonlyMap<number, number> = new Map([
  // a..z
  ...pairs(
    0x04,
    Array.from({ length: 26 }, (_, i) => 0x61 + i),
  ),
  // 1..9, 0
  ...pairs(0x1e, [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x30]),
  // Return Escape BackSpace Tab space minus equal bracketleft bracketright backslash
  ...pairs(0x28, [0xff0d, 0xff1b, 0xff08, 0xff09, 0x20, 0x2d, 0x3d, 0x5b, 0x5d, 0x5c]),
  // (0x32 NonUS# has no US symbol of its own) semicolon apostrophe grave comma period slash Caps_Lock
  ...pairs(0x33, [0x3b, 0x27, 0x60, 0x2c, 0x2e, 0x2f, 0xffe5]),
  // F1..F12
  ...pairs(
    0x3a,
    Array.from({ length: 12 }, (_, i) => 0xffbe + i),
  ),
  // Print Scroll_Lock Pause Insert Home Prior Delete End Next Right Left Down Up
  ...pairs(
    0x46,
    [0xff61, 0xff14, 0xff13, 0xff63, 0xff50, 0xff55, 0xffff, 0xff57, 0xff56, 0xff53, 0xff51, 0xff54, 0xff52],
  ),
  // Num_Lock KP_Divide KP_Multiply KP_Subtract KP_Add KP_Enter KP_1..KP_9 KP_0 KP_Decimal
  ...pairs(
    0x53,
    [
      0xff7f, 0xffaf, 0xffaa, 0xffad, 0xffab, 0xff8d, 0xffb1, 0xffb2, 0xffb3, 0xffb4, 0xffb5, 0xffb6, 0xffb7, 0xffb8,
      0xffb9, 0xffb0, 0xffae,
    ],
  ),
  // less (102nd key) Menu XF86PowerOff KP_Equal
  ...pairs(0x64, [0x3c, 0xff67, 0x1008ff2a, 0xffbd]),
  // (F13..F24 and NumpadComma carry XF86 or layout-specific symbols: no US keysym to look them up by.)
  [0x75, 0xff6a], // Help
  // Redo Undo XF86Cut XF86Copy XF86Paste Find XF86AudioMute XF86AudioRaiseVolume XF86AudioLowerVolume
  ...pairs(0x79, [0xff66, 0xff65, 0x1008ff58, 0x1008ff57, 0x1008ff6d, 0xff68, 0x1008ff12, 0x1008ff13, 0x1008ff11]),
  // Control_L Shift_L Alt_L Super_L Control_R Shift_R (AltRight is ISO_Level3_Shift on many layouts) Super_R
  ...pairs(0xe0, [0xffe3, 0xffe1, 0xffe9, 0xffeb, 0xffe4, 0xffe2]),
  [0xe7, 0xffec],
]);

function pairs(first: number, values: readonly number[]): [number, number][] {
  return values.map((value, i) => [first + i, value]);
}
