import type { GamepadLike } from '../input/mapStandardGamepad.js';

/** A gamepad in the W3C standard layout with the given buttons pressed, analog values and axes. */
export function standardPad(
  overrides: Partial<{
    pressed: number[];
    values: Record<number, number>;
    axes: number[];
    index: number;
    id: string;
  }> = {},
): GamepadLike {
  const buttons = Array.from({ length: 17 }, (_, index) => {
    const value = overrides.values?.[index] ?? (overrides.pressed?.includes(index) ? 1 : 0);
    return { pressed: value > 0.5 || (overrides.pressed?.includes(index) ?? false), value };
  });
  return {
    index: overrides.index ?? 0,
    id: overrides.id ?? 'Xbox 360 Controller (STANDARD GAMEPAD)',
    connected: true,
    mapping: 'standard',
    buttons,
    axes: overrides.axes ?? [0, 0, 0, 0],
  };
}
