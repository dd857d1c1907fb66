/** The element a toast writes to. */
export interface ToastElement {
  textContent: string | null;
  hidden: boolean;
  dataset: DOMStringMap;
}

/** A short message over the player that hides itself; a newer message replaces the current one. */
export class Toast {
  readonly #element: ToastElement;
  readonly #setTimer: (callback: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;
  #timer: unknown;

  constructor(
    element: ToastElement,
    timers: { setTimer?: (callback: () => void, ms: number) => unknown; clearTimer?: (handle: unknown) => void } = {},
  ) {
    this.#element = element;
    this.#setTimer = timers.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    // The handle is opaque (an injected clock returns anything); the default clear only ever gets the default set's.
    this.#clearTimer = timers.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  show(message: string, ms = 4000, kind: 'info' | 'error' = 'info'): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#element.textContent = message;
    this.#element.dataset.kind = kind;
    this.#element.hidden = false;
    this.#timer = this.#setTimer(() => this.hide(), ms);
  }

  hide(): void {
    if (this.#timer !== undefined) this.#clearTimer(this.#timer);
    this.#timer = undefined;
    this.#element.hidden = true;
  }
}
