import { FramewayError } from '@frameway/protocol';
import type { HttpResponse } from './SocketServer.js';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** Every HTTP error is a JSON body with a stable FW_ERR_* code. */
export function errorResponse(error: unknown, status?: number): HttpResponse {
  const fwError =
    error instanceof FramewayError
      ? error
      : new FramewayError('FW_ERR_INTERNAL', 'internal error', undefined, { cause: error });
  return jsonResponse(status ?? fwError.status, fwError.toJSON());
}
