import type { FastifyInstance } from 'fastify';
import type { HttpHandler, HttpRequest, HttpResponse } from '../server/SocketServer.js';

/** Headers that describe one hop's connection, not the response; the listener sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'content-length']);

/**
 * Serves a Fastify app from the gateway's own listener (either engine):
 * each HttpRequest is replayed into the app with `inject()` (light-my-request,
 * no socket) and the response mapped back. Use with `SocketServer.mount()`.
 */
export function fastifyBridge(app: FastifyInstance): HttpHandler {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    const query = request.query.toString();
    const response = await app.inject({
      method: request.method as 'GET',
      url: query ? `${request.path}?${query}` : request.path,
      // The body arrives whole: let inject() describe it, whatever framing the client used.
      headers: withoutFraming(request.headers),
      remoteAddress: request.remoteAddress,
      ...(request.body.byteLength > 0
        ? { payload: Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength) }
        : {}),
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    return { status: response.statusCode, headers, body: response.rawPayload };
  };
}

function withoutFraming(headers: Readonly<Record<string, string>>): Record<string, string> {
  const { 'content-length': _length, 'transfer-encoding': _encoding, ...rest } = headers;
  return rest;
}
