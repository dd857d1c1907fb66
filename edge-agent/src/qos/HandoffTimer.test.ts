import { describe, expect, it } from 'vitest';
import type { VideoSink } from '../runtime/SessionRuntime.js';
import { HandoffTimer } from './HandoffTimer.js';

function fakeSink() {
  const sink = {
    ready: true,
    pushed: 0,
    encoded: 0,
    pushFrame(_frame: Uint8Array): boolean {
      if (!sink.ready) return false;
      sink.pushed++;
      sink.ready = false;
      return true;
    },
    writeEncoded(_chunk: Uint8Array): boolean {
      sink.encoded++;
      return true;
    },
  };
  return sink;
}

describe('HandoffTimer', () => {
  it('times each accepted frame until the encoder is ready again, and forwards everything else', async () => {
    let now = 0;
    const timer = new HandoffTimer({ now: () => now, pollMs: 1 });
    const sink = fakeSink();
    const wrapped: VideoSink = timer.wrap(sink);
    for (const handoffMs of [2, 4, 6, 8]) {
      expect(wrapped.ready).toBe(true);
      expect(wrapped.pushFrame(new Uint8Array(4))).toBe(true);
      expect(wrapped.pushFrame(new Uint8Array(4))).toBe(false); // busy: dropped by the sink, not timed
      now += handoffMs;
      sink.ready = true;
      await new Promise((resolve) => setTimeout(resolve, 5)); // the poll sees it
    }
    expect(wrapped.writeEncoded(new Uint8Array(2))).toBe(true);
    expect(sink.encoded).toBe(1);
    expect(timer.takeWindow()).toEqual({ samples: 4, meanUs: 5_000, p95Us: 8_000 });
    expect(timer.takeWindow()).toEqual({ samples: 0, meanUs: 0, p95Us: 0 });
    timer.close();
  });

  it('stops timing a frame the encoder never takes', async () => {
    let now = 0;
    const timer = new HandoffTimer({ now: () => now, pollMs: 1, giveUpMs: 50 });
    const wrapped = timer.wrap(fakeSink());
    wrapped.pushFrame(new Uint8Array(1));
    now = 100;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(timer.takeWindow().samples).toBe(0);
    timer.close();
  });
});
