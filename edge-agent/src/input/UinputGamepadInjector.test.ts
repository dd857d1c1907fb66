import { accessSync, constants, readFileSync } from 'node:fs';
import { GamepadButton, InputEventType } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../testing/processes.js';
import { findExecutable } from '../runtime/spawnTied.js';
import { UinputGamepadInjector } from './UinputGamepadInjector.js';

const hasPython = findExecutable('python3') !== undefined;
if (!hasPython) console.warn('[skip] uinput gamepad translation tests: python3 is not installed');
const uinputSkip = (() => {
  try {
    accessSync('/dev/uinput', constants.W_OK);
    return undefined;
  } catch (error) {
    return `/dev/uinput is not usable here (${(error as NodeJS.ErrnoException).code}): no uinput module in this container`;
  }
})();
if (uinputSkip) console.warn(`[skip] uinput gamepad live test: ${uinputSkip}`);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// linux/input-event-codes.h
const EV_KEY = 1;
const EV_ABS = 3;
const BTN_SOUTH = 0x130;
const ABS_X = 0;
const ABS_Y = 1;
const ABS_Z = 2;
const ABS_HAT0Y = 0x11;

interface DryRunLine {
  pad: number;
  events?: [type: number, code: number, value: number][];
  connected?: boolean;
}

describe('UinputGamepadInjector', () => {
  it('fails with FW_ERR_INPUT_UNSUPPORTED, naming the device, where there is no uinput', async () => {
    await expect(UinputGamepadInjector.open({ devicePath: '/nonexistent/uinput' })).rejects.toMatchObject({
      code: 'FW_ERR_INPUT_UNSUPPORTED',
      message: expect.stringContaining('/nonexistent/uinput does not exist'),
    });
    await expect(UinputGamepadInjector.open({ python: '/nonexistent/python3', dryRun: true })).rejects.toMatchObject({
      code: 'FW_ERR_INPUT_UNSUPPORTED',
    });
  });

  it.skipIf(!hasPython)('turns XInput pad states into Xbox 360 evdev events, only what changed', async () => {
    const pads = await UinputGamepadInjector.open({ dryRun: true });
    cleanups.push(() => pads.close());
    const lines = () =>
      pads.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as DryRunLine);
    pads.apply({ type: InputEventType.GamepadConnect, pad: 1 });
    pads.apply({
      type: InputEventType.GamepadState,
      pad: 1,
      buttons: GamepadButton.A | GamepadButton.DpadUp,
      leftTrigger: 255,
      rightTrigger: 0,
      lx: -32768,
      ly: 32767, // XInput: stick pushed up
      rx: 0,
      ry: 0,
    });
    pads.apply({
      type: InputEventType.GamepadState,
      pad: 1,
      buttons: GamepadButton.DpadUp,
      leftTrigger: 255,
      rightTrigger: 0,
      lx: -32768,
      ly: 32767,
      rx: 0,
      ry: 0,
    });
    pads.apply({ type: InputEventType.GamepadDisconnect, pad: 1 });
    await eventually(() => lines().some((line) => line.connected === false), 5_000, 'disconnect');
    const [connected, first, second, gone] = lines();
    expect(connected).toEqual({ pad: 1, connected: true });
    const value = (line: DryRunLine | undefined, type: number, code: number) =>
      line?.events?.find(([t, c]) => t === type && c === code)?.[2];
    expect(value(first, EV_KEY, BTN_SOUTH)).toBe(1);
    expect(value(first, EV_ABS, ABS_HAT0Y)).toBe(-1); // d-pad up
    expect(value(first, EV_ABS, ABS_X)).toBe(-32768);
    expect(value(first, EV_ABS, ABS_Y)).toBe(-32767); // evdev y grows downwards
    expect(value(first, EV_ABS, ABS_Z)).toBe(255);
    // Only A changed in the second state.
    expect(second?.events).toEqual([[EV_KEY, BTN_SOUTH, 0]]);
    expect(gone).toEqual({ pad: 1, connected: false });
  });

  it.skipIf(uinputSkip !== undefined || !hasPython)(
    'creates a pad the kernel lists, and removes it on close',
    async () => {
      const pads = await UinputGamepadInjector.open();
      pads.apply({ type: InputEventType.GamepadConnect, pad: 0 });
      await eventually(() => readFileSync('/proc/bus/input/devices', 'utf8').includes('Frameway Pad 1'), 3_000, 'pad');
      await pads.close();
      expect(readFileSync('/proc/bus/input/devices', 'utf8')).not.toContain('Frameway Pad 1');
    },
  );
});
