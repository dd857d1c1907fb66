import { FramewayError, type InputEvent, InputEventType } from '@frameway/protocol';
import { isEditableTarget, keyboardEventToInput } from './keyboardEventToInput.js';

/** How long the paste shortcut's key-down waits for the browser's paste event. */
const PASTE_WAIT_MS = 100;

export interface KeyboardCaptureOptions {
  /** Where key events are listened for (the window). */
  target: EventTarget | undefined;
  ignoredCodes: ReadonlySet<string>;
  /** Send the clipboard with the paste shortcut. */
  clipboard: boolean;
  /** Sends events (throws FW_ERR_INPUT_TOO_LARGE for a clipboard too large). */
  send: (events: InputEvent[]) => void;
  onError: (error: FramewayError) => void;
  /** The window lost focus: everything held must be released. */
  onBlur: () => void;
  /** Whether an element captures input now (a paste applies only then). */
  capturing: () => boolean;
}

/**
 * Keys and the clipboard: key edges without repeats, keys the page keeps for
 * itself left alone, and the paste shortcut held back briefly so the
 * clipboard it pastes arrives first.
 */
export class KeyboardCapture {
  readonly #options: KeyboardCaptureOptions;
  readonly #heldKeys = new Set<number>();
  #pendingPaste: { event: InputEvent; timer: ReturnType<typeof setTimeout> } | undefined;

  constructor(options: KeyboardCaptureOptions) {
    this.#options = options;
  }

  start(): void {
    const keyboard = this.#options.target;
    keyboard?.addEventListener('keydown', this.#onKey, { capture: true });
    keyboard?.addEventListener('keyup', this.#onKey, { capture: true });
    keyboard?.addEventListener('blur', this.#options.onBlur);
    if (this.#options.clipboard) keyboard?.addEventListener('paste', this.#onPaste);
  }

  stop(): void {
    const keyboard = this.#options.target;
    keyboard?.removeEventListener('keydown', this.#onKey, { capture: true });
    keyboard?.removeEventListener('keyup', this.#onKey, { capture: true });
    keyboard?.removeEventListener('blur', this.#options.onBlur);
    keyboard?.removeEventListener('paste', this.#onPaste);
  }

  /** Key-ups for every key held, which are forgotten. */
  releaseKeys(): InputEvent[] {
    const events: InputEvent[] = [];
    for (const usage of this.#heldKeys) events.push({ type: InputEventType.KeyUp, usage, modifiers: 0 });
    this.#heldKeys.clear();
    return events;
  }

  /** Sends a paste shortcut still waiting for its paste event. */
  flushPaste(): void {
    const pending = this.#takePendingPaste();
    if (pending) this.#options.send([pending]);
  }

  readonly #onKey = (event: Event): void => {
    const key = event as KeyboardEvent;
    if (this.#options.ignoredCodes.has(key.code) || isEditableTarget(key.target)) return;
    const input = keyboardEventToInput(key);
    if (!input) return;
    const paste = this.#options.clipboard && input.type === InputEventType.KeyDown && isPasteShortcut(key);
    // Captured keys never reach the page: no scrolling on Space or arrows, no Tab focus moves.
    // The paste shortcut is the exception: the browser fires 'paste' (with the clipboard) only if it goes through.
    if (!paste) key.preventDefault();
    if (input.type === InputEventType.KeyDown) {
      if (key.repeat || this.#heldKeys.has(input.usage)) return;
      this.#heldKeys.add(input.usage);
    } else if (!this.#heldKeys.delete(input.usage)) {
      return;
    }
    this.flushPaste();
    if (paste) {
      this.#pendingPaste = { event: input, timer: setTimeout(() => this.flushPaste(), PASTE_WAIT_MS) };
      return;
    }
    this.#options.send([input]);
  };

  readonly #onPaste = (event: Event): void => {
    if (!this.#options.capturing() || isEditableTarget(event.target)) return;
    const text = (event as ClipboardEvent).clipboardData?.getData('text/plain') ?? '';
    event.preventDefault();
    const events: InputEvent[] = [];
    if (text !== '') events.push({ type: InputEventType.Clipboard, text });
    const pending = this.#takePendingPaste();
    if (pending) events.push(pending);
    if (events.length === 0) return;
    try {
      this.#options.send(events);
    } catch (error) {
      // Too large to send: the shortcut still reaches the game, with the clipboard it had.
      if (error instanceof FramewayError) this.#options.onError(error);
      if (pending) this.#options.send([pending]);
    }
  };

  #takePendingPaste(): InputEvent | undefined {
    const pending = this.#pendingPaste;
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.#pendingPaste = undefined;
    return pending.event;
  }
}

/** Ctrl+V (Cmd+V on macOS) and Shift+Insert: the keys that make the browser fire 'paste'. */
export function isPasteShortcut(event: {
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}): boolean {
  if (event.code === 'KeyV') return (event.ctrlKey || event.metaKey) && !event.altKey;
  return event.code === 'Insert' && event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey;
}
