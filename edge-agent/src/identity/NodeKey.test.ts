import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyMessage } from 'viem';
import { describe, expect, it } from 'vitest';
import { NodeKey } from './NodeKey.js';

describe('NodeKey', () => {
  it('creates a private key file on first start and loads the same identity afterwards', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fw-key-')), 'keys', 'node.key');
    const first = NodeKey.loadOrCreate(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toMatch(/^0x[0-9a-f]{64}\n$/);
    expect(NodeKey.loadOrCreate(path).address).toBe(first.address);
  });

  it('signs messages that verify against its address', async () => {
    const key = NodeKey.ephemeral();
    const signature = await key.account.signMessage({ message: 'challenge' });
    await expect(verifyMessage({ address: key.address, message: 'challenge', signature })).resolves.toBe(true);
  });

  it('refuses a corrupt key file instead of replacing the identity', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fw-key-')), 'node.key');
    writeFileSync(path, 'not a key');
    expect(() => NodeKey.loadOrCreate(path)).toThrow(/32-byte hex/);
  });

  // Separate processes load the compiled module (they cannot import TypeScript).
  const built = join(dirname(fileURLToPath(import.meta.url)), '../../dist/identity/NodeKey.js');
  if (!existsSync(built))
    console.warn(`[skip] concurrent node key creation: ${built} is missing (run \`npm run build\`)`);
  it.skipIf(!existsSync(built))('gives agents that start together with one key path the same key', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fw-key-')), 'keys', 'node.key');
    const script = `import(${JSON.stringify(built)}).then(({ NodeKey }) => console.log(NodeKey.loadOrCreate(process.argv[1]).address))`;
    const addresses = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<string>((resolve, reject) => {
            const child = spawn(process.execPath, ['-e', script, path], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
            });
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`exit ${code}`))));
          }),
      ),
    );
    expect(new Set(addresses).size).toBe(1);
    expect(NodeKey.loadOrCreate(path).address).toBe(addresses[0]);
    expect(readdirSync(dirname(path))).toEqual(['node.key']); // no temporary files left
  });
});
