/** A map of event name to the tuple of its listener arguments. */
export type EventMap = { [event: string]: unknown[] };
type Listener<Args extends unknown[]> = (...args: Args) => void;
// Listeners of all events share one store; their types are restored on the way out.
type AnyListener = (...args: any[]) => void;

/**
 * A small typed event emitter that runs in Node and the browser. A listener
 * that throws is reported to `onListenerError` and never stops the others.
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<AnyListener>>();
  #onListenerError: (error: unknown, event: keyof Events) => void;

  constructor(onListenerError?: (error: unknown, event: keyof Events) => void) {
    this.#onListenerError =
      onListenerError ?? ((error, event) => console.error(`listener for '${String(event)}' threw`, error));
  }

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as AnyListener);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    const wrapper = (...args: Events[E]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<E extends keyof Events>(event: E, listener: Listener<Events[E]>): this {
    this.#listeners.get(event)?.delete(listener as AnyListener);
    return this;
  }

  /** Resolves with the arguments of the next `event`. */
  waitFor<E extends keyof Events>(event: E): Promise<Events[E]> {
    return new Promise((resolve) => this.once(event, (...args) => resolve(args)));
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        try {
          this.#onListenerError(error, event);
        } catch {
          // the error reporter itself failed; nothing more we can do safely
        }
      }
    }
  }
}
