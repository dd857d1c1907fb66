import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { FramewayError } from '@frameway/protocol';
import { errorResponse } from '../server/httpResponses.js';
import type { HttpHandler, HttpResponse } from '../server/SocketServer.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to an HTML page for extension-less routes (e.g. /phone → phone.html). */
export type PageAliases = Readonly<Record<string, string>>;

/**
 * Serves files under `root` read-only; never escapes it. Cached in memory
 * after the first read. As the listener's last handler it also answers every
 * path nothing else knows: a JSON 404 FW_ERR_NOT_FOUND like the APIs'.
 */
export function staticFiles(root: string, aliases: PageAliases = { '/': 'index.html' }): HttpHandler {
  const cache = new Map<string, HttpResponse>();
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return { status: 405, headers: { allow: 'GET, HEAD' }, body: 'method not allowed' };
    }
    const relative = aliases[request.path] ?? decodeURIComponent(request.path).replace(/^\/+/, '');
    const file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return notFound(request.path);
    const cached = cache.get(file);
    if (cached) return cached;
    try {
      if (!(await stat(file)).isFile()) return notFound(request.path);
      const body = await readFile(file);
      const response: HttpResponse = {
        status: 200,
        headers: {
          'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': extname(file) === '.html' ? 'no-cache' : 'public, max-age=300',
        },
        body,
      };
      cache.set(file, response);
      return response;
    } catch {
      return notFound(request.path);
    }
  };
}

function notFound(path: string): HttpResponse {
  return errorResponse(new FramewayError('FW_ERR_NOT_FOUND', `nothing at ${path}`));
}
