import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../server/SocketServer.js';
import { staticFiles } from './staticFiles.js';

function site() {
  const root = mkdtempSync(join(tmpdir(), 'fw-static-'));
  writeFileSync(join(root, 'index.html'), '<title>player</title>');
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'player.js'), 'export {}');
  return staticFiles(root, { '/': 'index.html' });
}

const get = (path: string, method = 'GET'): HttpRequest => ({
  method,
  path,
  query: new URLSearchParams(),
  headers: {},
  body: new Uint8Array(),
  remoteAddress: '127.0.0.1',
});

describe('staticFiles', () => {
  it('serves files and page aliases with their content type and cache policy', async () => {
    const serve = site();
    expect(await serve(get('/'))).toMatchObject({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
    });
    const script = await serve(get('/assets/player.js'));
    expect(script.headers).toEqual({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
    });
    expect(String(script.body)).toBe('export {}');
  });

  it('answers what is not a file, or outside the root, with a JSON 404 FW_ERR_NOT_FOUND', async () => {
    const serve = site();
    for (const path of ['/missing.js', '/assets', '/..%2f..%2fetc%2fpasswd', '/../../etc/passwd']) {
      const response = await serve(get(path));
      expect(response.status, path).toBe(404);
      expect(response.headers?.['content-type'], path).toContain('application/json');
      expect(JSON.parse(String(response.body)), path).toMatchObject({ code: 'FW_ERR_NOT_FOUND' });
    }
  });

  it('refuses writes with 405', async () => {
    expect(await site()(get('/', 'POST'))).toMatchObject({ status: 405, headers: { allow: 'GET, HEAD' } });
  });
});
