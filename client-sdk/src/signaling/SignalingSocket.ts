import {
  type AnyMessage,
  type Envelope,
  FramewayError,
  GatewayToPlayer,
  type MessageType,
  type PayloadOf,
  type ReplyPayloadOf,
  type RequestType,
  SignalingChannel,
  TypedEmitter,
} from '@frameway/protocol';
import { createPlatformWebSocket, WEBSOCKET_OPEN, type WebSocketFactory, type WebSocketLike } from './WebSocketLike.js';

export interface SocketClosedInfo {
  code: number;
  reason: string;
  /** True when this side closed the socket. */
  local: boolean;
}

export type SignalingSocketEvents = {
  /** A validated message from the gateway that is not a reply. */
  message: [message: AnyMessage];
  /** A frame the gateway sent was rejected (and already answered with an Error). */
  protocolError: [error: FramewayError];
  /** The socket closed; pending requests have failed with FW_ERR_CONNECTION_CLOSED. Emitted once. */
  closed: [info: SocketClosedInfo];
};

export interface SignalingSocketOptions {
  url: string;
  createWebSocket?: WebSocketFactory;
  /** How long the socket may take to open. */
  openTimeoutMs?: number;
  /** Default deadline of a request's reply. */
  requestTimeoutMs?: number;
}

/** The player's signaling socket to the gateway: a WebSocket carrying one `SignalingChannel`. */
export class SignalingSocket extends TypedEmitter<SignalingSocketEvents> {
  readonly url: string;
  /** Resolves once the socket is open; rejects if it closes or times out first. */
  readonly opened: Promise<void>;
  readonly #socket: WebSocketLike;
  readonly #channel: SignalingChannel;
  #closedInfo: SocketClosedInfo | undefined;

  constructor(options: SignalingSocketOptions) {
    super();
    this.url = options.url;
    this.#socket = (options.createWebSocket ?? createPlatformWebSocket)(options.url);
    this.#socket.binaryType = 'arraybuffer';
    this.#channel = new SignalingChannel({
      send: (text) => this.#socket.send(text),
      accepts: GatewayToPlayer,
      onMessage: (message) => this.emit('message', message),
      onProtocolError: (error) => this.emit('protocolError', error),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    });
    this.opened = this.#waitOpen(options.openTimeoutMs ?? 10_000);
    // The owner awaits `opened`; this keeps an unobserved failure from being reported as unhandled.
    this.opened.catch(() => undefined);
    this.#socket.onmessage = (event) => {
      const data = event.data;
      if (typeof data === 'string' || data instanceof ArrayBuffer || data instanceof Uint8Array) {
        this.#channel.receive(data);
      }
    };
    this.#socket.onclose = (event) => this.#onClosed({ code: event.code, reason: event.reason, local: false });
  }

  get isOpen(): boolean {
    return this.#closedInfo === undefined && this.#socket.readyState === WEBSOCKET_OPEN;
  }

  /** Why the socket closed, once it has. */
  get closedInfo(): SocketClosedInfo | undefined {
    return this.#closedInfo;
  }

  request<T extends RequestType>(t: T, p: PayloadOf<T>, timeoutMs?: number): Promise<ReplyPayloadOf<T>> {
    return timeoutMs === undefined ? this.#channel.request(t, p) : this.#channel.request(t, p, timeoutMs);
  }

  notify<T extends MessageType>(t: T, p: PayloadOf<T>): void {
    if (this.isOpen) this.#channel.notify(t, p);
  }

  reply<T extends MessageType>(request: Envelope, t: T, p: PayloadOf<T>): void {
    if (this.isOpen) this.#channel.reply(request, t, p);
  }

  /** Closes the socket; pending requests fail with FW_ERR_CONNECTION_CLOSED. Idempotent. */
  close(code = 1000, reason = ''): void {
    if (this.#closedInfo) return;
    this.#socket.onmessage = null;
    this.#socket.onclose = null;
    try {
      this.#socket.close(code, reason);
    } catch {
      // An invalid code or reason from a caller must not leave the socket half-closed.
      this.#socket.close();
    }
    this.#onClosed({ code, reason, local: true });
  }

  #onClosed(info: SocketClosedInfo): void {
    if (this.#closedInfo) return;
    this.#closedInfo = info;
    const detail = info.local ? 'closed by the player' : `closed by the gateway or network (code ${info.code})`;
    this.#channel.close(`signaling socket ${detail}${info.reason ? `: ${info.reason}` : ''}`);
    this.emit('closed', info);
  }

  #waitOpen(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new FramewayError('FW_ERR_TIMEOUT', `signaling socket ${this.url} did not open within ${timeoutMs} ms`));
        this.close(4000, 'open timeout');
      }, timeoutMs);
      this.#socket.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('closed', (info) => {
        clearTimeout(timer);
        reject(
          new FramewayError(
            'FW_ERR_CONNECTION_CLOSED',
            `signaling socket ${this.url} closed before it opened (code ${info.code})`,
          ),
        );
      });
    });
  }
}
