import { PROBE_MAX_MESSAGE_BYTES } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import type { WsConnection } from '../server/SocketServer.js';
import { probeEchoHandlers } from './probeEchoHandlers.js';

function connection() {
  const sent: (string | Uint8Array)[] = [];
  const closed: { code: number | undefined; reason: string | undefined }[] = [];
  const socket: WsConnection = {
    remoteAddress: '127.0.0.1',
    bufferedAmount: 0,
    send: (data) => {
      sent.push(data);
      return true;
    },
    close: (code, reason) => closed.push({ code, reason }),
  };
  return { socket, sent, closed };
}

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('probeEchoHandlers', () => {
  it('echoes every text frame unchanged, within the probe frame size', () => {
    const handlers = probeEchoHandlers();
    expect(handlers.maxPayloadBytes).toBe(PROBE_MAX_MESSAGE_BYTES);
    const c = connection();
    handlers.open(c.socket);
    handlers.message(c.socket, text('1'), false);
    handlers.message(c.socket, text('2 é'), false);
    expect(c.sent).toEqual(['1', '2 é']);
    expect(c.closed).toEqual([]);
  });

  it('closes a socket that sends binary frames', () => {
    const handlers = probeEchoHandlers();
    const c = connection();
    handlers.open(c.socket);
    handlers.message(c.socket, Uint8Array.of(1, 2, 3), true);
    expect(c.sent).toEqual([]);
    expect(c.closed).toEqual([{ code: 1003, reason: 'probe frames are text' }]);
  });

  it('closes a socket after more frames than a probe round needs, counting per socket', () => {
    const handlers = probeEchoHandlers(3);
    const a = connection();
    const b = connection();
    handlers.open(a.socket);
    handlers.open(b.socket);
    for (let i = 1; i <= 4; i++) handlers.message(a.socket, text(String(i)), false);
    handlers.message(b.socket, text('x'), false);
    expect(a.sent).toEqual(['1', '2', '3']);
    expect(a.closed).toEqual([{ code: 1008, reason: 'probe limit reached' }]);
    expect(b.sent).toEqual(['x']);
    expect(b.closed).toEqual([]);
  });
});
