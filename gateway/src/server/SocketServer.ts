/**
 * The gateway's public listener: plain HTTP routes, static files and
 * WebSocket endpoints on one port. Two engines implement it: uWebSockets.js
 * (production) and node:http + ws (fallback where the uWS binary cannot load).
 */
export interface HttpRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case header names. */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
  remoteAddress: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export type HttpHandler = (request: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** One accepted WebSocket, engine-independent. */
export interface WsConnection {
  readonly remoteAddress: string;
  /** Returns false when the message was dropped or buffered past the backpressure limit. */
  send(data: string | Uint8Array): boolean;
  /** Bytes queued but not yet written to the socket. */
  readonly bufferedAmount: number;
  close(code?: number, reason?: string): void;
}

export interface WsHandlers {
  /**
   * Largest frame accepted; larger frames close the socket with 1009. On the
   * uWS engine a frame over 4× this limit is dropped with the TCP connection
   * (the client sees 1006): uWS itself buffers at most 4× before giving up.
   */
  maxPayloadBytes: number;
  /** Seconds without traffic before the engine drops the socket (engines ping to keep it alive). */
  idleTimeoutSeconds: number;
  open(connection: WsConnection): void;
  /** `data` is only valid during the call: copy what you keep. */
  message(connection: WsConnection, data: Uint8Array, isBinary: boolean): void;
  close(connection: WsConnection, code: number, reason: string): void;
}

export interface SocketServer {
  readonly engine: 'uws' | 'node';
  route(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | '*', path: string, handler: HttpHandler): void;
  /**
   * Handler for every request under `prefix` (e.g. '/v1' matches /v1/...) that
   * no exact route matched; how a framework such as Fastify is plugged in.
   */
  mount(prefix: string, handler: HttpHandler): void;
  /** Handler for every request no route or mount matched (static files, 404). */
  fallback(handler: HttpHandler): void;
  websocket(path: string, handlers: WsHandlers): void;
  /** Resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops listening and closes every open socket. */
  close(): Promise<void>;
}

/** Upper bound on a request body the HTTP layer buffers. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;
