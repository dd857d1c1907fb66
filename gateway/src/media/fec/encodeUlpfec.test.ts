import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { encodeUlpfec } from './encodeUlpfec.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('encodeUlpfec', () => {
  it('XORs two packets field by field into RFC 5109 headers and a level-0 payload (golden bytes)', () => {
    // seq 100: V=2, PT 96, ts 0x10, ssrc 0x11223344, payload 01 02 03
    const first = { seq: 100, bytes: hex('80 60 0064 00000010 11223344 010203') };
    // seq 101: marker, PT 96, ts 0x10, payload a0 b0
    const second = { seq: 101, bytes: hex('80 e0 0065 00000010 11223344 a0b0') };
    expect(encodeUlpfec([first, second], 100).toString('hex')).toBe(
      [
        '00', // E=0 L=0; P, X, CC: 0x80 ^ 0x80 with the version bits cleared
        '80', // M ^ M' and PT ^ PT': 0x60 ^ 0xe0
        '0064', // SN base 100
        '00000000', // TS recovery: 0x10 ^ 0x10
        '0001', // length recovery: 3 ^ 2
        '0003', // protection length: the longest payload past the fixed header
        'c000', // mask: base+0, base+1
        'a1b203', // 01^a0, 02^b0, 03^00
      ].join(''),
    );
  });

  it('protects CSRCs and header extensions as payload and keeps P, X and CC recoverable (golden bytes)', () => {
    // X=1, CC=1, PT 102, seq 7, ts 0x01020304, one CSRC, a one-byte extension (id 9 "0"), payload ff
    const packet = {
      seq: 7,
      bytes: hex('91 66 0007 01020304 aabbccdd 00000001 bede0001 9030 0000 ff'),
    };
    expect(encodeUlpfec([packet], 7).toString('hex')).toBe(
      [
        '11', // X and CC=1 survive; the version bits do not
        '66',
        '0007',
        '01020304',
        '000d', // 25 - 12
        '000d',
        '8000',
        '00000001bede0001903000 00ff'.replace(/ /g, ''),
      ].join(''),
    );
  });

  it('skips sequence numbers the group does not hold (a late packet, an FEC packet) in the mask', () => {
    const a = { seq: 65_535, bytes: hex('80 60 ffff 00000001 00000001 01') };
    const b = { seq: 1, bytes: hex('80 60 0001 00000001 00000001 02') };
    const fec = encodeUlpfec([a, b], 65_535);
    // Across the wrap: offsets 0 and 2.
    expect(fec.readUInt16BE(2)).toBe(65_535);
    expect(fec.readUInt16BE(12)).toBe(0b1010_0000_0000_0000);
  });

  it('refuses a packet outside the 16-bit mask or a repeated one (a planning bug, never sent)', () => {
    const packet = (seq: number) => ({ seq, bytes: hex('80 60 0000 00000000 00000000 00') });
    expect(() => encodeUlpfec([packet(10), packet(26)], 10)).toThrow(FramewayError);
    expect(() => encodeUlpfec([packet(10), packet(10)], 10)).toThrow(/repeated/);
    expect(() => encodeUlpfec([], 10)).toThrow(FramewayError);
  });
});
