import { describe, expect, it } from 'vitest';
import { encodeXauthorityEntry } from './writeXauthority.js';

describe('encodeXauthorityEntry', () => {
  it('writes one libXau entry: FamilyWild, empty address and display, MIT-MAGIC-COOKIE-1 and the cookie', () => {
    const cookie = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(encodeXauthorityEntry(cookie).toString('hex')).toBe(
      [
        'ffff', // family: FamilyWild
        '0000', // address: empty
        '0000', // display number: empty = any display
        '0012',
        Buffer.from('MIT-MAGIC-COOKIE-1').toString('hex'),
        '0010',
        '000102030405060708090a0b0c0d0e0f',
      ].join(''),
    );
  });
});
