import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Hex } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';

/**
 * The node's long-lived secp256k1 key: its identity towards the gateway
 * (signed registration challenge) and the signer of its QoS reports (EIP-712).
 * Its EVM address is the node's on-chain identity (stake, payouts).
 */
export class NodeKey {
  readonly account: PrivateKeyAccount;

  private constructor(privateKey: Hex) {
    this.account = privateKeyToAccount(privateKey);
  }

  get address(): Hex {
    return this.account.address;
  }

  /** A key from a hex string (tests, or keys managed outside the agent). */
  static fromPrivateKey(privateKey: Hex): NodeKey {
    return new NodeKey(privateKey);
  }

  /**
   * Loads the key at `path`, creating it (mode 0600) on first start. Creation
   * is atomic (a complete temporary file hard-linked into place), so agents
   * starting together with the same path all end up with the one key.
   */
  static loadOrCreate(path: string): NodeKey {
    if (existsSync(path)) return NodeKey.#read(path);
    mkdirSync(dirname(path), { recursive: true });
    const key = generatePrivateKey();
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, `${key}\n`, { mode: 0o600 });
    try {
      linkSync(temporary, path);
      return new NodeKey(key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return NodeKey.#read(path); // another agent created it first
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  static #read(path: string): NodeKey {
    const text = readFileSync(path, 'utf8').trim();
    if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new Error(`node key file ${path} does not hold a 32-byte hex key`);
    return new NodeKey(text as Hex);
  }

  /** An in-memory key that lives as long as the process (demo, tests). */
  static ephemeral(): NodeKey {
    return new NodeKey(generatePrivateKey());
  }
}
