import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { FramewayError } from '@frameway/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import { createLogger } from '../logging/logger.js';
import { errorResponse } from './httpResponses.js';
import {
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  MAX_HTTP_BODY_BYTES,
  type SocketServer,
  type WsConnection,
  type WsHandlers,
} from './SocketServer.js';

const log = createLogger('server.node');

/** SocketServer on node:http + ws: used where the uWebSockets.js binary cannot load. */
export class NodeSocketServer implements SocketServer {
  readonly engine = 'node' as const;
  readonly #routes = new Map<string, HttpHandler>();
  readonly #mounts: { prefix: string; handler: HttpHandler }[] = [];
  readonly #sockets = new Map<string, { wss: WebSocketServer; handlers: WsHandlers }>();
  #fallback: HttpHandler = () => errorResponse(new FramewayError('FW_ERR_NOT_FOUND', 'not found'), 404);
  #server: Server | undefined;

  route(method: string, path: string, handler: HttpHandler): void {
    this.#routes.set(`${method} ${path}`, handler);
  }

  mount(prefix: string, handler: HttpHandler): void {
    this.#mounts.push({ prefix: prefix.replace(/\/+$/, ''), handler });
    // Longest prefix first, so /v1/admin wins over /v1.
    this.#mounts.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  fallback(handler: HttpHandler): void {
    this.#fallback = handler;
  }

  websocket(path: string, handlers: WsHandlers): void {
    const wss = new WebSocketServer({ noServer: true, maxPayload: handlers.maxPayloadBytes });
    wss.on('connection', (socket: WebSocket, request: IncomingMessage) => this.#accept(socket, request, handlers));
    this.#sockets.set(path, { wss, handlers });
  }

  listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => void this.#handleHttp(req, res));
    server.on('upgrade', (req, socket, head) => this.#handleUpgrade(req, socket, head));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const { wss } of this.#sockets.values()) {
      for (const client of wss.clients) client.terminate();
      wss.close();
    }
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const entry = this.#sockets.get(path);
    if (!entry) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    entry.wss.handleUpgrade(req, socket, head, (ws) => entry.wss.emit('connection', ws, req));
  }

  #accept(socket: WebSocket, request: IncomingMessage, handlers: WsHandlers): void {
    const connection: WsConnection = {
      remoteAddress: request.socket.remoteAddress ?? '',
      send: (data) => {
        if (socket.readyState !== socket.OPEN) return false;
        socket.send(data, { binary: typeof data !== 'string' });
        return true;
      },
      get bufferedAmount() {
        return socket.bufferedAmount;
      },
      close: (code = 1000, reason = '') => socket.close(code, reason),
    };
    // Liveness: ping on the idle interval; a peer that misses one pong is dropped.
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    const pinger = setInterval(
      () => {
        if (!alive) {
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      },
      (handlers.idleTimeoutSeconds * 1000) / 2,
    );
    pinger.unref();
    socket.on('message', (data, isBinary) => {
      alive = true;
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      try {
        handlers.message(connection, bytes, isBinary);
      } catch (error) {
        log.error({ err: error }, 'websocket message handler threw');
      }
    });
    socket.on('close', (code, reason) => {
      clearInterval(pinger);
      handlers.close(connection, code, reason.toString());
    });
    socket.on('error', (error) => log.debug({ err: error }, 'websocket error'));
    handlers.open(connection);
  }

  async #handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: HttpResponse;
    try {
      const request = await readRequest(req);
      const handler =
        this.#routes.get(`${request.method} ${request.path}`) ??
        this.#routes.get(`* ${request.path}`) ??
        this.#mounts.find((m) => request.path === m.prefix || request.path.startsWith(`${m.prefix}/`))?.handler ??
        this.#fallback;
      response = await handler(request);
    } catch (error) {
      response = errorResponse(error);
    }
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  }
}

async function readRequest(req: IncomingMessage): Promise<HttpRequest> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_HTTP_BODY_BYTES) {
      throw new FramewayError('FW_ERR_MESSAGE_TOO_LARGE', `request body exceeds ${MAX_HTTP_BODY_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks),
    remoteAddress: req.socket.remoteAddress ?? '',
  };
}
