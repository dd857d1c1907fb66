import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultNodeKeyFile, loadNodeKey } from './loadNodeKey.js';

describe('loadNodeKey', () => {
  it('keeps the node key in a file, the same identity on every start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-node-key-'));
    try {
      const file = join(dir, 'node.key');
      const first = loadNodeKey(file, 'agent-1');
      expect(loadNodeKey(file, 'agent-1').address).toBe(first.address);
      expect(loadNodeKey(join(dir, 'other.key'), 'agent-1').address).not.toBe(first.address);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes a fresh throw-away key for 'ephemeral'", () => {
    expect(loadNodeKey('ephemeral', 'agent-1').address).not.toBe(loadNodeKey('ephemeral', 'agent-1').address);
  });

  it('defaults to a file per agent id under .data/node-keys, with a safe file name', () => {
    expect(defaultNodeKeyFile('agent-1')).toBe(join('.data', 'node-keys', 'agent-1.key'));
    expect(defaultNodeKeyFile('../etc/passwd')).toBe(join('.data', 'node-keys', '.._etc_passwd.key'));
    expect(defaultNodeKeyFile('a:b/c')).toBe(join('.data', 'node-keys', 'a_b_c.key'));
  });
});
