export interface KeyframeRequestCoalescerOptions {
  /** Minimum spacing of requests sent to the encoder. */
  minIntervalMs: number;
  /** A request not answered by a keyframe within this long counts as ignored. */
  answerTimeoutMs: number;
  /** Consecutive ignored requests after which the encoder is taken to ignore them. */
  ignoredLimit: number;
  /** Spacing while the encoder ignores requests: its periodic keyframes repair the picture meanwhile. */
  ignoredIntervalMs: number;
}

export const DEFAULT_KEYFRAME_COALESCING: KeyframeRequestCoalescerOptions = Object.freeze({
  minIntervalMs: 200,
  answerTimeoutMs: 500,
  ignoredLimit: 3,
  ignoredIntervalMs: 2_000,
});

/** What to do with a keyframe request. */
export type KeyframeRequestDecision =
  /** Ask the encoder now. */
  | { action: 'send' }
  /** One request is already waiting for the interval to pass; this one is folded into it. */
  | { action: 'coalesced' }
  /** Ask the encoder after `delayMs` (call `flush()` then): the last request was too recent. */
  | { action: 'defer'; delayMs: number };

export interface KeyframeRequestCounters {
  /** Requests received (player PLI/FIR, lost packets, joins). */
  requested: number;
  /** Requests sent to the encoder. */
  sent: number;
  /** Requests folded into one already pending. */
  coalesced: number;
  /** Sent requests no keyframe answered in time. */
  ignored: number;
  /** Keyframes seen on the ingest. */
  keyframesSeen: number;
}

/**
 * Turns a storm of keyframe requests (every PLI and FIR of every viewer, the
 * ingest giving up on a packet, a viewer joining) into at most one encoder
 * request per interval. A request inside the interval is deferred to its end,
 * never dropped: if the IDR answering the first request was itself damaged,
 * the player's next PLI must still reach the encoder. It also watches whether
 * requests are answered (a keyframe seen on the ingest) and backs off when the
 * encoder ignores them (an ffmpeg CLI, a broken agent), saying so once.
 *
 * Pure: time comes in as arguments; the caller owns the timer.
 */
export class KeyframeRequestCoalescer {
  readonly counters: KeyframeRequestCounters = { requested: 0, sent: 0, coalesced: 0, ignored: 0, keyframesSeen: 0 };
  readonly #options: KeyframeRequestCoalescerOptions;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #pending = false;
  /** When the oldest unanswered request went out. */
  #awaitingSince: number | undefined;
  #consecutiveIgnored = 0;
  #ignoring = false;

  constructor(options: Partial<KeyframeRequestCoalescerOptions> = {}) {
    this.#options = { ...DEFAULT_KEYFRAME_COALESCING, ...options };
  }

  /** True once the encoder has ignored `ignoredLimit` requests in a row (until it answers one). */
  get ignoring(): boolean {
    return this.#ignoring;
  }

  /** A keyframe is wanted. `force` skips the spacing (a new encoder after failover). */
  request(now: number, force = false): KeyframeRequestDecision {
    this.counters.requested++;
    this.#checkAnswer(now);
    if (this.#pending) {
      this.counters.coalesced++;
      return { action: 'coalesced' };
    }
    const wait = this.#lastSentAt + this.#interval() - now;
    if (force || wait <= 0) {
      this.#sent(now);
      return { action: 'send' };
    }
    this.#pending = true;
    return { action: 'defer', delayMs: wait };
  }

  /** The deferred request's time has come: true when it should be sent now. */
  flush(now: number): boolean {
    if (!this.#pending) return false;
    this.#pending = false;
    this.#checkAnswer(now);
    this.#sent(now);
    return true;
  }

  /** A keyframe arrived from the encoder: requests so far are answered. */
  keyframeSeen(now: number): void {
    this.counters.keyframesSeen++;
    if (this.#awaitingSince !== undefined && now - this.#awaitingSince <= this.#options.answerTimeoutMs) {
      this.#consecutiveIgnored = 0;
      this.#ignoring = false;
    }
    this.#awaitingSince = undefined;
  }

  /** Before each decision: a request outstanding for longer than the answer timeout was ignored. */
  #checkAnswer(now: number): void {
    if (this.#awaitingSince === undefined || now - this.#awaitingSince <= this.#options.answerTimeoutMs) return;
    this.#awaitingSince = undefined;
    this.counters.ignored++;
    this.#consecutiveIgnored++;
    if (this.#consecutiveIgnored >= this.#options.ignoredLimit) this.#ignoring = true;
  }

  #sent(now: number): void {
    this.counters.sent++;
    this.#lastSentAt = now;
    this.#awaitingSince ??= now;
  }

  #interval(): number {
    return this.#ignoring ? this.#options.ignoredIntervalMs : this.#options.minIntervalMs;
  }
}
