import { EVDEV_CODE_BY_HID_USAGE, EVDEV_X_KEYCODE_OFFSET, US_KEYSYM_BY_HID_USAGE } from './hidKeyTables.js';

/** Keysyms of the keys that identify the evdev keycode set whatever the layout. */
const XK_ESCAPE = 0xff1b;
const XK_RETURN = 0xff0d;
const XK_SHIFT_L = 0xffe1;

/** Where a keysym sits in the mapping: its keycode and whether Shift selects it. */
export interface KeysymLocation {
  keycode: number;
  shift: boolean;
}

/**
 * A snapshot of an X server's keyboard mapping (GetKeyboardMapping) and the
 * lookups the input injector needs: the keycode of a physical key (HID usage),
 * the keycode of a keysym (to type text), and keycodes with no symbol that
 * can be borrowed to type characters the layout lacks.
 */
export class KeyboardMap {
  readonly minKeycode: number;
  readonly maxKeycode: number;
  /** True when the server uses the evdev keycode set (kernel code + 8): keys map by physical position. */
  readonly evdev: boolean;
  readonly #rows: readonly (readonly number[])[];
  readonly #byKeysym = new Map<number, KeysymLocation>();

  /** @param rows GetKeyboardMapping's answer for keycodes minKeycode..maxKeycode. */
  constructor(minKeycode: number, rows: readonly (readonly number[])[]) {
    this.minKeycode = minKeycode;
    this.maxKeycode = minKeycode + rows.length - 1;
    this.#rows = rows;
    // Index levels 0 and 1 of group 1 first (what a plain or shifted press
    // types), then every other column, so the simplest way to type wins.
    const columns = Math.max(0, ...rows.map((row) => row.length));
    const order = [0, 1, ...Array.from({ length: Math.max(0, columns - 2) }, (_, i) => i + 2)];
    for (const column of order) {
      rows.forEach((row, index) => {
        const keysym = row[column] ?? 0;
        if (keysym !== 0 && !this.#byKeysym.has(keysym)) {
          this.#byKeysym.set(keysym, { keycode: minKeycode + index, shift: column === 1 });
        }
      });
    }
    const sym = (usage: number): number | undefined =>
      this.keysymsOf((EVDEV_CODE_BY_HID_USAGE.get(usage) as number) + EVDEV_X_KEYCODE_OFFSET)[0];
    // Escape, Return and Shift sit on the same physical keys in every layout.
    this.evdev = sym(0x29) === XK_ESCAPE && sym(0x28) === XK_RETURN && sym(0xe1) === XK_SHIFT_L;
  }

  /** The keysyms of one keycode (empty when it has none or is out of range). */
  keysymsOf(keycode: number): readonly number[] {
    if (keycode < this.minKeycode || keycode > this.maxKeycode) return [];
    return (this.#rows[keycode - this.minKeycode] ?? []).filter((keysym) => keysym !== 0);
  }

  /**
   * The keycode of the physical key with this HID usage: the evdev code + 8 on
   * an evdev server (layout-independent), else the key that carries the US
   * keysym of that position. Undefined for keys the server cannot express.
   */
  keycodeForUsage(usage: number): number | undefined {
    if (this.evdev) {
      const code = EVDEV_CODE_BY_HID_USAGE.get(usage);
      if (code === undefined) return undefined;
      const keycode = code + EVDEV_X_KEYCODE_OFFSET;
      return keycode <= this.maxKeycode ? keycode : undefined;
    }
    const keysym = US_KEYSYM_BY_HID_USAGE.get(usage);
    return keysym === undefined ? undefined : this.#byKeysym.get(keysym)?.keycode;
  }

  /** Where `keysym` can be typed from, if the current layout has it. */
  locate(keysym: number): KeysymLocation | undefined {
    return this.#byKeysym.get(keysym);
  }

  /** The keycode of a Shift key, to type upper-level symbols. */
  get shiftKeycode(): number | undefined {
    return this.#byKeysym.get(XK_SHIFT_L)?.keycode;
  }

  /** Keycodes with no symbol at all, highest first: safe to borrow for typing. */
  spareKeycodes(): number[] {
    const spare: number[] = [];
    for (let keycode = this.maxKeycode; keycode >= this.minKeycode; keycode--) {
      if (this.keysymsOf(keycode).length === 0) spare.push(keycode);
    }
    return spare;
  }
}

/** The keysym that types one Unicode code point (X11 keysym encoding: Latin-1 direct, else 0x01000000 + cp). */
export function keysymForCodePoint(codePoint: number): number {
  if (codePoint === 0x0a || codePoint === 0x0d) return XK_RETURN;
  if (codePoint === 0x09) return 0xff09;
  if ((codePoint >= 0x20 && codePoint <= 0x7e) || (codePoint >= 0xa0 && codePoint <= 0xff)) return codePoint;
  return 0x0100_0000 + codePoint;
}
