import { PROBE_PATH } from '@frameway/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ProbeServer, type ProbeServerOptions } from './ProbeServer.js';
import { probeTargets } from './probeTargets.js';

const servers: ProbeServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function listen(options: Partial<ProbeServerOptions> = {}): Promise<{ server: ProbeServer; url: string }> {
  const server = new ProbeServer({ host: '127.0.0.1', port: 0, ...options });
  servers.push(server);
  const port = await server.listen();
  expect(server.port).toBe(port);
  return { server, url: `ws://127.0.0.1:${port}${PROBE_PATH}` };
}

/** An open client socket that records what comes back and how it closes. */
async function connect(url: string) {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const received: string[] = [];
  socket.on('message', (data) => received.push(String(data)));
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (received.length >= count ? resolve() : setTimeout(check, 5));
      check();
    });
  return { socket, received, closed, next };
}

describe('ProbeServer', () => {
  it('echoes every text frame back over loopback', async () => {
    const { url } = await listen();
    const client = await connect(url);
    for (const text of ['1', '2', 'hello']) client.socket.send(text);
    await client.next(3);
    expect(client.received).toEqual(['1', '2', 'hello']);
  });

  it('holds every echo for delayMs when asked to look further away', async () => {
    const { url } = await listen({ delayMs: 40 });
    const client = await connect(url);
    const started = performance.now();
    client.socket.send('1');
    await client.next(1);
    // A lower bound only (timers may fire up to a millisecond early); a busy machine may take far longer.
    expect(performance.now() - started).toBeGreaterThanOrEqual(38);
    expect(client.received).toEqual(['1']);
  });

  it('closes a socket that sends binary, or more frames than a probe round needs', async () => {
    const { url } = await listen({ maxMessagesPerSocket: 3 });
    const binary = await connect(url);
    binary.socket.send(Buffer.from([1, 2, 3]));
    expect(await binary.closed).toBe(1003);

    const chatty = await connect(url);
    for (let i = 1; i <= 4; i++) chatty.socket.send(String(i));
    expect(await chatty.closed).toBe(1008);
    expect(chatty.received).toEqual(['1', '2', '3']);
  });

  it('refuses sockets beyond maxConnections', async () => {
    const { url } = await listen({ maxConnections: 1 });
    const first = await connect(url);
    const second = await connect(url);
    expect(await second.closed).toBe(1013);
    first.socket.send('still here');
    await first.next(1);
    expect(first.received).toEqual(['still here']);
  });

  it('drops open sockets when it closes, and closing twice is harmless', async () => {
    const { server, url } = await listen({ delayMs: 10_000 });
    const client = await connect(url);
    client.socket.send('1'); // its echo is pending when the server closes
    await server.close();
    expect(await client.closed).toBe(1006);
    await server.close();
    expect(client.received).toEqual([]);
  });
});

describe('probeTargets', () => {
  it('measures every target in parallel over loopback; an unreachable one comes back with nothing received', async () => {
    const near = await listen();
    const far = await listen({ delayMs: 30 });
    const gone = await listen();
    await gone.server.close();
    const results = await probeTargets(
      [
        { id: 'near', url: near.url },
        { id: 'far', url: far.url },
        { id: 'gone', url: gone.url },
      ],
      { samples: 3, timeoutMs: 5000 },
    );
    expect(results.map((r) => [r.id, r.received])).toEqual([
      ['near', 3],
      ['far', 3],
      ['gone', 0],
    ]);
    expect(results[0]!.rttMs).toBeGreaterThanOrEqual(0);
    expect(results[1]!.minRttMs).toBeGreaterThanOrEqual(28);
    expect(results[1]!.rttMs).toBeGreaterThanOrEqual(results[1]!.minRttMs!);
    expect(results[2]).toEqual({ id: 'gone', sent: 0, received: 0 });
  });

  it('adds its own simulated distance to every sample it sends', async () => {
    const { url } = await listen();
    const [result] = await probeTargets([{ id: 'n', url }], { samples: 2, timeoutMs: 5000, sendDelayMs: 25 });
    expect(result).toMatchObject({ id: 'n', sent: 2, received: 2 });
    expect(result!.minRttMs).toBeGreaterThanOrEqual(23);
  });
});
