import type {
  TemplatedApp,
  HttpRequest as UwsHttpRequest,
  HttpResponse as UwsHttpResponse,
  WebSocket as UwsWebSocket,
  us_listen_socket,
} from 'uWebSockets.js';
import { FramewayError } from '@frameway/protocol';
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

const log = createLogger('server.uws');

type UwsModule = typeof import('uWebSockets.js');

interface SocketData {
  connection: WsConnection;
  handlers: WsHandlers;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** SocketServer on uWebSockets.js: the production engine for the gateway's public sockets. */
export class UwsSocketServer implements SocketServer {
  readonly engine = 'uws' as const;
  readonly #uws: UwsModule;
  readonly #app: TemplatedApp;
  readonly #open = new Set<UwsWebSocket<SocketData>>();
  #fallback: HttpHandler | undefined;
  #listenSocket: us_listen_socket | undefined;

  constructor(uws: UwsModule) {
    this.#uws = uws;
    this.#app = uws.App();
  }

  route(method: string, path: string, handler: HttpHandler): void {
    const register = method === '*' ? this.#app.any : this.#methodRegistrar(method);
    register.call(this.#app, path, (res, req) => this.#serve(res, req, handler));
  }

  mount(prefix: string, handler: HttpHandler): void {
    const base = prefix.replace(/\/+$/, '');
    // uWS ranks static routes above wildcards, so exact routes still win.
    this.#app.any(base, (res, req) => this.#serve(res, req, handler));
    this.#app.any(`${base}/*`, (res, req) => this.#serve(res, req, handler));
  }

  fallback(handler: HttpHandler): void {
    this.#fallback = handler;
  }

  websocket(path: string, handlers: WsHandlers): void {
    this.#app.ws<SocketData>(path, {
      maxPayloadLength: handlers.maxPayloadBytes,
      idleTimeout: handlers.idleTimeoutSeconds,
      sendPingsAutomatically: true,
      closeOnBackpressureLimit: false,
      maxBackpressure: 4 * 1024 * 1024,
      upgrade: (res, req, context) => {
        const address = Buffer.from(res.getRemoteAddressAsText()).toString();
        const connection = this.#connectionFor(address);
        res.upgrade<SocketData>(
          { connection, handlers },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const data = ws.getUserData();
        (data.connection as UwsConnection).bind(ws);
        this.#open.add(ws);
        data.handlers.open(data.connection);
      },
      message: (ws, message, isBinary) => {
        const data = ws.getUserData();
        try {
          data.handlers.message(data.connection, new Uint8Array(message), isBinary);
        } catch (error) {
          log.error({ err: error }, 'websocket message handler threw');
        }
      },
      close: (ws, code, message) => {
        this.#open.delete(ws);
        const data = ws.getUserData();
        (data.connection as UwsConnection).unbind();
        data.handlers.close(data.connection, code, Buffer.from(message).toString());
      },
    });
  }

  listen(host: string, port: number): Promise<number> {
    this.#app.any('/*', (res, req) => {
      const fallback = this.#fallback;
      if (fallback) this.#serve(res, req, fallback);
      else this.#serve(res, req, () => errorResponse(new FramewayError('FW_ERR_SESSION_NOT_FOUND', 'not found'), 404));
    });
    return new Promise((resolve, reject) => {
      this.#app.listen(host, port, (token) => {
        if (!token) {
          reject(new Error(`uWebSockets.js could not listen on ${host}:${port}`));
          return;
        }
        this.#listenSocket = token;
        resolve(this.#uws.us_socket_local_port(token));
      });
    });
  }

  async close(): Promise<void> {
    if (this.#listenSocket) {
      this.#uws.us_listen_socket_close(this.#listenSocket);
      this.#listenSocket = undefined;
    }
    for (const ws of [...this.#open]) ws.close();
    this.#open.clear();
    this.#app.close?.();
  }

  #methodRegistrar(method: string): TemplatedApp['get'] {
    switch (method) {
      case 'GET':
        return this.#app.get;
      case 'POST':
        return this.#app.post;
      case 'PUT':
        return this.#app.put;
      case 'DELETE':
        return this.#app.del;
      case 'PATCH':
        return this.#app.patch;
      default:
        throw new Error(`unsupported method ${method}`);
    }
  }

  #connectionFor(remoteAddress: string): UwsConnection {
    return new UwsConnection(remoteAddress);
  }

  /** uWS gives request data only synchronously in the handler; read it all first, then await the handler. */
  #serve(res: UwsHttpResponse, req: UwsHttpRequest, handler: HttpHandler): void {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    const headers: Record<string, string> = {};
    req.forEach((key, value) => {
      headers[key] = value;
    });
    const url = req.getUrl();
    const request: Omit<HttpRequest, 'body'> = {
      method: req.getMethod().toUpperCase(),
      path: url,
      query: new URLSearchParams(req.getQuery() ?? ''),
      headers,
      remoteAddress: Buffer.from(res.getRemoteAddressAsText()).toString(),
    };
    const chunks: Buffer[] = [];
    let size = 0;
    res.onData((chunk, isLast) => {
      size += chunk.byteLength;
      if (size <= MAX_HTTP_BODY_BYTES) chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast) return;
      const respond = async (): Promise<HttpResponse> => {
        if (size > MAX_HTTP_BODY_BYTES) {
          throw new FramewayError('FW_ERR_MESSAGE_TOO_LARGE', `request body exceeds ${MAX_HTTP_BODY_BYTES} bytes`);
        }
        return handler({ ...request, body: Buffer.concat(chunks) });
      };
      respond()
        .catch((error: unknown) => errorResponse(error))
        .then((response) => {
          if (aborted) return;
          res.cork(() => {
            res.writeStatus(`${response.status} ${STATUS_TEXT[response.status] ?? ''}`.trim());
            for (const [key, value] of Object.entries(response.headers ?? {})) res.writeHeader(key, value);
            res.end(response.body ?? '');
          });
        });
    });
  }
}

class UwsConnection implements WsConnection {
  readonly remoteAddress: string;
  #ws: UwsWebSocket<SocketData> | undefined;

  constructor(remoteAddress: string) {
    this.remoteAddress = remoteAddress;
  }

  bind(ws: UwsWebSocket<SocketData>): void {
    this.#ws = ws;
  }

  unbind(): void {
    this.#ws = undefined;
  }

  get bufferedAmount(): number {
    return this.#ws?.getBufferedAmount() ?? 0;
  }

  send(data: string | Uint8Array): boolean {
    if (!this.#ws) return false;
    return this.#ws.send(data, typeof data !== 'string') !== 2;
  }

  close(code = 1000, reason = ''): void {
    this.#ws?.end(code, reason);
  }
}
