import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BaselineSession, type BaselineSessionInfo } from './BaselineSession.js';

export interface BaselineServerOptions {
  /** Negotiate playout-delay min = max = 0 (default true). */
  playoutDelay?: boolean;
  ffmpegPath?: string;
}

/** Static files of the baseline page, by URL path. */
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'page.html', type: 'text/html; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
};

/**
 * Reference stream for the latency bench: ffmpeg → werift → Chromium with no
 * Frameway gateway or agent code in between. Serves a page on 127.0.0.1 that
 * offers over a WebSocket (`{ type: 'offer', sdp }` → `{ type: 'answer', sdp }`)
 * and plays the stream in `#video`.
 * @example await using baseline = await BaselineServer.start(); await page.goto(baseline.url);
 */
export class BaselineServer implements AsyncDisposable {
  readonly url: string;
  #http: Server;
  #wss: WebSocketServer;
  #sessions = new Set<BaselineSession>();
  #lastSession: BaselineSession | null = null;

  private constructor(http: Server, wss: WebSocketServer) {
    this.#http = http;
    this.#wss = wss;
    const { port } = http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
  }

  static async start(options: BaselineServerOptions = {}): Promise<BaselineServer> {
    const sessionOptions = {
      playoutDelay: options.playoutDelay ?? true,
      ffmpegPath: options.ffmpegPath ?? process.env.FFMPEG_BIN ?? 'ffmpeg',
    };
    const http = createServer((req, res) => {
      const entry = PAGE_FILES[new URL(req.url ?? '/', 'http://localhost').pathname];
      if (!entry) {
        res.writeHead(404).end();
        return;
      }
      readFile(new URL(entry.file, import.meta.url)).then(
        (body) => res.writeHead(200, { 'content-type': entry.type, 'cache-control': 'no-store' }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    const wss = new WebSocketServer({ server: http, path: '/signal' });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(0, '127.0.0.1', resolve);
    });
    const server = new BaselineServer(http, wss);

    wss.on('connection', (ws) => {
      let session: BaselineSession | null = null;
      ws.on('message', async (data) => {
        try {
          const message = JSON.parse(String(data)) as { type?: string; sdp?: string };
          if (message.type !== 'offer' || typeof message.sdp !== 'string' || session) return;
          session = await BaselineSession.answer(message.sdp, sessionOptions);
          server.#sessions.add(session);
          server.#lastSession = session;
          ws.send(JSON.stringify({ type: 'answer', sdp: session.info.answerSdp }));
        } catch (error) {
          ws.send(JSON.stringify({ type: 'error', message: String(error) }));
        }
      });
      // The signaling socket is the session's lifetime: a closed tab stops ffmpeg.
      ws.on('close', () => {
        if (!session) return;
        server.#sessions.delete(session);
        void session.close();
      });
    });
    return server;
  }

  /** Counters and negotiated parameters of the most recent viewer. */
  get lastSession(): BaselineSessionInfo | null {
    return this.#lastSession?.info ?? null;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#sessions].map((s) => s.close()));
    this.#sessions.clear();
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
