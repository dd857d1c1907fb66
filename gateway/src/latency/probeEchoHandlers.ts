import { PROBE_MAX_MESSAGE_BYTES, PROBE_MAX_MESSAGES_PER_SOCKET } from '@frameway/protocol';
import type { WsConnection, WsHandlers } from '../server/SocketServer.js';

/**
 * The gateway's latency probe endpoint (`/probe`): every text frame of at
 * most PROBE_MAX_MESSAGE_BYTES comes straight back. Agents measure the
 * gateway with it; it is the same echo the agents serve to players. A socket
 * that sends binary, or more frames than one probe round needs, is closed.
 */
export function probeEchoHandlers(maxMessages = PROBE_MAX_MESSAGES_PER_SOCKET): WsHandlers {
  const counts = new WeakMap<WsConnection, number>();
  return {
    maxPayloadBytes: PROBE_MAX_MESSAGE_BYTES,
    idleTimeoutSeconds: 10,
    open: (connection) => counts.set(connection, 0),
    message: (connection, data, isBinary) => {
      if (isBinary) {
        connection.close(1003, 'probe frames are text');
        return;
      }
      const count = (counts.get(connection) ?? 0) + 1;
      counts.set(connection, count);
      if (count > maxMessages) {
        connection.close(1008, 'probe limit reached');
        return;
      }
      connection.send(Buffer.from(data).toString('utf8'));
    },
    close: (connection) => counts.delete(connection),
  };
}
