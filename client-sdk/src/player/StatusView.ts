import type { SessionEndInfo } from '../SessionEndInfo.js';
import { type PageState, reasonText, statusText } from './pageState.js';

/** The fields of the status element this view writes. */
export interface StatusElement {
  dataset: DOMStringMap;
  title: string;
}

/**
 * The status line. `data-state` holds the PageState; once ended or failed,
 * `data-reason` and `data-code` say why: stable hooks for tests and styling.
 */
export class StatusView {
  readonly #element: StatusElement;
  readonly #text: { textContent: string | null };

  constructor(element: StatusElement, text: { textContent: string | null }) {
    this.#element = element;
    this.#text = text;
  }

  get state(): PageState | undefined {
    return this.#element.dataset.state as PageState | undefined;
  }

  /**
   * Shows a running state. Final states only come through `ended()` and
   * `failed()`, which carry the reason; once in one, the view no longer changes.
   */
  show(state: PageState): void {
    if (this.#isFinal() || state === 'ended' || state === 'error') return;
    this.#element.dataset.state = state;
    this.#text.textContent = statusText(state);
    this.#element.title = '';
  }

  /** The session ended: final. */
  ended(info: SessionEndInfo): void {
    if (this.#isFinal()) return;
    this.#final('ended', info.reason, info.code, info.message);
  }

  /** The session never started: final. */
  failed(reason: string, code: string, message: string): void {
    if (this.#isFinal()) return;
    this.#final('error', reason, code, message);
  }

  #final(state: PageState, reason: string, code: string | undefined, message: string | undefined): void {
    const { dataset } = this.#element;
    dataset.reason = reason;
    if (code) dataset.code = code;
    else delete dataset.code;
    dataset.state = state;
    this.#text.textContent = statusText(state, reasonText(reason));
    this.#element.title = [code, message].filter(Boolean).join(': ');
  }

  #isFinal(): boolean {
    const state = this.#element.dataset.state;
    return state === 'ended' || state === 'error';
  }
}
