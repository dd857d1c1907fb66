import { describe, expect, it } from 'vitest';
import { StreamRebaser } from './StreamRebaser.js';

function rtp(seq: number, ts: number): Buffer {
  const packet = Buffer.alloc(12);
  packet[0] = 0x80;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(ts >>> 0, 4);
  return packet;
}

const header = (packet: Buffer) => ({ seq: packet.readUInt16BE(2), ts: packet.readUInt32BE(4) });

describe('StreamRebaser', () => {
  it('leaves the first sender untouched', () => {
    const rebaser = new StreamRebaser(90_000);
    rebaser.expectNewSender(); // nothing forwarded yet: nothing to continue
    const packet = rtp(500, 1234);
    rebaser.rewrite(packet, true, 0);
    expect(header(packet)).toEqual({ seq: 500, ts: 1234 });
  });

  it('continues the sequence and advances timestamps by the wall-clock gap after a new sender', () => {
    const rebaser = new StreamRebaser(90_000);
    rebaser.rewrite(rtp(65_535, 0xffff_ff00), true, 1000);
    rebaser.expectNewSender();
    const first = rtp(7, 42);
    const second = rtp(8, 42 + 3000);
    rebaser.rewrite(first, true, 1200);
    rebaser.rewrite(second, true, 1233);
    expect(header(first)).toEqual({ seq: 0, ts: (0xffff_ff00 + 200 * 90) >>> 0 });
    expect(header(second)).toEqual({ seq: 1, ts: (0xffff_ff00 + 200 * 90 + 3000) >>> 0 });
  });

  it('continues from the newest packet, not from a late retransmission', () => {
    const rebaser = new StreamRebaser(90_000);
    rebaser.rewrite(rtp(10, 30_000), true, 0);
    rebaser.rewrite(rtp(8, 24_000), false, 10);
    rebaser.expectNewSender();
    const first = rtp(1000, 0);
    rebaser.rewrite(first, true, 20);
    expect(header(first).seq).toBe(11);
    expect(header(first).ts).toBe(30_000 + 20 * 90);
  });

  it('keeps offsets across several failovers', () => {
    const rebaser = new StreamRebaser(48_000);
    rebaser.rewrite(rtp(100, 0), true, 0);
    rebaser.expectNewSender();
    rebaser.rewrite(rtp(5000, 0), true, 10);
    rebaser.expectNewSender();
    const packet = rtp(9, 0);
    rebaser.rewrite(packet, true, 30);
    expect(header(packet)).toEqual({ seq: 102, ts: 30 * 48 });
  });
});
