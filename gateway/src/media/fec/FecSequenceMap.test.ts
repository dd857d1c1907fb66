import { describe, expect, it } from 'vitest';
import { createRandom } from '../../random/createRandom.js';
import { FecSequenceMap } from './FecSequenceMap.js';

describe('FecSequenceMap', () => {
  it('gives each FEC packet the number after the newest media packet and shifts the later ones', () => {
    const map = new FecSequenceMap();
    expect([map.map(100), map.map(101), map.map(102)]).toEqual([100, 101, 102]);
    expect(map.insertFec()).toBe(103);
    expect(map.insertFec()).toBe(104);
    expect([map.map(103), map.map(104)]).toEqual([105, 106]);
    expect(map.inserted).toBe(2);
  });

  it('gives a packet the ingest recovers late the number it would have had on time', () => {
    const map = new FecSequenceMap();
    map.map(10);
    // 11 and 12 lost on the agent leg; the frame ends at 13, FEC follows; the next frame starts.
    expect(map.map(13)).toBe(13);
    expect(map.insertFec()).toBe(14);
    expect(map.map(14)).toBe(15);
    expect(map.insertFec()).toBe(16);
    expect(map.map(15)).toBe(17);
    // NACK repair brings 11 and 12 back now: their places were kept free before the FEC packets.
    expect(map.map(12)).toBe(12);
    expect(map.map(11)).toBe(11);
    // A late packet from between the two FEC packets keeps the offset of its own place.
    expect(map.map(16)).toBe(18);
  });

  it('continues across the 16-bit wrap, for late packets too', () => {
    const map = new FecSequenceMap();
    map.map(65_534);
    expect(map.insertFec()).toBe(65_535);
    expect(map.map(0)).toBe(1); // 65_535 lost on the agent leg; 0 arrives
    expect(map.insertFec()).toBe(2);
    expect(map.map(1)).toBe(3);
    expect(map.map(65_535)).toBe(0); // late, before the wrap
  });

  it('drops a packet too late to place instead of reusing a number', () => {
    const map = new FecSequenceMap({ historyPackets: 100 });
    map.map(0);
    map.insertFec();
    for (let seq = 1; seq <= 200; seq++) map.map(seq);
    expect(map.map(50)).toBeUndefined();
    expect(map.tooOld).toBe(1);
    expect(map.map(150)).toBe(151);
  });

  it('never gives two packets the same number, whatever arrives late (random streams)', () => {
    for (let run = 0; run < 20; run++) {
      const random = createRandom(run + 1);
      const map = new FecSequenceMap();
      const used = new Map<number, string>();
      const held: number[] = [];
      const take = (seq: number | undefined, what: string) => {
        if (seq === undefined) return;
        expect(used.get(seq), `${what} reuses ${seq}`).toBeUndefined();
        used.set(seq, what);
      };
      const start = Math.floor(random() * 65_536);
      for (let i = 0; i < 3_000; i++) {
        const seq = (start + i) & 0xffff;
        if (random() < 0.05)
          held.push(seq); // lost on the agent leg for now
        else take(map.map(seq), `media ${seq}`);
        if (random() < 0.2) take(map.insertFec(), 'fec');
        if (held.length > 0 && random() < 0.1) {
          const late = held.splice(Math.floor(random() * held.length), 1)[0] as number;
          take(map.map(late), `late ${late}`);
        }
      }
    }
  });
});
