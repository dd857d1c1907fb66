import { FramewayError, TypedEmitter } from '@frameway/protocol';
import type { Logger } from '../logging/logger.js';
import type { RuntimeState, SessionRuntimeEvents } from './SessionRuntime.js';

/**
 * The lifecycle every runtime with outside resources shares (x11, docker,
 * android): state checks on prepare/start, one idempotent close that releases
 * the resources, and a single `exit` event when the runtime stops on its own
 * (never after close()).
 */
export abstract class ManagedRuntime extends TypedEmitter<SessionRuntimeEvents> {
  protected readonly log: Logger;
  readonly #name: string;
  #state: RuntimeState = 'new';
  #closing: Promise<void> | undefined;

  protected constructor(name: string, log: Logger) {
    super((error, event) => log.error({ err: error, event }, `${name} runtime listener threw`));
    this.#name = name;
    this.log = log;
  }

  get lifecycle(): RuntimeState {
    return this.#state;
  }

  /** Stops the runtime and releases its resources; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'stopped';
      await this.release();
    })();
    return this.#closing;
  }

  /** Frees what the runtime holds (called once, by close()). */
  protected abstract release(): Promise<void>;

  /** Moves from `from` to `to`; any other current state is FW_ERR_INVALID_STATE. */
  protected advance(from: RuntimeState, to: RuntimeState): void {
    if (this.#state !== from) {
      throw new FramewayError('FW_ERR_INVALID_STATE', `${this.#name} runtime is ${this.#state}`);
    }
    this.#state = to;
  }

  /** Ends a prepare or start step: `to`, or FW_ERR_SESSION_ENDED when close() came meanwhile. */
  protected settle(to: RuntimeState, step: 'preparing' | 'starting'): void {
    if (this.#closing) throw new FramewayError('FW_ERR_SESSION_ENDED', `${this.#name} runtime closed while ${step}`);
    this.#state = to;
  }

  /** True while input may reach the game. */
  protected get acceptsInput(): boolean {
    return this.#state === 'ready' || this.#state === 'starting';
  }

  protected get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** The runtime stopped on its own: one `exit` event, unless it is closing or stopped already. */
  protected fail(message: string): void {
    if (this.#closing || this.#state === 'stopped') return;
    this.log.warn({ message }, `${this.#name} runtime stopped on its own`);
    this.#state = 'stopped';
    this.emit('exit', message.slice(0, 1000));
  }
}
