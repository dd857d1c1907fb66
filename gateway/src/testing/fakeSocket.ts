import { type AnyMessage, decodeMessage } from '@frameway/protocol';
import type { WsConnection } from '../server/SocketServer.js';

/** The socket under a real PlayerLink or AgentLink: what the gateway sent, decoded, and how it was closed. */
export function fakeSocket() {
  const sent: AnyMessage[] = [];
  const closes: { code: number | undefined; reason: string | undefined }[] = [];
  const connection: WsConnection = {
    remoteAddress: '127.0.0.1',
    bufferedAmount: 0,
    send: (data) => {
      sent.push(decodeMessage(data));
      return true;
    },
    close: (code, reason) => {
      closes.push({ code, reason });
    },
  };
  return { connection, sent, closes };
}
