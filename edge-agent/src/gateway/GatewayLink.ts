import { type AnyMessage, GatewayToAgent, SignalingChannel, TypedEmitter } from '@frameway/protocol';
import { type RawData, WebSocket } from 'ws';
import { createLogger, type Logger } from '../logging/logger.js';
import { type ReconnectPolicy, reconnectDelay } from './reconnectDelay.js';

export interface GatewayLinkOptions {
  url: string;
  reconnect: ReconnectPolicy;
  requestTimeoutMs?: number;
  /** Limit of the WebSocket opening handshake. */
  handshakeTimeoutMs?: number;
  /** Time the closing handshake gets before the socket is destroyed. */
  closeTimeoutMs?: number;
  random?: () => number;
  logger?: Logger;
}

export type GatewayLinkEvents = {
  /** A socket is open; `channel` is its signaling channel until 'down'. */
  up: [channel: SignalingChannel];
  /** The open socket closed; its channel has failed its pending requests. */
  down: [reason: string];
  /** A validated signaling message that is not a reply. */
  message: [message: AnyMessage, channel: SignalingChannel];
  /** A binary frame (input for a session). */
  binary: [data: Uint8Array];
};

// Input frames are ≤517 bytes and signaling ≤64 KiB; anything far larger is not the gateway.
const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * The agent's WebSocket to the gateway. Owns reconnection: whenever the socket
 * closes (or never opens) it dials again after a capped, jittered exponential
 * backoff, until close().
 */
export class GatewayLink extends TypedEmitter<GatewayLinkEvents> {
  readonly #options: Required<Omit<GatewayLinkOptions, 'logger'>>;
  readonly #log: Logger;
  #socket: WebSocket | undefined;
  #channel: SignalingChannel | undefined;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #started = false;
  #closed = false;
  #connects = 0;
  #lastError: Error | undefined;
  #reportedUnreachable = false;

  constructor(options: GatewayLinkOptions) {
    const log = options.logger ?? createLogger('gateway-link');
    super((error, event) => log.error({ err: error, event }, 'gateway link listener threw'));
    this.#log = log;
    this.#options = {
      requestTimeoutMs: 10_000,
      handshakeTimeoutMs: 5_000,
      closeTimeoutMs: 2_000,
      random: Math.random,
      ...options,
    };
  }

  /** The open socket's signaling channel, if any. */
  get channel(): SignalingChannel | undefined {
    return this.#channel;
  }

  /** Sockets opened so far, reconnects included. */
  get connects(): number {
    return this.#connects;
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#dial();
  }

  /** Call once the gateway has accepted the agent: the next drop retries from the shortest delay. */
  resetBackoff(): void {
    this.#attempt = 0;
  }

  /** Drops the current socket (e.g. registration was rejected); the backoff decides when to dial again. */
  drop(reason: string): void {
    this.#socket?.close(4000, reason.slice(0, 120));
  }

  /** Closes the socket for good; resolves once it has closed. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => socket.terminate(), this.#options.closeTimeoutMs);
      socket.once('close', () => {
        clearTimeout(killer);
        resolve();
      });
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, 'agent shutdown');
    });
  }

  #dial(): void {
    this.#retryTimer = undefined;
    if (this.#closed) return;
    this.#log.debug({ url: this.#options.url, attempt: this.#attempt }, 'connecting to gateway');
    const socket = new WebSocket(this.#options.url, {
      // Input frames are tiny and latency-bound; compression only adds delay.
      perMessageDeflate: false,
      handshakeTimeout: this.#options.handshakeTimeoutMs,
      maxPayload: MAX_FRAME_BYTES,
    });
    this.#socket = socket;
    socket.on('open', () => this.#onOpen(socket));
    socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on('error', (error) => {
      this.#lastError = error;
      this.#log.debug({ err: error }, 'gateway socket error');
    });
    socket.on('close', (code, reason) => this.#onClose(socket, code, reason.toString()));
  }

  #onOpen(socket: WebSocket): void {
    this.#connects += 1;
    this.#reportedUnreachable = false;
    const channel = new SignalingChannel({
      send: (text) => socket.send(text),
      accepts: GatewayToAgent,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      onMessage: (message) => this.emit('message', message, channel),
      onProtocolError: (error) => this.#log.warn({ code: error.code, err: error }, 'rejected a gateway message'),
    });
    this.#channel = channel;
    this.#log.info({ url: this.#options.url }, 'connected to gateway');
    this.emit('up', channel);
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    const bytes = toBytes(data);
    if (isBinary) this.emit('binary', bytes);
    else this.#channel?.receive(bytes);
  }

  #onClose(socket: WebSocket, code: number, reason: string): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    const channel = this.#channel;
    this.#channel = undefined;
    const why = `gateway socket closed (code ${code}${reason ? `, ${reason}` : ''})`;
    if (channel) {
      channel.close(why);
      this.#log.info({ code, reason }, 'disconnected from gateway');
      this.emit('down', why);
    } else if (!this.#closed && !this.#reportedUnreachable) {
      // Once per outage; the retries themselves log at debug.
      this.#reportedUnreachable = true;
      this.#log.warn({ url: this.#options.url, error: this.#lastError?.message }, 'cannot reach gateway; retrying');
    }
    this.#lastError = undefined;
    if (this.#closed) return;
    const delay = reconnectDelay(this.#attempt, this.#options.reconnect, this.#options.random);
    this.#attempt += 1;
    this.#log.debug({ delayMs: delay, attempt: this.#attempt }, 'reconnecting to gateway');
    this.#retryTimer = setTimeout(() => this.#dial(), delay);
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
