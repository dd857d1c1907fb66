import { PointerButton } from '@frameway/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buttonBit, buttonsInMask, pointerButtons } from './pointerButtons.js';

describe('pointerButtons', () => {
  it('maps the buttons bitmask, whose middle and secondary bits are swapped, to button numbers', () => {
    expect(buttonsInMask(1)).toEqual([PointerButton.Primary]);
    expect(buttonsInMask(2)).toEqual([PointerButton.Secondary]);
    expect(buttonsInMask(4)).toEqual([PointerButton.Middle]);
    expect(buttonsInMask(8 | 16)).toEqual([PointerButton.Back, PointerButton.Forward]);
    expect(buttonBit(PointerButton.Middle)).toBe(4);
    expect(buttonBit(7)).toBe(0);
  });

  it('reports which buttons went down and up between two masks', () => {
    expect(pointerButtons(1, 3)).toEqual({ down: [PointerButton.Secondary], up: [] });
    expect(pointerButtons(3, 4)).toEqual({
      down: [PointerButton.Middle],
      up: [PointerButton.Primary, PointerButton.Secondary],
    });
    expect(pointerButtons(5, 5)).toEqual({ down: [], up: [] });
  });

  it('applying the reported edges to the old mask gives the new one (for carried buttons)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 31 }), (before, after) => {
        const { down, up } = pointerButtons(before, after);
        let mask = before;
        for (const button of down) mask |= buttonBit(button);
        for (const button of up) mask &= ~buttonBit(button);
        expect(mask).toBe(after);
      }),
    );
  });
});
