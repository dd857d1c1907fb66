import { decodeInputEvents, FramewayError } from '@frameway/protocol';

export interface InputGateOptions {
  /** Sustained input messages per second a player may send. */
  ratePerSecond: number;
  /** Burst allowance above the sustained rate. */
  burst: number;
  now?: () => number;
}

/**
 * Admits a player's input messages: each must decode with the protocol codec
 * and fit a token-bucket rate. What passes is forwarded byte-for-byte.
 */
export class InputGate {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: InputGateOptions) {
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#last = this.#now();
  }

  /** Returns the message when admitted; throws a typed FramewayError otherwise. */
  admit(data: Uint8Array | string): Uint8Array {
    if (typeof data === 'string') {
      throw new FramewayError('FW_ERR_INPUT_MALFORMED', 'input messages are binary; got text');
    }
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) throw new FramewayError('FW_ERR_RATE_LIMITED', 'input rate limit exceeded');
    decodeInputEvents(data);
    this.#tokens -= 1;
    return data;
  }
}
