import { signClientReport, signKeyBinding } from '@frameway/protocol/qos';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

/**
 * The signing half of client QoS: secp256k1 and EIP-712 (viem). Loaded with
 * `import()` when a session first binds its key, so the ~30 KiB gzip of
 * curve code is not on the path to the first frame.
 */
export { signClientReport, signKeyBinding };

export function createSessionKey() {
  return privateKeyToAccount(generatePrivateKey());
}
