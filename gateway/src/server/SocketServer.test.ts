import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSocketServer, uwsLoadError } from './createSocketServer.js';
import { jsonResponse } from './httpResponses.js';
import type { SocketServer } from './SocketServer.js';

const uwsProblem = uwsLoadError();

for (const engine of ['node', 'uws'] as const) {
  const skip = engine === 'uws' && uwsProblem !== undefined;
  if (skip) console.warn(`[skip] socket server conformance on uWebSockets.js: ${uwsProblem}`);

  describe.skipIf(skip)(`SocketServer (${engine})`, () => {
    let server: SocketServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    async function start(setup: (s: SocketServer) => void): Promise<string> {
      server = createSocketServer(engine);
      setup(server);
      const port = await server.listen('127.0.0.1', 0);
      return `127.0.0.1:${port}`;
    }

    it('routes exact paths before mounts, and mounts before the fallback', async () => {
      const host = await start((s) => {
        s.route('POST', '/v1/demo/session', () => jsonResponse(201, { from: 'route' }));
        s.mount('/v1', (request) => jsonResponse(200, { from: 'mount', path: request.path, method: request.method }));
        s.fallback((request) => jsonResponse(404, { from: 'fallback', path: request.path }));
      });
      const post = await fetch(`http://${host}/v1/demo/session`, { method: 'POST' });
      expect([post.status, await post.json()]).toEqual([201, { from: 'route' }]);
      const mounted = await fetch(`http://${host}/v1/titles?limit=2`, { method: 'PUT', body: 'x' });
      expect(await mounted.json()).toEqual({ from: 'mount', path: '/v1/titles', method: 'PUT' });
      expect(await (await fetch(`http://${host}/v1`)).json()).toMatchObject({ from: 'mount' });
      expect(await (await fetch(`http://${host}/v10/x`)).json()).toEqual({ from: 'fallback', path: '/v10/x' });
    });

    it('passes the request body, query and lower-cased headers to handlers', async () => {
      const host = await start((s) =>
        s.route('POST', '/echo', (request) =>
          jsonResponse(200, {
            body: Buffer.from(request.body).toString(),
            q: request.query.get('q'),
            header: request.headers['x-test'],
          }),
        ),
      );
      const response = await fetch(`http://${host}/echo?q=1`, {
        method: 'POST',
        body: 'hello',
        headers: { 'X-Test': 'yes' },
      });
      expect(await response.json()).toEqual({ body: 'hello', q: '1', header: 'yes' });
    });

    it('echoes WebSocket text and binary frames and closes oversized ones with 1009', async () => {
      const host = await start((s) =>
        s.websocket('/ws', {
          maxPayloadBytes: 1024,
          idleTimeoutSeconds: 30,
          open: () => {},
          message: (connection, data, isBinary) =>
            connection.send(isBinary ? Uint8Array.from(data) : Buffer.from(data).toString()),
          close: () => {},
        }),
      );
      const socket = new WebSocket(`ws://${host}/ws`);
      await new Promise((resolve) => socket.once('open', resolve));
      const replies: (string | Buffer)[] = [];
      socket.on('message', (data, isBinary) => replies.push(isBinary ? Buffer.from(data as Buffer) : data.toString()));
      socket.send('text');
      socket.send(Buffer.from([1, 2, 3]));
      await expect.poll(() => replies.length).toBe(2);
      expect(replies[0]).toBe('text');
      expect([...(replies[1] as Buffer)]).toEqual([1, 2, 3]);
      const closed = new Promise<number>((resolve) => socket.once('close', resolve));
      socket.send('x'.repeat(2048));
      expect(await closed).toBe(1009);
    });
  });
}
