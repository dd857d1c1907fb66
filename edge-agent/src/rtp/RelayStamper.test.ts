import { describe, expect, it } from 'vitest';
import { RelayStamper } from './RelayStamper.js';

describe('RelayStamper', () => {
  it('maps the first packet onto the next index and the continuing timestamp', () => {
    const stamper = new RelayStamper();
    expect(stamper.stamp({ source: 'a', sequenceNumber: 40_000, timestamp: 123 }, 500, () => 9000)).toEqual({
      index: 500,
      timestamp: 9000,
    });
  });

  it("keeps ffmpeg's gaps, reordering and clock within one run, across its sequence wrap", () => {
    const stamper = new RelayStamper();
    const next = () => 0;
    stamper.stamp({ source: 'a', sequenceNumber: 65_534, timestamp: 4_294_967_000 }, 100, () => 1000);
    expect(stamper.stamp({ source: 'a', sequenceNumber: 1, timestamp: 4_294_967_000 + 3000 }, 101, next)).toEqual({
      index: 103,
      timestamp: 4000,
    });
    expect(stamper.stamp({ source: 'a', sequenceNumber: 65_535, timestamp: 0 }, 104, next)!.index).toBe(101);
  });

  it('rebases when ffmpeg restarts on a new source port, so the stream continues without a jump', () => {
    const stamper = new RelayStamper();
    stamper.stamp({ source: 'a', sequenceNumber: 10, timestamp: 0 }, 0, () => 0);
    expect(stamper.stamp({ source: 'b', sequenceNumber: 30_000, timestamp: 777 }, 1, () => 3000)).toEqual({
      index: 1,
      timestamp: 3000,
    });
  });

  it('rebases on a sequence jump no reordering explains', () => {
    const stamper = new RelayStamper();
    stamper.stamp({ source: 'a', sequenceNumber: 10, timestamp: 0 }, 0, () => 0);
    expect(stamper.stamp({ source: 'a', sequenceNumber: 20_000, timestamp: 5 }, 1, () => 50)!.index).toBe(1);
  });

  it('refuses a packet that would map onto an index used before the last rebase', () => {
    const stamper = new RelayStamper();
    stamper.stamp({ source: 'a', sequenceNumber: 10, timestamp: 0 }, 0, () => 0);
    stamper.stamp({ source: 'b', sequenceNumber: 500, timestamp: 0 }, 1, () => 0);
    expect(stamper.stamp({ source: 'b', sequenceNumber: 499, timestamp: 0 }, 2, () => 0)).toBeUndefined();
  });
});
