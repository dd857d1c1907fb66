import { MessageType, type SignalingChannel } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { eventually } from '../../testing/processes.js';
import { GatewayLink } from './GatewayLink.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A WebSocket server that accepts and then ignores everything (a hung gateway). */
async function silentServer() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return { server, url: `ws://127.0.0.1:${port}` };
}

function createLink(url: string) {
  const link = new GatewayLink({ url, reconnect: { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 } });
  cleanups.push(() => link.close());
  const ups: SignalingChannel[] = [];
  const downs: string[] = [];
  link.on('up', (channel) => ups.push(channel));
  link.on('down', (reason) => downs.push(reason));
  return { link, ups, downs };
}

describe('GatewayLink', () => {
  it('fails a pending request with FW_ERR_CONNECTION_CLOSED when the socket drops, then reconnects', async () => {
    const { server, url } = await silentServer();
    const { link, ups, downs } = createLink(url);
    link.start();
    await eventually(() => ups.length === 1, 2_000, 'first connection');
    const pending = (ups[0] as SignalingChannel).request(MessageType.Ping, { ts: 1 });
    for (const client of server.clients) client.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'FW_ERR_CONNECTION_CLOSED' });
    expect(downs).toHaveLength(1);
    await eventually(() => ups.length === 2, 2_000, 'reconnection');
    expect(link.connects).toBe(2);
  });

  it('delivers binary frames as bytes and text frames to the signaling channel', async () => {
    const { server, url } = await silentServer();
    const { link, ups } = createLink(url);
    const binaries: Uint8Array[] = [];
    const messages: number[] = [];
    link.on('binary', (data) => binaries.push(data));
    link.on('message', (message) => messages.push(message.t));
    link.start();
    await eventually(() => ups.length === 1, 2_000, 'connection');
    for (const client of server.clients) {
      client.send(Uint8Array.of(1, 2, 3), { binary: true });
      client.send(JSON.stringify({ t: MessageType.KeyframeRequest, p: { sessionId: 's' } }));
    }
    await eventually(() => binaries.length === 1 && messages.length === 1, 2_000, 'frames');
    expect([...(binaries[0] as Uint8Array)]).toEqual([1, 2, 3]);
    expect(messages).toEqual([MessageType.KeyframeRequest]);
  });

  it('stops reconnecting after close()', async () => {
    const { server, url } = await silentServer();
    const { link, ups } = createLink(url);
    link.start();
    await eventually(() => ups.length === 1, 2_000, 'connection');
    await link.close();
    expect(link.channel).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.clients.size).toBe(0);
    expect(link.connects).toBe(1);
  });
});
