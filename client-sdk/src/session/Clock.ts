/** A pending timer of a Clock. */
export type TimerHandle = ReturnType<typeof setTimeout>;

/**
 * Time as the session's control logic sees it: injected so the resume and
 * media timers can be driven by a fake clock in tests.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(timer: TimerHandle | undefined): void;
}

/** The real clock; the globals are looked up per call so test runners that fake them still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (timer) => clearTimeout(timer),
};
