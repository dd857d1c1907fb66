import { describe, expect, it } from 'vitest';
import { decodeSrtpKeying, encodeSrtpKeying } from './srtpKeying.js';

describe('srtpKeying', () => {
  it('round-trips 30 bytes into key and salt', () => {
    const bytes = Uint8Array.from({ length: 30 }, (_, i) => i * 7);
    const keying = encodeSrtpKeying(bytes);
    expect(keying.profile).toBe('AES_CM_128_HMAC_SHA1_80');
    expect(keying.masterKey).toHaveLength(40);
    const { key, salt } = decodeSrtpKeying(keying.masterKey);
    expect([...key]).toEqual([...bytes.slice(0, 16)]);
    expect([...salt]).toEqual([...bytes.slice(16)]);
  });

  it('refuses keying of the wrong length or not base64', () => {
    expect(() => encodeSrtpKeying(new Uint8Array(16))).toThrow(RangeError);
    expect(() => decodeSrtpKeying(btoa('short'))).toThrow(/expected 30/);
    expect(() => decodeSrtpKeying('!!!not-base64!!!')).toThrow(/base64/);
  });
});
