import { FramewayError, SessionEndReason } from '@frameway/protocol';
import type { Logger } from '../log/Logger.js';
import type { SessionEndInfo } from '../SessionEndInfo.js';
import type { Clock, TimerHandle } from './Clock.js';
import type { ReconnectingInfo, ResumedInfo } from './sessionEvents.js';
import { toFramewayError } from './toFramewayError.js';

/** Rejoin answers after which retrying cannot help. */
const FINAL_REJOIN_CODES: ReadonlySet<string> = new Set([
  'FW_ERR_SESSION_ENDED',
  'FW_ERR_SESSION_NOT_FOUND',
  'FW_ERR_UNAUTHORIZED',
  'FW_ERR_TOKEN_EXPIRED',
  'FW_ERR_FORBIDDEN',
]);
const RETRY_BACKOFF_MS = [0, 250, 500, 1000, 2000] as const;

/**
 * The work of one resume attempt, done by the session. Each step receives
 * `isCurrent`: after every await it must stop touching the session when the
 * outage it works for is over (resumed, given up, or the session ended).
 */
export interface ResumeSteps {
  /** Whether the current socket still carries the session (a media-only outage keeps a healthy socket). */
  socketAnswers(): Promise<boolean>;
  /** A fresh socket, rejoined with the player token. */
  rejoin(isCurrent: () => boolean): Promise<void>;
  /** A new peer connection, offered and answered; it must then connect (the session times that). */
  renegotiate(isCurrent: () => boolean): Promise<void>;
  /** A failed attempt's half-made peer connection is dropped before the next one. */
  dropMedia(): void;
}

export interface ResumeControllerOptions {
  /** How long one outage may last before the session ends as `connection_lost`. */
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
  steps: ResumeSteps;
  /** An attempt starts (the session emits `reconnecting`). */
  onAttempt: (info: ReconnectingInfo) => void;
  /** Resuming is hopeless or took too long: the session ends with this. */
  onGiveUp: (info: SessionEndInfo) => void;
}

interface Outage {
  since: number;
  attempts: number;
  reason: string;
  lastError: FramewayError;
  /** The current socket is suspect: open a fresh one next attempt. */
  freshSocket: boolean;
}

/**
 * The reconnect policy (livekit's ReconnectPolicy + engine resume): one
 * outage at a time, attempts with backoff until the media is up again, a
 * deadline for the whole outage, and answers that make retrying pointless.
 * It decides when and whether to try; the session does the socket and media work.
 */
export class ResumeController {
  readonly #options: ResumeControllerOptions;
  #outage: Outage | undefined;
  #retryTimer: TimerHandle | undefined;
  #deadlineTimer: TimerHandle | undefined;

  constructor(options: ResumeControllerOptions) {
    this.#options = options;
  }

  /** True while an outage is being resumed. */
  get active(): boolean {
    return this.#outage !== undefined;
  }

  /** Starts resuming after a drop; `socketLost` skips probing the socket on the first attempt. Ignored mid-outage. */
  begin(reason: string, socketLost: boolean): void {
    if (this.#outage) return;
    this.#outage = {
      since: this.#options.clock.now(),
      attempts: 0,
      reason,
      lastError: new FramewayError('FW_ERR_CONNECTION_CLOSED', reason),
      freshSocket: socketLost,
    };
    this.#deadlineTimer = this.#options.clock.setTimeout(() => {
      const last = this.#outage?.lastError;
      this.#giveUp({
        reason: SessionEndReason.ConnectionLost,
        code: last?.code ?? 'FW_ERR_CONNECTION_CLOSED',
        message: `the session could not be resumed within ${this.#options.timeoutMs} ms: ${last?.message ?? reason}`,
      });
    }, this.#options.timeoutMs);
    void this.#attempt();
  }

  /** The socket the running attempt waits on closed: that attempt fails, and the next opens a fresh socket. */
  socketClosed(): void {
    if (this.#outage) this.#outage.freshSocket = true;
  }

  /** The running attempt failed: retry after a backoff, or give up when the answer is final. */
  fail(error: FramewayError): void {
    const outage = this.#outage;
    if (!outage) return;
    if (FINAL_REJOIN_CODES.has(error.code)) {
      this.#giveUp({
        reason: SessionEndReason.ConnectionLost,
        code: error.code,
        message: `the session could not be resumed: ${error.message}`,
      });
      return;
    }
    this.#options.logger.debug(`resume attempt ${outage.attempts} failed: ${error.code} ${error.message}`);
    outage.lastError = error;
    // Whatever failed, the next attempt starts from a fresh socket: a half-dead one is the usual culprit.
    outage.freshSocket = true;
    this.#options.steps.dropMedia();
    this.#options.clock.clearTimeout(this.#retryTimer);
    const delay = RETRY_BACKOFF_MS[Math.min(outage.attempts, RETRY_BACKOFF_MS.length - 1)] as number;
    this.#retryTimer = this.#options.clock.setTimeout(() => void this.#attempt(), delay);
  }

  /** The new peer connection is up: the outage is over. Undefined when none was running. */
  finish(): ResumedInfo | undefined {
    const outage = this.#outage;
    if (!outage) return undefined;
    this.#clear();
    return { attempts: outage.attempts, downtimeMs: this.#options.clock.now() - outage.since };
  }

  /** Stops resuming for good (the session ended); a running attempt finds itself stale. Idempotent. */
  close(): void {
    this.#clear();
  }

  #clear(): void {
    this.#outage = undefined;
    this.#options.clock.clearTimeout(this.#deadlineTimer);
    this.#options.clock.clearTimeout(this.#retryTimer);
  }

  #giveUp(info: SessionEndInfo): void {
    this.#clear();
    this.#options.onGiveUp(info);
  }

  /** One try at resuming: the live socket or a fresh one (rejoining with the token), then a new peer connection. */
  async #attempt(): Promise<void> {
    const outage = this.#outage;
    if (!outage) return;
    const isCurrent = (): boolean => outage === this.#outage;
    const { steps } = this.#options;
    outage.attempts += 1;
    this.#options.onAttempt({ attempt: outage.attempts, reason: outage.reason, code: outage.lastError.code });
    try {
      if (!(await this.#socketAnswers(outage))) {
        outage.freshSocket = false;
        await steps.rejoin(isCurrent);
        if (!isCurrent()) return;
      }
      await steps.renegotiate(isCurrent);
    } catch (error) {
      if (isCurrent()) this.fail(toFramewayError(error, 'FW_ERR_CONNECTION_CLOSED'));
    }
  }

  async #socketAnswers(outage: Outage): Promise<boolean> {
    if (outage.freshSocket) return false;
    try {
      return await this.#options.steps.socketAnswers();
    } catch {
      return false;
    }
  }
}
