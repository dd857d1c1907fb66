/** The text field the bridge listens on: an `<input>` or `<textarea>`, a fake in tests. */
export interface TextFieldLike extends EventTarget {
  value: string;
}

/** Where typed text goes: the session's InputController. */
export interface TextSink {
  sendText(text: string): void;
  tapKey(code: string): void;
}

/** Keys a text field would otherwise eat that the far end needs as keys. */
const EDITING_KEYS = new Set([
  'Backspace',
  'Delete',
  'Enter',
  'NumpadEnter',
  'Tab',
  'Escape',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
]);

/**
 * Turns a text field into the cloud phone's keyboard: what the player types
 * (soft keyboard, IME, paste, autocorrect) is sent as Text once committed and
 * the field is emptied again; editing keys (Backspace, Enter, arrows) go as
 * key taps. An IME composition is sent only when it is committed, never its
 * intermediate states.
 *
 * @example new TextInputBridge(document.querySelector('input')!, session.input)
 */
export class TextInputBridge {
  readonly #field: TextFieldLike;
  readonly #sink: TextSink;
  #composing = false;
  #closed = false;

  constructor(field: TextFieldLike, sink: TextSink) {
    this.#field = field;
    this.#sink = sink;
    field.addEventListener('keydown', this.#onKeyDown);
    field.addEventListener('beforeinput', this.#onBeforeInput);
    field.addEventListener('input', this.#onInput);
    field.addEventListener('compositionstart', this.#onCompositionStart);
    field.addEventListener('compositionend', this.#onCompositionEnd);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const field = this.#field;
    field.removeEventListener('keydown', this.#onKeyDown);
    field.removeEventListener('beforeinput', this.#onBeforeInput);
    field.removeEventListener('input', this.#onInput);
    field.removeEventListener('compositionstart', this.#onCompositionStart);
    field.removeEventListener('compositionend', this.#onCompositionEnd);
  }

  readonly #onKeyDown = (event: Event): void => {
    const key = event as KeyboardEvent;
    // 229 / 'Unidentified': the IME owns the key; its result arrives as input.
    if (this.#composing || key.isComposing || key.keyCode === 229) return;
    const code = EDITING_KEYS.has(key.code) ? key.code : EDITING_KEYS.has(key.key) ? key.key : undefined;
    if (!code) return;
    event.preventDefault();
    this.#sink.tapKey(code === 'NumpadEnter' ? 'Enter' : code);
  };

  readonly #onBeforeInput = (event: Event): void => {
    const input = event as InputEvent;
    if (this.#composing || input.isComposing) return;
    // Soft keyboards that send no usable keydown (Android) still say what the key did.
    const key =
      input.inputType === 'deleteContentBackward'
        ? 'Backspace'
        : input.inputType === 'deleteContentForward'
          ? 'Delete'
          : input.inputType === 'insertLineBreak' || input.inputType === 'insertParagraph'
            ? 'Enter'
            : undefined;
    if (!key) return;
    event.preventDefault();
    this.#sink.tapKey(key);
  };

  readonly #onInput = (event: Event): void => {
    if (this.#composing || (event as InputEvent).isComposing) return;
    this.#commit();
  };

  readonly #onCompositionStart = (): void => {
    this.#composing = true;
  };

  readonly #onCompositionEnd = (): void => {
    this.#composing = false;
    this.#commit();
  };

  /** Sends what the field holds and empties it, so the next edit starts from nothing. */
  #commit(): void {
    const text = this.#field.value;
    if (text === '') return;
    this.#field.value = '';
    this.#sink.sendText(text);
  }
}
