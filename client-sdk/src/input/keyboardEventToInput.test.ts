import { HidUsageByCode, InputEventType, Modifier } from '@frameway/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isEditableTarget,
  type KeyboardEventLike,
  keyboardEventToInput,
  modifierBits,
} from './keyboardEventToInput.js';

const key = (type: string, code: string, mods: Partial<KeyboardEventLike> = {}): KeyboardEventLike => ({
  type,
  code,
  shiftKey: false,
  ctrlKey: false,
  altKey: false,
  metaKey: false,
  ...mods,
});

describe('keyboardEventToInput', () => {
  it('maps keydown and keyup of a physical key to its HID usage', () => {
    expect(keyboardEventToInput(key('keydown', 'KeyW'))).toEqual({
      type: InputEventType.KeyDown,
      usage: 0x1a,
      modifiers: 0,
    });
    expect(keyboardEventToInput(key('keyup', 'Space'))).toEqual({
      type: InputEventType.KeyUp,
      usage: 0x2c,
      modifiers: 0,
    });
  });

  it('carries every key of the protocol table', () => {
    for (const [code, usage] of Object.entries(HidUsageByCode)) {
      expect(keyboardEventToInput(key('keydown', code))).toMatchObject({ usage });
    }
  });

  it('ignores keys the protocol does not carry and events that are not key edges', () => {
    expect(keyboardEventToInput(key('keydown', 'BrowserBack'))).toBeUndefined();
    expect(keyboardEventToInput(key('keydown', ''))).toBeUndefined();
    expect(keyboardEventToInput(key('keydown', 'toString'))).toBeUndefined();
    expect(keyboardEventToInput(key('keypress', 'KeyA'))).toBeUndefined();
  });

  it('sets one modifier bit per held modifier, caps lock included', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (shift, ctrl, alt, meta, caps) => {
          const bits = modifierBits({
            shiftKey: shift,
            ctrlKey: ctrl,
            altKey: alt,
            metaKey: meta,
            getModifierState: (name) => name === 'CapsLock' && caps,
          });
          expect(bits).toBe(
            (shift ? Modifier.Shift : 0) |
              (ctrl ? Modifier.Control : 0) |
              (alt ? Modifier.Alt : 0) |
              (meta ? Modifier.Meta : 0) |
              (caps ? Modifier.CapsLock : 0),
          );
        },
      ),
    );
  });

  it('puts the modifier bits on the key event', () => {
    const event = keyboardEventToInput(key('keydown', 'KeyS', { ctrlKey: true, shiftKey: true }));
    expect(event?.modifiers).toBe(Modifier.Control | Modifier.Shift);
  });
});

describe('isEditableTarget', () => {
  it('treats text fields and contenteditable as editable', () => {
    expect(isEditableTarget({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isEditableTarget({ tagName: 'INPUT' })).toBe(true);
    expect(isEditableTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isEditableTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });

  it('treats buttons, checkboxes, the video and the window as not editable', () => {
    expect(isEditableTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isEditableTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isEditableTarget({ tagName: 'VIDEO', isContentEditable: false })).toBe(false);
    expect(isEditableTarget(null)).toBe(false);
    expect(isEditableTarget(undefined)).toBe(false);
  });
});
