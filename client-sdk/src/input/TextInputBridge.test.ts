import { describe, expect, it } from 'vitest';
import { TextInputBridge } from './TextInputBridge.js';

class FakeField extends EventTarget {
  value = '';
}

function setup() {
  const field = new FakeField();
  const sent: string[] = [];
  const bridge = new TextInputBridge(field, {
    sendText: (text) => sent.push(`text:${text}`),
    tapKey: (code) => sent.push(`key:${code}`),
  });
  const fire = (type: string, init: Record<string, unknown> = {}) => {
    const event = Object.assign(new Event(type, { cancelable: true }), { isComposing: false, ...init });
    field.dispatchEvent(event);
    return event;
  };
  /** What a browser does for one typed chunk: the field changes, then `input` fires. */
  const type = (text: string, init: Record<string, unknown> = {}) => {
    field.value += text;
    return fire('input', { inputType: 'insertText', data: text, ...init });
  };
  return { field, sent, bridge, fire, type };
}

describe('TextInputBridge', () => {
  it('sends typed text and empties the field after each commit', () => {
    const { sent, field, type } = setup();
    type('h');
    type('é');
    expect(sent).toEqual(['text:h', 'text:é']);
    expect(field.value).toBe('');
  });

  it('sends an IME composition once, when it is committed', () => {
    const { sent, field, fire, type } = setup();
    fire('compositionstart');
    type('にほ', { isComposing: true, inputType: 'insertCompositionText' });
    field.value = '日本';
    fire('input', { isComposing: true, inputType: 'insertCompositionText' });
    expect(sent).toEqual([]);
    fire('compositionend', { data: '日本' });
    // Safari fires one more input after compositionend; the field is already empty.
    fire('input', { inputType: 'insertText' });
    expect(sent).toEqual(['text:日本']);
  });

  it('turns editing keys into key taps and keeps them out of the field', () => {
    const { sent, fire } = setup();
    const backspace = fire('keydown', { key: 'Backspace', code: 'Backspace' });
    fire('keydown', { key: 'Enter', code: 'NumpadEnter' });
    fire('keydown', { key: 'a', code: 'KeyA' });
    expect(backspace.defaultPrevented).toBe(true);
    expect(sent).toEqual(['key:Backspace', 'key:Enter']);
  });

  it('reads Backspace and Enter from beforeinput where the soft keyboard sends no usable key', () => {
    const { sent, fire } = setup();
    fire('keydown', { key: 'Unidentified', code: '', keyCode: 229 });
    const deletion = fire('beforeinput', { inputType: 'deleteContentBackward' });
    fire('beforeinput', { inputType: 'insertLineBreak' });
    fire('beforeinput', { inputType: 'deleteContentForward' });
    fire('beforeinput', { inputType: 'insertText', data: 'x' });
    expect(deletion.defaultPrevented).toBe(true);
    expect(sent).toEqual(['key:Backspace', 'key:Enter', 'key:Delete']);
  });

  it('lets keys inside a composition belong to the IME, and stops on close', () => {
    const { sent, fire, bridge, type } = setup();
    fire('compositionstart');
    fire('keydown', { key: 'Backspace', code: 'Backspace', isComposing: true });
    fire('beforeinput', { inputType: 'deleteContentBackward', isComposing: true });
    fire('compositionend');
    bridge.close();
    bridge.close();
    type('late');
    expect(sent).toEqual([]);
  });
});
