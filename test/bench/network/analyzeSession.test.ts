import { describe, expect, it } from 'vitest';
import {
  type AppliedStep,
  analyzeSession,
  longestGap,
  type SessionSeries,
  unwrapRtp,
  valueAt,
} from './analyzeSession.js';
import type { MonitorFrame, MonitorQuality, MonitorState, MonitorStats } from './pageMonitor.js';

const FRAME_MS = 1000 / 60;

/** Frames every 1/60 s from `from` to `to`, one RTP tick of 1500 (90 kHz) each, `presented` counting up. */
function frames(from: number, to: number, first = { presented: 0, rtp: 0 }): MonitorFrame[] {
  const out: MonitorFrame[] = [];
  for (let i = 0, at = from; at < to; i++, at = from + i * FRAME_MS) {
    out.push({
      at,
      presentationTime: at - 2,
      presented: first.presented + i,
      rtpTimestamp: first.rtp + i * 1500,
      receivedAt: at - 10,
      width: 1280,
      height: 720,
    });
  }
  return out;
}

/** Stats every 250 ms from `from` to `to`; `rates` gives kbps and fps (and a target) at each time. */
function stats(
  from: number,
  to: number,
  rates: (at: number) => { kbps: number; fps: number; freezes?: number; target?: number },
): MonitorStats[] {
  const out: MonitorStats[] = [];
  let bytes = 0;
  let decoded = 0;
  let previous = from;
  for (let at = from; at <= to; at += 250) {
    const r = rates(at);
    bytes += (r.kbps * 1000 * (at - previous)) / 8 / 1000;
    decoded += (r.fps * (at - previous)) / 1000;
    previous = at;
    const quality: MonitorQuality | null =
      r.target === undefined ? null : { targetKbps: r.target, estimateKbps: 0, width: 1280, height: 720, fps: 60 };
    out.push({
      at,
      inbound: { bytesReceived: bytes, framesDecoded: decoded, freezeCount: r.freezes ?? 0, nackCount: at / 250 },
      localPort: 50_000,
      remotePort: 40_000,
      quality,
    });
  }
  return out;
}

const STREAMING: MonitorState[] = [{ at: -5_000, state: 'streaming', reason: null, detail: null }];

function series(overrides: Partial<SessionSeries>): SessionSeries {
  return {
    start: 0,
    end: 10_000,
    frames: frames(-3_000, 10_000),
    stats: stats(-3_000, 10_000, () => ({ kbps: 1000, fps: 60 })),
    states: STREAMING,
    steps: [],
    ...overrides,
  };
}

describe('analyzeSession', () => {
  it('takes frame rates and counters over the window only, the seconds before as the reference', () => {
    const figures = analyzeSession(
      series({ stats: stats(-3_000, 10_000, (at) => ({ kbps: at < 0 ? 4000 : 1000, fps: at <= 0 ? 60 : 30 })) }),
    );
    expect(figures.referenceFps).toBeCloseTo(60, 0);
    expect(figures.decodedFps).toBeCloseTo(30, 0);
    expect(figures.meanKbps).toBeCloseTo(1000, -1);
    expect(figures.perSecond.kbps).toHaveLength(10);
    expect(figures.counters.nackCount).toBe(40); // one per 250 ms sample over 10 s
    expect(figures.counters.fecPacketsReceived).toBeNull(); // not in these stats: not reported, not zero
    expect(figures.presentedFps).toBeCloseTo(60, 0);
  });

  it('finds when a cap was adapted to: bitrate under the cap over a whole window, frames still flowing', () => {
    const steps: AppliedStep[] = [
      { issuedAt: 0, at: 0, step: { kind: 'cap', kbps: 1000 } },
      { issuedAt: 5_000, at: 5_000, step: { kind: 'cap', kbps: 500 } },
    ];
    const figures = analyzeSession(
      series({
        steps,
        stats: stats(-3_000, 10_000, (at) => ({
          kbps: at <= 1_000 ? 2000 : at <= 5_000 ? 800 : 800,
          fps: 60,
          target: at <= 500 ? 2000 : 900,
        })),
      }),
    );
    const [first, second] = figures.capChanges;
    // Over [t, t + 2 s] the mean is 1400 − 0.6·t kbps: under 1000 from t ≈ 667 ms, the sample at 750 ms.
    expect(first?.adaptedAfterMs).toBe(750);
    expect(first?.targetAfterMs).toBe(750);
    // 800 kbps never fits under 500 kbps: not adapted within the phase.
    expect(second?.adaptedAfterMs).toBeNull();
    expect(second?.targetAfterMs).toBeNull();
  });

  it('does not call a cap adapted while frames stall, even under the cap', () => {
    const figures = analyzeSession(
      series({
        steps: [{ issuedAt: 0, at: 0, step: { kind: 'cap', kbps: 2000 } }],
        stats: stats(-3_000, 10_000, (at) => ({ kbps: 500, fps: at > 0 && at <= 4_000 ? 10 : 60 })),
      }),
    );
    expect(figures.capChanges[0]?.adaptedAfterMs).toBe(4_000);
  });

  it('times blackout recovery from link-back to the first frame newer than any shown before', () => {
    // Frames stop at 1000 ms; a stale frame (already shown) is re-presented at 1400; new ones from 1600 ms.
    const before = frames(-3_000, 1_000);
    const last = before.at(-1)!;
    const stale = { ...last, at: 1_400, presentationTime: 1_398, presented: last.presented + 1 };
    const after = frames(1_600, 10_000, { presented: last.presented + 2, rtp: last.rtpTimestamp! + 150_000 });
    const figures = analyzeSession(
      series({
        frames: [...before, stale, ...after],
        steps: [
          { issuedAt: 990, at: 1_000, step: { kind: 'blackout', on: true } },
          { issuedAt: 1_300, at: 1_320, step: { kind: 'blackout', on: false } },
        ],
      }),
    );
    expect(figures.blackouts).toEqual([
      { atS: 1.3, heldMs: [300, 330], recoveredAfterMs: 1_598 - 1_300, stallMs: 1_600 - 1_400 },
    ]);
  });

  it('counts a frame repaired while nft was still returning as the recovery, not as the stream before', () => {
    const before = frames(-3_000, 1_000);
    const last = before.at(-1)!;
    const repaired = frames(1_310, 10_000, { presented: last.presented + 1, rtp: last.rtpTimestamp! + 1500 });
    const figures = analyzeSession(
      series({
        frames: [...before, ...repaired],
        steps: [
          { issuedAt: 1_000, at: 1_010, step: { kind: 'blackout', on: true } },
          { issuedAt: 1_300, at: 1_330, step: { kind: 'blackout', on: false } },
        ],
      }),
    );
    expect(figures.blackouts[0]?.recoveredAfterMs).toBeCloseTo(1_308 - 1_300, 6);
    expect(figures.blackouts[0]?.stallMs).toBeCloseTo(1_310 - last.at, 6);
  });

  it('reports when the player left streaming, and why', () => {
    const figures = analyzeSession(
      series({
        states: [
          ...STREAMING,
          { at: 2_500, state: 'ended', reason: 'encoder_failed', detail: 'FW_ERR_RUNTIME_FAILED: ffmpeg exited' },
        ],
      }),
    );
    expect(figures.interrupted).toEqual({
      atS: 2.5,
      state: 'ended',
      reason: 'encoder_failed',
      detail: 'FW_ERR_RUNTIME_FAILED: ffmpeg exited',
    });
    expect(analyzeSession(series({})).interrupted).toBeNull();
  });

  it('lists every frame size the page saw in the window', () => {
    const small = frames(5_000, 10_000, { presented: 600, rtp: 900_000 }).map((f) => ({
      ...f,
      width: 640,
      height: 360,
    }));
    const figures = analyzeSession(series({ frames: [...frames(-1_000, 5_000), ...small] }));
    expect(figures.sizes).toEqual([
      { atS: 0, width: 1280, height: 720 },
      { atS: 5, width: 640, height: 360 },
    ]);
  });
});

describe('longestGap', () => {
  it('divides a callback gap by the frames the compositor presented in it (a busy page is not a freeze)', () => {
    const base = frames(0, 100);
    const last = base.at(-1)!;
    const busy = { ...last, at: last.at + 200, presented: last.presented + 10 };
    const frozen = { ...busy, at: busy.at + 300, presented: busy.presented + 1 };
    expect(longestGap([...base, busy, frozen], 0, frozen.at)).toBeCloseTo(300, 5);
  });

  it('counts a stream that stopped as frozen until the window ends', () => {
    expect(longestGap(frames(0, 1_000), 0, 5_000)).toBeGreaterThan(4_000);
  });
});

describe('unwrapRtp', () => {
  it('keeps timestamps increasing across the 32-bit wrap', () => {
    const near = 2 ** 32 - 3000;
    const list = frames(0, 70, { presented: 0, rtp: near }).map((f) => ({ ...f, rtpTimestamp: f.rtpTimestamp! >>> 0 }));
    const unwrapped = unwrapRtp(list).map((x) => x.rtp);
    expect(unwrapped).toEqual([near, near + 1500, near + 3000, near + 4500, near + 6000]);
  });
});

describe('valueAt', () => {
  it('interpolates between samples and holds the ends', () => {
    const points = [
      { at: 0, value: 0 },
      { at: 100, value: 10 },
    ];
    expect(valueAt(points, 50)).toBe(5);
    expect(valueAt(points, -10)).toBe(0);
    expect(valueAt(points, 500)).toBe(10);
    expect(valueAt([], 0)).toBeNaN();
  });
});
