import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from './isLoopbackAddress.js';

describe('isLoopbackAddress', () => {
  it('recognises loopback however the listener engine spells it', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '::1',
      '::ffff:127.0.0.1',
      '0000:0000:0000:0000:0000:0000:0000:0001',
      '0000:0000:0000:0000:0000:ffff:7f00:0001',
    ]) {
      expect(isLoopbackAddress(address), address).toBe(true);
    }
  });

  it('refuses every other address and non-addresses', () => {
    for (const address of ['10.0.0.1', '203.0.113.7', '::2', '::ffff:10.0.0.1', 'localhost', '']) {
      expect(isLoopbackAddress(address), address).toBe(false);
    }
  });
});
