import { describe, expect, it } from 'vitest';
import { FrameMonitor, type FrameTiming, type VideoFrameMetadataLike } from './FrameMonitor.js';
import type { FreezeEvent } from './FreezeDetector.js';

/** A video element whose frames and clock the test plays. */
function harness(options: { rtt?: number; hidden?: () => boolean } = {}) {
  let callback: ((now: number, metadata: VideoFrameMetadataLike) => void) | undefined;
  let tick: (() => void) | undefined;
  let now = 0;
  let cancelled = 0;
  const frames: FrameTiming[] = [];
  const freezes: FreezeEvent[] = [];
  const element = {
    requestVideoFrameCallback(cb: typeof callback) {
      callback = cb;
      return 1;
    },
    cancelVideoFrameCallback() {
      cancelled++;
    },
  };
  const monitor = new FrameMonitor({
    element,
    rttMs: () => options.rtt,
    onFrame: (frame) => frames.push(frame),
    onFreeze: (event) => freezes.push(event),
    now: () => now,
    ...(options.hidden ? { isHidden: options.hidden } : {}),
    setInterval: (cb) => {
      tick = cb;
      return 7;
    },
    clearInterval: () => {
      tick = undefined;
    },
  });
  return {
    monitor,
    frames,
    freezes,
    get cancelled() {
      return cancelled;
    },
    /** Presents a frame received `ageMs` before now. */
    present(at: number, ageMs?: number) {
      now = at;
      callback?.(at, {
        presentationTime: at,
        expectedDisplayTime: at + 16,
        width: 1280,
        height: 720,
        presentedFrames: frames.length + 1,
        ...(ageMs === undefined ? {} : { receiveTime: at - ageMs }),
        rtpTimestamp: at * 90,
      });
    },
    clock(at: number) {
      now = at;
      tick?.();
    },
  };
}

describe('FrameMonitor', () => {
  it('estimates each frame as receive → presentation plus half the RTT, and summarises the last second', () => {
    const h = harness({ rtt: 20 });
    for (let i = 0; i < 60; i++) h.present(1000 + i * 16, i % 10 === 0 ? 30 : 8);
    expect(h.frames[1]).toMatchObject({ receiveToPresentMs: 8, latencyEstimateMs: 18, width: 1280 });
    expect(h.frames[0]?.latencyEstimateMs).toBe(40);
    const summary = h.monitor.summary();
    expect(summary.frames).toBe(60);
    expect(summary.fps).toBe(60);
    expect(summary.latencyMs).toBeCloseTo(18 + 22 / 10, 1);
    expect(summary.latencyP95Ms).toBe(40);
  });

  it('leaves the estimate out when the browser reports no receive time', () => {
    const h = harness({ rtt: 20 });
    h.present(1000);
    expect(h.frames[0]).toMatchObject({ receiveToPresentMs: undefined, latencyEstimateMs: undefined });
    expect(h.monitor.summary().latencyMs).toBeUndefined();
  });

  it('reports a freeze from the clock while frames stop, and its end with the next frame', () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.present(i * 16, 5);
    h.clock(30 * 16 + 100);
    expect(h.freezes).toEqual([]);
    h.clock(29 * 16 + 400);
    expect(h.freezes).toEqual([{ type: 'start', gapMs: 400 }]);
    h.present(29 * 16 + 900, 5);
    expect(h.freezes[1]).toEqual({ type: 'end', durationMs: 900 });
    expect(h.monitor.summary()).toMatchObject({ freezeCount: 1, freezeTotalMs: 900, frozen: false });
  });

  it('does not call a hidden page frozen', () => {
    let hidden = false;
    const h = harness({ hidden: () => hidden });
    for (let i = 0; i < 30; i++) h.present(i * 16, 5);
    hidden = true;
    h.clock(5000);
    hidden = false;
    h.clock(5100);
    expect(h.freezes).toEqual([]);
  });

  it('stops on close and is inert without requestVideoFrameCallback', () => {
    const h = harness();
    h.monitor.close();
    h.monitor.close();
    expect(h.cancelled).toBe(1);
    const inert = new FrameMonitor({ element: {}, rttMs: () => undefined });
    expect(inert.supported).toBe(false);
    expect(inert.summary().frames).toBe(0);
    inert.close();
  });
});
