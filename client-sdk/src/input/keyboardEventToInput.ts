import { hidUsageFromCode, type InputEvent, InputEventType, Modifier } from '@frameway/protocol';

/** The fields of a `KeyboardEvent` the SDK reads; a plain object in tests. */
export interface KeyboardEventLike {
  type: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
  getModifierState?(key: string): boolean;
}

/** A KeyDown or KeyUp input event. */
export type KeyInputEvent = Extract<InputEvent, { usage: number }>;

/** The protocol modifier bits of a keyboard or pointer event. */
export function modifierBits(event: Omit<KeyboardEventLike, 'type' | 'code'>): number {
  return (
    (event.shiftKey ? Modifier.Shift : 0) |
    (event.ctrlKey ? Modifier.Control : 0) |
    (event.altKey ? Modifier.Alt : 0) |
    (event.metaKey ? Modifier.Meta : 0) |
    (event.getModifierState?.('CapsLock') ? Modifier.CapsLock : 0)
  );
}

/**
 * The KeyDown/KeyUp event for a browser `keydown`/`keyup`, keyed by physical
 * code. Undefined for keys the protocol does not carry and for other event types.
 */
export function keyboardEventToInput(event: KeyboardEventLike): KeyInputEvent | undefined {
  const type =
    event.type === 'keydown' ? InputEventType.KeyDown : event.type === 'keyup' ? InputEventType.KeyUp : undefined;
  if (type === undefined) return undefined;
  const usage = hidUsageFromCode(event.code);
  if (usage === undefined) return undefined;
  return { type, usage, modifiers: modifierBits(event) };
}

/** True when the event target takes text (inputs, text areas, contenteditable): those keys stay in the page. */
export function isEditableTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const element = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown };
  if (element.isContentEditable === true) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  if (element.tagName !== 'INPUT') return false;
  // Buttons, checkboxes and the like do not take typing; let the game have the keys.
  return !NON_TEXT_INPUT_TYPES.has(String(element.type ?? 'text').toLowerCase());
}

const NON_TEXT_INPUT_TYPES = new Set(['button', 'checkbox', 'radio', 'range', 'reset', 'submit', 'image', 'color']);
