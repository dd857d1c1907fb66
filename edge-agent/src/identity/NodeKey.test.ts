import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
