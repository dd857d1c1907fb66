import { type AnyMessage, decodeMessage, encodeMessage, type MessageType, type PayloadOf } from '@frameway/protocol';
import type { WebSocketLike } from '../signaling/WebSocketLike.js';

/**
 * A WebSocket whose far end is the test: `sent` holds what the SDK wrote,
 * `deliver()` plays a gateway message, `open()` / `remoteClose()` drive the lifecycle.
 */
export class FakeWebSocket implements WebSocketLike {
  readonly url: string;
  readyState = 0;
  binaryType = 'blob';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: AnyMessage[] = [];
  closedWith: { code: number | undefined; reason: string | undefined } | undefined;
  /** Called with every message the SDK sends, after it is recorded. */
  onSend: ((message: AnyMessage) => void) | undefined;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    const message = decodeMessage(data);
    this.sent.push(message);
    this.onSend?.(message);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  deliver<T extends MessageType>(t: T, p: PayloadOf<T>, id?: number): void {
    this.onmessage?.({ data: encodeMessage(t, p, id) });
  }

  deliverRaw(data: string): void {
    this.onmessage?.({ data });
  }

  remoteClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  sentOfType<T extends MessageType>(t: T): Extract<AnyMessage, { t: T }>[] {
    return this.sent.filter((message): message is Extract<AnyMessage, { t: T }> => message.t === t);
  }
}
