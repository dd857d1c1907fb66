import { FramewayError } from '@frameway/protocol';

/** Called on every retry; returns the node id once the session can be placed, undefined to keep waiting. Throws to leave the queue. */
export type QueueAttempt = () => string | undefined;

export interface QueuePositionUpdate {
  position: number;
  queueLength: number;
  waitedMs: number;
  remainingMs: number;
}

export interface QueueEntryOptions {
  sessionId: string;
  attempt: QueueAttempt;
  onPosition: (update: QueuePositionUpdate) => void;
}

export interface PlacementQueueOptions {
  /** Players waiting at most; a further one is refused at once. */
  maxLength: number;
  /** A player waits at most this long, then placement fails. */
  maxWaitMs: number;
  /** Retries also run this often, not only when capacity frees up. */
  retryIntervalMs: number;
  now?: () => number;
}

interface Entry extends QueueEntryOptions {
  enqueuedAt: number;
  lastPosition: number;
  resolve: (nodeId: string) => void;
  reject: (error: unknown) => void;
}

/**
 * Players whose latency budget only full nodes can meet wait here, first
 * come first served. Each retry walks the queue in order and places at most
 * one player (its reservation must land before the next one looks at the
 * same free slot); `kick()` retries as soon as capacity frees up.
 */
export class PlacementQueue {
  readonly #options: Required<PlacementQueueOptions>;
  readonly #entries: Entry[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: PlacementQueueOptions) {
    this.#options = { now: Date.now, ...options };
  }

  get length(): number {
    return this.#entries.length;
  }

  /** Waits for a node; rejects with FW_ERR_NO_CAPACITY when the queue is full, times out or closes. */
  wait(options: QueueEntryOptions): Promise<string> {
    if (this.#closed) return Promise.reject(new FramewayError('FW_ERR_NO_CAPACITY', 'the placement queue is closed'));
    if (this.#entries.length >= this.#options.maxLength) {
      return Promise.reject(
        new FramewayError('FW_ERR_NO_CAPACITY', `the placement queue is full (${this.#options.maxLength})`),
      );
    }
    return new Promise((resolve, reject) => {
      this.#entries.push({ ...options, enqueuedAt: this.#options.now(), lastPosition: 0, resolve, reject });
      this.#announce();
      this.#schedule(this.#options.retryIntervalMs);
    });
  }

  /** Capacity freed up somewhere: retry soon. */
  kick(): void {
    if (this.#entries.length > 0) this.#schedule(0);
  }

  /** Runs one retry pass now (also what the timer does). */
  retry(): void {
    // Run by hand (or by kick), it replaces the pending timer: one timer per queue, never a stray one.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.#options.now();
    let placedOne = false;
    for (const entry of [...this.#entries]) {
      if (now - entry.enqueuedAt >= this.#options.maxWaitMs) {
        this.#remove(entry);
        entry.reject(
          new FramewayError(
            'FW_ERR_NO_CAPACITY',
            `no node within the latency budget freed up in ${this.#options.maxWaitMs} ms`,
          ),
        );
        continue;
      }
      if (placedOne) continue;
      let nodeId: string | undefined;
      try {
        nodeId = entry.attempt();
      } catch (error) {
        this.#remove(entry);
        entry.reject(error);
        continue;
      }
      if (nodeId !== undefined) {
        placedOne = true;
        this.#remove(entry);
        entry.resolve(nodeId);
      }
    }
    this.#announce();
    if (this.#entries.length > 0) this.#schedule(this.#options.retryIntervalMs);
  }

  /** Fails every waiting player; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const entry of this.#entries.splice(0)) {
      entry.reject(new FramewayError('FW_ERR_NO_CAPACITY', 'the placement queue closed'));
    }
  }

  #remove(entry: Entry): void {
    const at = this.#entries.indexOf(entry);
    if (at >= 0) this.#entries.splice(at, 1);
  }

  #announce(): void {
    const now = this.#options.now();
    this.#entries.forEach((entry, i) => {
      const position = i + 1;
      if (position === entry.lastPosition) return;
      entry.lastPosition = position;
      const waitedMs = now - entry.enqueuedAt;
      try {
        entry.onPosition({
          position,
          queueLength: this.#entries.length,
          waitedMs,
          remainingMs: Math.max(0, this.#options.maxWaitMs - waitedMs),
        });
      } catch {
        // a player that cannot be told keeps its place
      }
    });
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => this.retry(), delayMs);
    this.#timer.unref?.();
  }
}
