import { createRequire } from 'node:module';
import { createLogger } from '../logging/logger.js';
import { NodeSocketServer } from './NodeSocketServer.js';
import type { SocketServer } from './SocketServer.js';
import { UwsSocketServer } from './UwsSocketServer.js';

const log = createLogger('server');

export type ServerEngine = 'auto' | 'uws' | 'node';

/** Why uWebSockets.js is unusable on this host, or undefined when it loads. */
export function uwsLoadError(): string | undefined {
  try {
    createRequire(import.meta.url)('uWebSockets.js');
    return undefined;
  } catch (error) {
    // uWS throws a long message; the cause line (e.g. a missing GLIBC version) is what matters.
    const text = String((error as Error).message ?? error);
    const cause = text.split('\n').find((line) => /^Error: .*(GLIBC_|not found|cannot open|No such file)/.test(line));
    return (cause ?? text.split('\n')[0] ?? text).trim();
  }
}

/**
 * Picks the socket engine: uWebSockets.js when it loads (`auto`, `uws`),
 * otherwise node:http + ws. `uws` refuses to fall back.
 */
export function createSocketServer(engine: ServerEngine): SocketServer {
  if (engine === 'node') return new NodeSocketServer();
  const loadError = uwsLoadError();
  if (loadError === undefined) {
    const uws = createRequire(import.meta.url)('uWebSockets.js') as typeof import('uWebSockets.js');
    return new UwsSocketServer(uws);
  }
  if (engine === 'uws') throw new Error(`uWebSockets.js cannot load on this host: ${loadError}`);
  log.warn({ reason: loadError }, 'uWebSockets.js unavailable on this host; using node:http + ws');
  return new NodeSocketServer();
}
