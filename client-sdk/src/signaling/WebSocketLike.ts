import { FramewayError } from '@frameway/protocol';

/** The part of the browser `WebSocket` the SDK uses; a fake in tests. */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

/** `WebSocket.OPEN`, without touching the global where it may not exist. */
export const WEBSOCKET_OPEN = 1;

/** Opens a socket with the platform's `WebSocket`. */
export const createPlatformWebSocket: WebSocketFactory = (url) => {
  const WebSocketClass = (globalThis as { WebSocket?: new (url: string) => unknown }).WebSocket;
  if (!WebSocketClass) {
    throw new FramewayError('FW_ERR_CONNECTION_CLOSED', 'this environment has no WebSocket; pass createWebSocket');
  }
  // The DOM socket's handler types name DOM events; the fields the SDK reads are the same.
  return new WebSocketClass(url) as WebSocketLike;
};
