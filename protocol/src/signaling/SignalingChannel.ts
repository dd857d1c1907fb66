import { isErrorCode } from '../errors/errorCodes.js';
import { FramewayError } from '../errors/FramewayError.js';
import {
  type AnyMessage,
  decodeMessage,
  type Envelope,
  encodeMessage,
  MAX_SIGNALING_MESSAGE_BYTES,
} from './envelope.js';
import { isReplyType, MessageType, messageTypeName, ReplyTypeOf, type RequestType } from './messageTypes.js';
import type { PayloadOf } from './payloads.js';

export type ReplyPayloadOf<T extends RequestType> = PayloadOf<(typeof ReplyTypeOf)[T]>;

export interface SignalingChannelOptions {
  /** Writes one text frame to the socket. */
  send: (text: string) => void;
  /** Message types the remote side may send; others are answered with FW_ERR_UNEXPECTED_MESSAGE. */
  accepts: ReadonlySet<MessageType>;
  /** Called with every validated incoming message that is not a reply. */
  onMessage: (message: AnyMessage) => void;
  /** Called when an incoming frame is rejected; the channel has already answered it. */
  onProtocolError?: (error: FramewayError) => void;
  requestTimeoutMs?: number;
  maxMessageBytes?: number;
}

interface PendingRequest {
  expect: number;
  resolve: (payload: unknown) => void;
  reject: (error: FramewayError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One side of a signaling link, independent of the socket: `request()` awaits
 * the typed reply, `notify()` does not, incoming frames are validated and
 * routed to `onMessage`. Pending requests fail with FW_ERR_CONNECTION_CLOSED
 * when the channel closes.
 */
export class SignalingChannel {
  readonly #options: Required<Omit<SignalingChannelOptions, 'onProtocolError'>> &
    Pick<SignalingChannelOptions, 'onProtocolError'>;
  readonly #pending = new Map<number, PendingRequest>();
  #nextId = 1;
  #closed: FramewayError | undefined;

  constructor(options: SignalingChannelOptions) {
    this.#options = {
      requestTimeoutMs: 10_000,
      maxMessageBytes: MAX_SIGNALING_MESSAGE_BYTES,
      ...options,
    };
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  get pendingRequests(): number {
    return this.#pending.size;
  }

  request<T extends RequestType>(
    t: T,
    p: PayloadOf<T>,
    timeoutMs = this.#options.requestTimeoutMs,
  ): Promise<ReplyPayloadOf<T>> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 2 ** 31 - 1 ? 1 : this.#nextId + 1;
    return new Promise<ReplyPayloadOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new FramewayError('FW_ERR_TIMEOUT', `${messageTypeName(t)} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        expect: ReplyTypeOf[t],
        resolve: resolve as (payload: unknown) => void,
        reject,
        timer,
      });
      this.#send(encodeMessage(t, p, id));
    });
  }

  notify<T extends MessageType>(t: T, p: PayloadOf<T>): void {
    if (this.#closed) return;
    this.#send(encodeMessage(t, p));
  }

  reply<T extends MessageType>(request: Envelope, t: T, p: PayloadOf<T>): void {
    if (this.#closed || request.id === undefined) return;
    this.#send(encodeMessage(t, p, request.id));
  }

  /** Answers a request with an error, or sends it unsolicited when there is no request id. */
  replyError(requestId: number | undefined, error: FramewayError): void {
    if (this.#closed) return;
    // Details travel too (e.g. the best alternative node of FW_ERR_NO_NODE_IN_BUDGET).
    const payload =
      error.details === undefined
        ? { code: error.code, message: error.message }
        : { code: error.code, message: error.message, details: { ...error.details } };
    this.#send(encodeMessage(MessageType.Error, payload, requestId));
  }

  /** Feeds one received frame. Never throws: bad frames are answered and reported. */
  receive(data: string | ArrayBuffer | Uint8Array): void {
    if (this.#closed) return;
    let message: AnyMessage;
    try {
      message = decodeMessage(data, this.#options.maxMessageBytes);
    } catch (error) {
      this.#reject(error);
      return;
    }
    if (message.id !== undefined && isReplyType(message.t)) {
      this.#settle(message);
      return;
    }
    if (!this.#options.accepts.has(message.t)) {
      this.#reject(
        new FramewayError('FW_ERR_UNEXPECTED_MESSAGE', `${messageTypeName(message.t)} is not accepted on this link`, {
          ...(message.id === undefined ? {} : { id: message.id }),
        }),
      );
      return;
    }
    this.#options.onMessage(message);
  }

  /** Fails every pending request; idempotent. */
  close(reason = 'signaling channel closed'): void {
    if (this.#closed) return;
    this.#closed = new FramewayError('FW_ERR_CONNECTION_CLOSED', reason);
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(this.#closed);
    }
    this.#pending.clear();
  }

  #settle(message: AnyMessage): void {
    const pending = this.#pending.get(message.id as number);
    if (!pending) return; // late reply after a timeout: nothing waits for it
    this.#pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.t === MessageType.Error) {
      const code = isErrorCode(message.p.code) ? message.p.code : 'FW_ERR_INTERNAL';
      pending.reject(new FramewayError(code, message.p.message, message.p.details));
    } else if (message.t !== pending.expect) {
      pending.reject(
        new FramewayError(
          'FW_ERR_UNEXPECTED_MESSAGE',
          `expected ${messageTypeName(pending.expect)} as reply, got ${messageTypeName(message.t)}`,
        ),
      );
    } else {
      pending.resolve(message.p);
    }
  }

  #reject(error: unknown): void {
    const fwError =
      error instanceof FramewayError
        ? error
        : new FramewayError('FW_ERR_INTERNAL', String(error), undefined, { cause: error });
    const id = fwError.details?.id;
    this.replyError(typeof id === 'number' ? id : undefined, fwError);
    this.#options.onProtocolError?.(fwError);
  }

  #send(text: string): void {
    try {
      this.#options.send(text);
    } catch (cause) {
      this.close(`send failed: ${String(cause)}`);
    }
  }
}
