import { describe, expect, it } from 'vitest';
import type { ProtectedPacket } from './encodeUlpfec.js';
import { FecGroupPlanner, type PlannedPacket, RECEIVER_MEDIA_WINDOW } from './FecGroupPlanner.js';
import { readUlpfecHeader, recoverUlpfec } from './recoverUlpfec.js';

const SSRC = 1234;

function packet(seq: number, marker = false, size = 100): PlannedPacket {
  const bytes = Buffer.alloc(12 + size, seq & 0xff);
  bytes[0] = 0x80;
  bytes[1] = (marker ? 0x80 : 0) | 102;
  bytes.writeUInt16BE(seq & 0xffff, 2);
  bytes.writeUInt32BE(seq * 3000, 4);
  bytes.writeUInt32BE(SSRC, 8);
  return { seq: seq & 0xffff, bytes, marker };
}

/** Feeds `count` packets from `first`, the last one a frame end; returns the FEC produced after each. */
function frame(planner: FecGroupPlanner, first: number, count: number): { packets: PlannedPacket[]; fec: Buffer[] } {
  const packets: PlannedPacket[] = [];
  const fec: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const p = packet(first + i, i === count - 1);
    packets.push(p);
    const out = planner.add(p);
    if (i < count - 1) expect(out).toEqual([]);
    fec.push(...out);
  }
  return { packets, fec };
}

describe('FecGroupPlanner', () => {
  it('sends FEC only right after a frame’s last packet, one per about N packets', () => {
    const planner = new FecGroupPlanner();
    planner.setPacketsPerFec(4);
    const { packets, fec } = frame(planner, 100, 8);
    expect(fec).toHaveLength(2);
    // Round-robin: 100, 102, 104, 106 and 101, 103, 105, 107 (a burst of two is still repaired).
    expect(fec.map((f) => readUlpfecHeader(f)?.protectedSeqs)).toEqual([
      [100, 102, 104, 106],
      [101, 103, 105, 107],
    ]);
    expect(planner.counters).toMatchObject({ protected: 8, fecPackets: 2 });
    // Two adjacent losses, each repaired by its own FEC packet.
    const received = packets.filter((p) => p.seq !== 103 && p.seq !== 104);
    expect(recoverUlpfec(fec[0]!, received, SSRC)?.seq).toBe(104);
    expect(recoverUlpfec(fec[1]!, received, SSRC)?.seq).toBe(103);
  });

  it('lets a small frame share its FEC with the next frame, never more than two frames', () => {
    const planner = new FecGroupPlanner();
    planner.setPacketsPerFec(8);
    expect(frame(planner, 0, 3).fec).toEqual([]);
    const second = frame(planner, 3, 2).fec;
    expect(second).toHaveLength(1);
    expect(readUlpfecHeader(second[0]!)?.protectedSeqs).toEqual([0, 1, 2, 3, 4]);
  });

  it('protects a keyframe longer than the receiver keeps with FEC packets over its last 48, each mask within 16', () => {
    const planner = new FecGroupPlanner();
    planner.setPacketsPerFec(4);
    const { packets, fec } = frame(planner, 65_520, 60); // across the sequence wrap
    const covered = fec.flatMap((f) => readUlpfecHeader(f)?.protectedSeqs ?? []);
    expect(new Set(covered)).toEqual(new Set(packets.slice(-RECEIVER_MEDIA_WINDOW).map((p) => p.seq)));
    expect(fec).toHaveLength(RECEIVER_MEDIA_WINDOW / 4);
    for (const f of fec) {
      const header = readUlpfecHeader(f);
      const span = ((header?.protectedSeqs.at(-1) ?? 0) - (header?.seqBase ?? 0)) & 0xffff;
      expect(span).toBeLessThan(16);
    }
    expect(planner.counters).toMatchObject({ protected: 48, unprotected: 12 });
    // Each lost packet of the protected part comes back.
    for (const lost of packets.slice(-RECEIVER_MEDIA_WINDOW)) {
      const received: ProtectedPacket[] = packets.filter((p) => p !== lost);
      const repaired = fec.map((f) => recoverUlpfec(f, received, SSRC)).find((r) => r !== undefined);
      expect(repaired?.bytes).toEqual(lost.bytes);
    }
  });

  it('leaves late and repeated packets out of every group (their groups already left)', () => {
    const planner = new FecGroupPlanner();
    planner.setPacketsPerFec(4);
    planner.add(packet(10));
    planner.add(packet(12));
    expect(planner.add(packet(11))).toEqual([]); // late: behind 12
    expect(planner.add(packet(12))).toEqual([]); // repeated
    const fec = [...planner.add(packet(13)), ...planner.add(packet(14, true))];
    expect(fec.flatMap((f) => readUlpfecHeader(f)?.protectedSeqs ?? []).sort()).toEqual([10, 12, 13, 14]);
    expect(planner.counters.unprotected).toBe(2);
  });

  it('sends nothing while off and forgets a pending group when switched off', () => {
    const planner = new FecGroupPlanner();
    expect(frame(planner, 0, 5).fec).toEqual([]);
    planner.setPacketsPerFec(8);
    frame(planner, 5, 3);
    planner.setPacketsPerFec(undefined);
    expect(frame(planner, 8, 20).fec).toEqual([]);
    expect(planner.counters).toMatchObject({ protected: 0, unprotected: 28, fecPackets: 0 });
    expect(() => planner.setPacketsPerFec(17)).toThrow(RangeError);
  });
});
