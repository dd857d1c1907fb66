import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { encapsulateRed, redBlockPayloadType } from './encapsulateRed.js';
import { protectedPacketBytes, zeroExtensions } from './protectedPacketBytes.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('protectedPacketBytes', () => {
  it('rebuilds the packet the receiver XORs: media PT back, abs-send-time and transport-cc zeroed, mid and playout-delay kept (golden bytes)', () => {
    // Marker, PT 118 (RED); extensions: mid(9)="0", abs-send-time(2), transport-cc(4), playout-delay(5), 3 bytes padding.
    const wireHeader = hex('90 f6 1234 00000064 01020304 bede0004 9030 22aabbcc 410102 52000000 000000');
    const bytes = protectedPacketBytes(wireHeader, hex('dead'), 102, new Set([2, 4]));
    expect(bytes.toString('hex')).toBe(
      hex('90 e6 1234 00000064 01020304 bede0004 9030 22000000 410000 52000000 000000 dead').toString('hex'),
    );
  });

  it('matches werift: its serialized header, RED removed, equals the wire packet with PT and mutable extensions changed', () => {
    const header = new RtpHeader({ payloadType: 118, sequenceNumber: 7, timestamp: 90_000, ssrc: 5, marker: true });
    header.extensions = [
      { id: 2, payload: hex('010203') },
      { id: 4, payload: hex('0a0b') },
      { id: 9, payload: Buffer.from('1') },
    ];
    const red = encapsulateRed(102, hex('65 88 84'));
    const wire = new RtpPacket(header, red).serialize();
    const bytes = protectedPacketBytes(header.serialize(header.serializeSize), red.subarray(1), 102, new Set([2, 4]));
    const parsed = RtpPacket.deSerialize(bytes);
    expect(parsed.header.payloadType).toBe(102);
    expect(parsed.header.marker).toBe(true);
    expect(parsed.payload.toString('hex')).toBe('658884');
    expect(parsed.header.extensions.map((e) => [e.id, e.payload.toString('hex')])).toEqual([
      [2, '000000'],
      [4, '0000'],
      [9, '31'],
    ]);
    // Everything else is the wire packet, byte for byte.
    expect(bytes.length).toBe(wire.length - 1);
  });

  it('zeroes in two-byte-profile extensions too and leaves malformed blocks alone', () => {
    const twoByte = hex('90 66 0001 00000000 00000000 1000 0002 04020102 090130 00');
    zeroExtensions(twoByte, twoByte.length, new Set([4]));
    expect(twoByte.subarray(16).toString('hex')).toBe('0402000009013000');
    // Length past the block: nothing is touched.
    const broken = hex('90 66 0001 00000000 00000000 bede 0001 2faabbcc');
    zeroExtensions(broken, broken.length, new Set([2]));
    expect(broken.subarray(16).toString('hex')).toBe('2faabbcc');
  });
});

describe('encapsulateRed', () => {
  it('prepends a 1-byte RED header with F = 0 and the block payload type', () => {
    expect(encapsulateRed(108, hex('7c85')).toString('hex')).toBe('6c7c85');
    expect(redBlockPayloadType(hex('6c7c85'))).toBe(108);
  });

  it('does not read a block payload type from a multi-block (F = 1) or empty RED payload', () => {
    expect(redBlockPayloadType(hex('ec000000'))).toBeUndefined();
    expect(redBlockPayloadType(Buffer.alloc(0))).toBeUndefined();
  });
});
