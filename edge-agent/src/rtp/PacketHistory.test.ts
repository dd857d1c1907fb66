import { describe, expect, it } from 'vitest';
import { PacketHistory } from './PacketHistory.js';

function packet(seq: number, size = 40): Uint8Array {
  const out = new Uint8Array(size);
  out[0] = 0x80;
  out[2] = seq >> 8;
  out[3] = seq & 0xff;
  out.fill(seq & 0xff, 12);
  return out;
}

describe('PacketHistory', () => {
  it('returns a stored packet by sequence number with its bytes, index and send time', () => {
    const history = new PacketHistory();
    history.put(70_000, packet(70_000 & 0xffff), 5);
    const stored = history.get(70_000 & 0xffff, 10);
    expect(stored).toEqual({ index: 70_000, packet: packet(70_000 & 0xffff), sentAtMs: 5, resentAtMs: undefined });
  });

  it('copies the packet, so the caller may reuse its buffer', () => {
    const history = new PacketHistory();
    const scratch = packet(1);
    history.put(1, scratch, 0);
    scratch.fill(0xee);
    expect(history.get(1, 0)!.packet).toEqual(packet(1));
  });

  it('forgets a packet older than maxAgeMs', () => {
    const history = new PacketHistory({ maxAgeMs: 1000 });
    history.put(1, packet(1), 0);
    expect(history.get(1, 1000)?.packet).toEqual(packet(1));
    expect(history.get(1, 1001)).toBeUndefined();
  });

  it('forgets packets pushed out by count', () => {
    const history = new PacketHistory({ capacity: 4 });
    for (let i = 10; i < 16; i++) history.put(i, packet(i), 0);
    expect(history.get(11, 0)).toBeUndefined();
    expect(history.get(12, 0)!.index).toBe(12);
    expect(history.get(15, 0)!.packet).toEqual(packet(15));
  });

  it('finds packets across a sequence number wrap', () => {
    const history = new PacketHistory({ capacity: 16 });
    for (let index = 65_530; index < 65_542; index++) history.put(index, packet(index & 0xffff), 0);
    expect(history.get(65_533, 0)!.index).toBe(65_533);
    expect(history.get(3, 0)!.index).toBe(65_539);
    // A sequence number "ahead" of the newest packet was never sent.
    expect(history.get(10, 0)).toBeUndefined();
  });

  it('keeps out-of-order packets within the ring and refuses ones older than it', () => {
    const history = new PacketHistory({ capacity: 8 });
    history.put(20, packet(20), 0);
    history.put(18, packet(18), 0);
    expect(history.get(18, 0)!.index).toBe(18);
    expect(history.put(12, packet(12), 0)).toBe(false);
    expect(history.get(20, 0)!.index).toBe(20);
  });

  it('refuses a packet larger than its slots', () => {
    const history = new PacketHistory({ maxPacketBytes: 100 });
    expect(history.put(1, packet(1, 101), 0)).toBe(false);
    expect(history.get(1, 0)).toBeUndefined();
  });

  it('remembers when a packet was last resent, until the slot is reused', () => {
    const history = new PacketHistory({ capacity: 2 });
    history.put(1, packet(1), 0);
    history.markResent(1, 7);
    expect(history.get(1, 8)!.resentAtMs).toBe(7);
    history.put(3, packet(3), 9);
    expect(history.get(3, 9)!.resentAtMs).toBeUndefined();
  });

  it('forgets everything on clear()', () => {
    const history = new PacketHistory();
    history.put(1, packet(1), 0);
    history.clear();
    expect(history.get(1, 0)).toBeUndefined();
  });
});
