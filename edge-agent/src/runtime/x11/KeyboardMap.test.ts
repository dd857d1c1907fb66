import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeByHidUsage, HidUsageByCode } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../spawnTied.js';
import { EVDEV_CODE_BY_HID_USAGE, EVDEV_X_KEYCODE_OFFSET, US_KEYSYM_BY_HID_USAGE } from './hidKeyTables.js';
import { KeyboardMap, keysymForCodePoint } from './KeyboardMap.js';
import { X11Connection } from './X11Connection.js';
import { XvfbServer } from './XvfbServer.js';

const hasXvfb = findExecutable('Xvfb') !== undefined;
if (!hasXvfb) console.warn('[skip] keyboard map test against a live X server: Xvfb is not installed');

/** A mapping where keycode 8 + n carries `keysyms[n]`. */
const mapOf = (keysyms: number[][]) => new KeyboardMap(8, keysyms);

describe('KeyboardMap', () => {
  it('recognises the evdev keycode set by keys every layout puts in the same place', () => {
    const rows: number[][] = Array.from({ length: 248 }, () => []);
    rows[9 - 8] = [0xff1b]; // Escape on evdev code 1
    rows[36 - 8] = [0xff0d]; // Return on 28
    rows[50 - 8] = [0xffe1]; // Shift_L on 42
    const evdev = mapOf(rows);
    expect(evdev.evdev).toBe(true);
    // A French layout's A key still is the physical KeyA: keycode 38 whatever it types.
    expect(evdev.keycodeForUsage(HidUsageByCode.KeyA as number)).toBe(38);
    expect(mapOf([[0xff1b]]).evdev).toBe(false);
  });

  it('falls back to the US keysym of the position on servers with other keycodes', () => {
    const legacy = mapOf([[0xff52], [0x61, 0x41]]); // keycode 8 = Up, 9 = a/A
    expect(legacy.evdev).toBe(false);
    expect(legacy.keycodeForUsage(HidUsageByCode.ArrowUp as number)).toBe(8);
    expect(legacy.keycodeForUsage(HidUsageByCode.KeyA as number)).toBe(9);
    expect(legacy.locate(0x41)).toEqual({ keycode: 9, shift: true });
    expect(legacy.keycodeForUsage(HidUsageByCode.F24 as number)).toBeUndefined();
  });

  it('lists keycodes without symbols, highest first, for typing characters the layout lacks', () => {
    expect(mapOf([[0x61], [], [0x62], []]).spareKeycodes()).toEqual([11, 9]);
  });

  it('types code points by X11 keysym rules: Latin-1 directly, the rest as 0x01000000 + code point', () => {
    expect(keysymForCodePoint(0x61)).toBe(0x61);
    expect(keysymForCodePoint(0xe9)).toBe(0xe9);
    expect(keysymForCodePoint(0x20ac)).toBe(0x10020ac);
    expect(keysymForCodePoint(0x0a)).toBe(0xff0d);
  });

  it('has an evdev code for every key the protocol carries', () => {
    const missing = [...CodeByHidUsage.entries()].filter(([usage]) => !EVDEV_CODE_BY_HID_USAGE.has(usage));
    // F13–F24 and the Japanese/Korean keys are in; nothing the protocol lists is left out.
    expect(missing.map(([, code]) => code)).toEqual([]);
  });

  it.skipIf(!hasXvfb)('agrees with a live Xvfb: each HID usage lands on the key carrying its US symbol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-keymap-'));
    const xvfb = await XvfbServer.start({ dir, width: 320, height: 240 });
    try {
      const connection = await X11Connection.connect({ display: xvfb.display, auth: xvfb.auth });
      const keyboard = await connection.keyboardMap();
      connection.close();
      expect(keyboard.evdev).toBe(true);
      const mismatches: string[] = [];
      for (const [usage, keysym] of US_KEYSYM_BY_HID_USAGE) {
        const keycode = (EVDEV_CODE_BY_HID_USAGE.get(usage) as number) + EVDEV_X_KEYCODE_OFFSET;
        if (!keyboard.keysymsOf(keycode).includes(keysym)) {
          mismatches.push(`${CodeByHidUsage.get(usage)}: keycode ${keycode} has ${keyboard.keysymsOf(keycode)}`);
        }
      }
      expect(mismatches).toEqual([]);
    } finally {
      await xvfb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
