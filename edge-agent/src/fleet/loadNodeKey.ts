import { join } from 'node:path';
import { NodeKey } from '../identity/NodeKey.js';

/** Where a node keeps its key when the config names no file. */
export function defaultNodeKeyFile(agentId: string): string {
  return join('.data', 'node-keys', `${agentId.replace(/[^A-Za-z0-9._-]/g, '_')}.key`);
}

/**
 * The node key: `'ephemeral'` makes a throw-away one, anything else is a file
 * (created on first start, mode 0600) under the working directory by default.
 */
export function loadNodeKey(file: string | undefined, agentId: string): NodeKey {
  if (file === 'ephemeral') return NodeKey.ephemeral();
  return NodeKey.loadOrCreate(file ?? defaultNodeKeyFile(agentId));
}
