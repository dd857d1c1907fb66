import { PointerButton } from '@frameway/protocol';

/**
 * `MouseEvent.buttons` bit for each protocol button. The bitmask order differs
 * from `MouseEvent.button` numbering: bit 1 is the secondary button, bit 2 the middle.
 */
const BUTTON_BITS: readonly (readonly [button: number, bit: number])[] = [
  [PointerButton.Primary, 1],
  [PointerButton.Secondary, 2],
  [PointerButton.Middle, 4],
  [PointerButton.Back, 8],
  [PointerButton.Forward, 16],
];

/** The bit of a `MouseEvent.button` value in a `buttons` mask, 0 for buttons the protocol does not carry. */
export function buttonBit(button: number): number {
  return BUTTON_BITS.find(([b]) => b === button)?.[1] ?? 0;
}

/** Which buttons went down and which came up between two `buttons` masks, in protocol numbering. */
export function pointerButtons(previousMask: number, nextMask: number): { down: number[]; up: number[] } {
  const down: number[] = [];
  const up: number[] = [];
  for (const [button, bit] of BUTTON_BITS) {
    const was = (previousMask & bit) !== 0;
    const is = (nextMask & bit) !== 0;
    if (is && !was) down.push(button);
    else if (was && !is) up.push(button);
  }
  return { down, up };
}

/** Every protocol button in a `buttons` mask. */
export function buttonsInMask(mask: number): number[] {
  return pointerButtons(0, mask).down;
}
