import type { AddressInfo } from 'node:net';
import { PROBE_MAX_MESSAGE_BYTES, PROBE_MAX_MESSAGES_PER_SOCKET, PROBE_PATH } from '@frameway/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../logging/logger.js';

const log = createLogger('fleet.probe-server');

export interface ProbeServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Held before every echo: makes this node look that much further away on
   * loopback (tests, demos). 0 in production.
   */
  delayMs?: number;
  /** Probe sockets open at once; more are refused (1013). */
  maxConnections?: number;
  /** A socket is closed once it has sent this many frames. */
  maxMessagesPerSocket?: number;
  /** A socket is closed after this long, whatever it does. */
  maxSocketLifetimeMs?: number;
}

/**
 * The node's latency probe endpoint: a WebSocket echo at `/probe`. Players
 * (browsers can only use WebSocket, HTTP or WebRTC) and peer agents time
 * small text frames on it. Bounded in every direction: frame size, frames
 * per socket, socket lifetime, open sockets.
 */
export class ProbeServer {
  readonly #options: Required<ProbeServerOptions>;
  #server: WebSocketServer | undefined;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #port = 0;

  constructor(options: ProbeServerOptions) {
    this.#options = {
      delayMs: 0,
      maxConnections: 256,
      maxMessagesPerSocket: PROBE_MAX_MESSAGES_PER_SOCKET,
      maxSocketLifetimeMs: 15_000,
      ...options,
    };
  }

  get port(): number {
    return this.#port;
  }

  /** Starts listening; resolves with the bound port. */
  async listen(): Promise<number> {
    const server = new WebSocketServer({
      host: this.#options.host,
      port: this.#options.port,
      path: PROBE_PATH,
      maxPayload: PROBE_MAX_MESSAGE_BYTES,
      perMessageDeflate: false,
      clientTracking: true,
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    server.on('error', (error) => log.warn({ err: error }, 'probe server error'));
    server.on('connection', (socket) => this.#accept(socket, server));
    this.#port = (server.address() as AddressInfo).port;
    log.info(
      { host: this.#options.host, port: this.#port, delayMs: this.#options.delayMs },
      'probe endpoint listening',
    );
    return this.#port;
  }

  /** Stops listening and drops every probe socket; idempotent. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (!server) return;
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: WebSocket, server: WebSocketServer): void {
    if (server.clients.size > this.#options.maxConnections) {
      socket.close(1013, 'too many probe sockets');
      return;
    }
    let count = 0;
    const lifetime = setTimeout(() => socket.terminate(), this.#options.maxSocketLifetimeMs);
    socket.once('close', () => clearTimeout(lifetime));
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        socket.close(1003, 'probe frames are text');
        return;
      }
      count++;
      if (count > this.#options.maxMessagesPerSocket) {
        socket.close(1008, 'probe limit reached');
        return;
      }
      const text = data.toString();
      const delay = this.#options.delayMs;
      if (delay <= 0) {
        socket.send(text);
        return;
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (socket.readyState === socket.OPEN) socket.send(text);
      }, delay);
      this.#timers.add(timer);
    });
  }
}
