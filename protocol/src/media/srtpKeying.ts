import { SRTP_PROFILE } from './mediaConstants.js';

/** AES-128 master key and 112-bit master salt of the ingest leg's SRTP profile. */
export const SRTP_MASTER_KEY_BYTES = 16;
export const SRTP_MASTER_SALT_BYTES = 14;

export interface SrtpMasterKey {
  key: Uint8Array;
  salt: Uint8Array;
}

/**
 * Encodes 30 random bytes (key ‖ salt) as the `rtp.srtp` keying of a
 * SessionStart. The caller supplies the randomness (crypto.randomBytes).
 */
export function encodeSrtpKeying(keyAndSalt: Uint8Array): { profile: typeof SRTP_PROFILE; masterKey: string } {
  if (keyAndSalt.length !== SRTP_MASTER_KEY_BYTES + SRTP_MASTER_SALT_BYTES) {
    throw new RangeError(`SRTP keying needs ${SRTP_MASTER_KEY_BYTES + SRTP_MASTER_SALT_BYTES} bytes`);
  }
  let binary = '';
  for (const byte of keyAndSalt) binary += String.fromCharCode(byte);
  return { profile: SRTP_PROFILE, masterKey: btoa(binary) };
}

/** Splits a SessionStart's base64 master key into key and salt; throws RangeError when malformed. */
export function decodeSrtpKeying(masterKey: string): SrtpMasterKey {
  let binary: string;
  try {
    binary = atob(masterKey);
  } catch {
    throw new RangeError('SRTP master key is not base64');
  }
  if (binary.length !== SRTP_MASTER_KEY_BYTES + SRTP_MASTER_SALT_BYTES) {
    throw new RangeError(`SRTP master key has ${binary.length} bytes, expected 30`);
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return { key: bytes.slice(0, SRTP_MASTER_KEY_BYTES), salt: bytes.slice(SRTP_MASTER_KEY_BYTES) };
}
