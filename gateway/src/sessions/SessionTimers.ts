/**
 * One named timer per session and purpose (the lifetime limit, the player's
 * reconnect grace): setting one replaces the previous of the same kind,
 * clearing a session clears all of its timers. Timers never keep the process alive.
 */
export class SessionTimers<Kind extends string> {
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Runs `callback` after `ms` unless cleared or replaced first. */
  set(sessionId: string, kind: Kind, ms: number, callback: () => void): void {
    this.clear(sessionId, kind);
    const key = `${kind}:${sessionId}`;
    const timer = setTimeout(() => {
      this.#timers.delete(key);
      callback();
    }, ms);
    timer.unref();
    this.#timers.set(key, timer);
  }

  has(sessionId: string, kind: Kind): boolean {
    return this.#timers.has(`${kind}:${sessionId}`);
  }

  clear(sessionId: string, kind: Kind): void {
    const key = `${kind}:${sessionId}`;
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }

  clearAll(sessionId: string, kinds: readonly Kind[]): void {
    for (const kind of kinds) this.clear(sessionId, kind);
  }
}
