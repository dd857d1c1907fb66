import type {
  TemplatedApp,
  HttpRequest as UwsHttpRequest,
  HttpResponse as UwsHttpResponse,
  WebSocket as UwsWebSocket,
  us_listen_socket,
} from 'uWebSockets.js';
import { STATUS_CODES } from 'node:http';
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

/**
 * uWS force-closes a socket whose frame exceeds `maxPayloadLength` without
 * sending a close frame (the peer sees 1006). So uWS gets a higher ceiling
 * and frames between the handler's limit and that ceiling are refused here
 * with a 1009 close frame, as the SocketServer contract says. Frames beyond
 * the ceiling still get uWS's abrupt close (1006), which bounds what uWS
 * buffers for one socket.
 */
const OVERSIZE_CEILING_FACTOR = 4;

/** Statuses whose responses never carry a body, nor a Content-Length of 0. */
function isBodiless(status: number): boolean {
  return (status >= 100 && status < 200) || status === 204 || status === 304;
}

/** SocketServer on uWebSockets.js: the production engine for the gateway's public sockets. */
export class UwsSocketServer implements SocketServer {
  readonly engine = 'uws' as const;
  readonly #uws: UwsModule;
  readonly #app: TemplatedApp;
  readonly #open = new Set<UwsWebSocket<SocketData>>();
  #fallback: HttpHandler | undefined;
  /** mount('/') — every path; served by the catch-all route before the fallback. */
  #rootMount: HttpHandler | undefined;
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
    if (base === '') {
      // A second '/*' route would compete with the catch-all registered in listen().
      this.#rootMount = handler;
      return;
    }
    // uWS ranks static routes above wildcards, so exact routes still win.
    this.#app.any(base, (res, req) => this.#serve(res, req, handler));
    this.#app.any(`${base}/*`, (res, req) => this.#serve(res, req, handler));
  }

  fallback(handler: HttpHandler): void {
    this.#fallback = handler;
  }

  websocket(path: string, handlers: WsHandlers): void {
    const limit = handlers.maxPayloadBytes;
    this.#app.ws<SocketData>(path, {
      maxPayloadLength: limit * OVERSIZE_CEILING_FACTOR,
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
        if (message.byteLength > limit) {
          ws.end(1009, 'message too big');
          return;
        }
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
      const fallback = this.#rootMount ?? this.#fallback;
      if (fallback) this.#serve(res, req, fallback);
      else this.#serve(res, req, () => errorResponse(new FramewayError('FW_ERR_NOT_FOUND', 'not found'), 404));
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
    const method = req.getMethod().toUpperCase();
    const request: Omit<HttpRequest, 'body'> = {
      method,
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
            // The status line needs the space after the code even when there is no reason phrase.
            res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ''}`);
            for (const [key, value] of Object.entries(response.headers ?? {})) res.writeHeader(key, value);
            const body = response.body ?? '';
            // uWS writes whatever body it is given, even for HEAD (which then corrupts the
            // next response on a keep-alive connection) and Content-Length: 0 on 204/304.
            if (isBodiless(response.status)) res.endWithoutBody();
            else if (method === 'HEAD') {
              // Report the GET body's length when the handler gave one (staticFiles does).
              const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
              if (length > 0) res.endWithoutBody(length);
              else res.endWithoutBody();
            } else res.end(body);
          });
        })
        .catch((error: unknown) => {
          // E.g. a header value uWS refuses: drop the connection rather than leave it hanging
          // or let the rejection go unhandled (which would end the process).
          log.error({ err: error }, 'failed to write HTTP response');
          if (aborted) return;
          aborted = true;
          try {
            res.close();
          } catch {
            // Already ended or closed.
          }
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
