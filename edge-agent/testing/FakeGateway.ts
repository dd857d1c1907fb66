import type { AddressInfo } from 'node:net';
import {
  AgentToGateway,
  type AnyMessage,
  type Envelope,
  type FramewayError,
  MessageType,
  SignalingChannel,
} from '@frameway/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeGatewayOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  heartbeatIntervalMs?: number;
  /** Answer AgentRegister with this error instead of accepting. */
  rejectRegistration?: FramewayError;
}

/**
 * A minimal gateway for agent tests: accepts agent sockets on 127.0.0.1,
 * answers AgentRegister, records every message and lets the test send
 * requests and binary input over the latest connection.
 */
export class FakeGateway {
  readonly received: AnyMessage[] = [];
  readonly #server: WebSocketServer;
  readonly #options: FakeGatewayOptions;
  readonly #sockets = new Set<WebSocket>();
  #channel: SignalingChannel | undefined;
  #socket: WebSocket | undefined;
  #connections = 0;
  #waiters: Array<() => void> = [];

  private constructor(server: WebSocketServer, options: FakeGatewayOptions) {
    this.#server = server;
    this.#options = options;
    server.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0, path: '/ws/agent' });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new FakeGateway(server, options);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#server.address() as AddressInfo).port}/ws/agent`;
  }

  /** Agent sockets accepted so far. */
  get connections(): number {
    return this.#connections;
  }

  /** The signaling channel of the latest agent socket. */
  get channel(): SignalingChannel {
    if (!this.#channel) throw new Error('no agent connected');
    return this.#channel;
  }

  messages<T extends MessageType>(t: T): Envelope<T>[] {
    return this.received.filter((message): message is AnyMessage & Envelope<T> => message.t === t);
  }

  /** Resolves with the `count`-th message of type `t` (1-based), waiting for it if needed. */
  waitForMessage<T extends MessageType>(t: T, count = 1, timeoutMs = 5_000): Promise<Envelope<T>> {
    return this.waitUntil(() => this.messages(t).length >= count, timeoutMs, `message ${t} #${count}`).then(
      () => this.messages(t)[count - 1] as Envelope<T>,
    );
  }

  waitUntil(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake gateway: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== check);
      };
      this.#waiters.push(check);
    });
  }

  sendBinary(bytes: Uint8Array): void {
    this.#socket?.send(bytes, { binary: true });
  }

  /** Kills every agent socket without a closing handshake, like a crashed gateway or a cut cable. */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.terminate();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onConnection(socket: WebSocket): void {
    this.#connections += 1;
    this.#sockets.add(socket);
    this.#socket = socket;
    const channel = new SignalingChannel({
      send: (text) => socket.send(text),
      accepts: AgentToGateway,
      onMessage: (message) => {
        this.received.push(message);
        if (message.t === MessageType.AgentRegister) {
          if (this.#options.rejectRegistration) channel.replyError(message.id, this.#options.rejectRegistration);
          else {
            channel.reply(message, MessageType.AgentRegistered, {
              nodeId: `node-${this.#connections}`,
              heartbeatIntervalMs: this.#options.heartbeatIntervalMs ?? 100,
            });
          }
        }
        for (const wake of [...this.#waiters]) wake();
      },
    });
    this.#channel = channel;
    // As the real gateway does: the identity challenge the agent's registration must sign.
    channel.notify(MessageType.AgentChallenge, { nonce: `0x${'5a'.repeat(32)}`, gateway: 'fake-gateway' });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) channel.receive(data as Buffer);
    });
    socket.on('close', () => {
      this.#sockets.delete(socket);
      channel.close('agent socket closed');
      for (const wake of [...this.#waiters]) wake();
    });
  }
}
