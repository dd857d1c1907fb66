import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AdbCredentialStore, AdbPrivateKey } from '@yume-chan/adb';

/**
 * The agent's ADB key: one RSA-2048 key (PKCS#8 DER) in a file, created on
 * first use. A device that requires authorisation (ro.adb.secure=1) shows it
 * once for approval; redroid containers usually run with authorisation off.
 */
export class AdbKeyStore implements AdbCredentialStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  generateKey(): AdbPrivateKey {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    const buffer = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    writeFileSync(this.path, buffer, { mode: 0o600 });
    return { buffer, name: 'frameway-agent' };
  }

  *iterateKeys(): Generator<AdbPrivateKey> {
    if (existsSync(this.path)) yield { buffer: new Uint8Array(readFileSync(this.path)), name: 'frameway-agent' };
  }
}
