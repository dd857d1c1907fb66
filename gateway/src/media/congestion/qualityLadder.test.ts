import { FramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONGESTION_TUNING } from './congestionTuning.js';
import { buildQualityLadder, initialLadderState, type LadderState, stepQualityLadder } from './qualityLadder.js';

const tuning = DEFAULT_CONGESTION_TUNING.ladder;
const ladder720 = buildQualityLadder({ width: 1280, height: 720, fps: 60 }, 8000, tuning);

const shapes = (ladder: ReturnType<typeof buildQualityLadder>) =>
  ladder.map((r) => `${r.width}x${r.height}@${r.fps} ≥ ${r.floorKbps}`);

/** Feeds one target per 50 ms from `fromMs` to `toMs` and returns the final state. */
function hold(state: LadderState, targetKbps: number, fromMs: number, toMs: number): LadderState {
  let s = state;
  for (let t = fromMs; t <= toMs; t += 50) s = stepQualityLadder(ladder720, s, targetKbps, t, tuning);
  return s;
}

describe('buildQualityLadder', () => {
  it('steps a 720p60 session through 540p60 and 360p60 to 360p30 with floors near 2.8, 1.5 and 0.7 Mb/s', () => {
    expect(shapes(ladder720)).toEqual([
      '1280x720@60 ≥ 2764',
      '960x540@60 ≥ 1555',
      '640x360@60 ≥ 691',
      '640x360@30 ≥ 0',
    ]);
  });

  it('derives from a portrait phone shape, keeping the aspect ratio and even sides', () => {
    const ladder = buildQualityLadder({ width: 720, height: 1280, fps: 60 }, 8000, tuning);
    expect(shapes(ladder)).toEqual(['720x1280@60 ≥ 2764', '540x960@60 ≥ 1555', '360x640@60 ≥ 691', '360x640@30 ≥ 0']);
  });

  it('keeps odd aspect ratios within a pixel and every side even', () => {
    const ladder = buildQualityLadder({ width: 1366, height: 768, fps: 60 }, 8000, tuning);
    for (const rung of ladder) {
      expect(rung.width % 2).toBe(0);
      expect(rung.height % 2).toBe(0);
      expect(Math.abs(rung.width / rung.height - 1366 / 768)).toBeLessThan(0.01);
    }
    expect(ladder.map((r) => [r.width, r.height])).toEqual([
      [1366, 768],
      [1024, 576],
      [684, 384],
      [684, 384],
    ]);
  });

  it('scales the floors down when the full shape would be out of reach under the maximum (1080p60 at 8 Mb/s)', () => {
    const ladder = buildQualityLadder({ width: 1920, height: 1080, fps: 60 }, 8000, tuning);
    expect(ladder.map((r) => `${r.width}x${r.height}@${r.fps}`)).toEqual([
      '1920x1080@60',
      '1440x810@60',
      '960x540@60',
      '960x540@30',
    ]);
    const top = ladder[0]!;
    expect(top.floorKbps * tuning.upFactor).toBeLessThanOrEqual(8000);
    expect(top.floorKbps).toBeGreaterThan(6000);
  });

  it('halves a 30 fps session to 15 fps on the last rung', () => {
    const ladder = buildQualityLadder({ width: 1280, height: 720, fps: 30 }, 4000, tuning);
    expect(ladder.map((r) => r.fps)).toEqual([30, 30, 30, 15]);
    expect(ladder.at(-1)?.floorKbps).toBe(0);
  });

  it('refuses a shape with no pixels', () => {
    expect(() => buildQualityLadder({ width: 0, height: 720, fps: 60 }, 8000, tuning)).toThrow(FramewayError);
  });
});

describe('stepQualityLadder', () => {
  it('starts on the best rung the starting bitrate affords', () => {
    expect(initialLadderState(ladder720, 8000).index).toBe(0);
    expect(initialLadderState(ladder720, 2000).index).toBe(1);
    expect(initialLadderState(ladder720, 100).index).toBe(3);
  });

  it('steps down only after the target stays under the floor for a second', () => {
    const start = initialLadderState(ladder720, 8000);
    // 2500 kbps: under 720p's 2764 floor but above 70 % of it.
    expect(hold(start, 2500, 0, 950).index).toBe(0);
    expect(hold(start, 2500, 0, 1000).index).toBe(1);
  });

  it('does not step down when the target comes back above the floor within the second', () => {
    let state = hold(initialLadderState(ladder720, 8000), 2500, 0, 900);
    state = stepQualityLadder(ladder720, state, 3000, 950, tuning);
    expect(hold(state, 2500, 1000, 1900).index).toBe(0);
  });

  it('steps down at once, straight to the rung the target affords, when under 70 % of the floor', () => {
    const state = stepQualityLadder(ladder720, initialLadderState(ladder720, 8000), 1000, 0, tuning);
    expect(state.index).toBe(2);
    expect(stepQualityLadder(ladder720, initialLadderState(ladder720, 8000), 400, 0, tuning).index).toBe(3);
  });

  it('steps up only after the target has held 1.3 × the higher floor for 3 s', () => {
    const low = stepQualityLadder(ladder720, initialLadderState(ladder720, 8000), 1000, 0, tuning);
    // 1.3 × 1555 = 2021.5: 2000 is not enough however long it lasts.
    expect(hold(low, 2000, 50, 10_000).index).toBe(2);
    expect(hold(low, 2100, 50, 3000).index).toBe(2);
    expect(hold(low, 2100, 50, 3050).index).toBe(1);
  });

  it('restarts the climb when the target dips under 1.3 × the floor', () => {
    const low = stepQualityLadder(ladder720, initialLadderState(ladder720, 8000), 1000, 0, tuning);
    let state = hold(low, 2100, 50, 2000);
    state = stepQualityLadder(ladder720, state, 1900, 2050, tuning);
    expect(hold(state, 2100, 2100, 5000).index).toBe(2);
    expect(hold(state, 2100, 2100, 5100).index).toBe(1);
  });

  it('climbs straight to the highest rung the target has held long enough', () => {
    const bottom = stepQualityLadder(ladder720, initialLadderState(ladder720, 8000), 400, 0, tuning);
    expect(hold(bottom, 8000, 50, 3050).index).toBe(0);
  });
});

describe('stepQualityLadder with a cheap picture', () => {
  /** Steps every 50 ms from fromMs to toMs at a fixed target, with the stream using `demandKbps`. */
  function holdWithDemand(s0: LadderState, targetKbps: number, demandKbps: number, fromMs: number, toMs: number) {
    let s = s0;
    for (let t = fromMs; t <= toMs; t += 50) s = stepQualityLadder(ladder720, s, targetKbps, t, tuning, demandKbps);
    return s;
  }

  it('keeps 720p through a short dip under what a 1 Mb/s picture uses, far under the 2.8 Mb/s floor', () => {
    const top = initialLadderState(ladder720, 8000);
    // A cut to 850 kbps (0.85 of the acknowledged 1000) lasting 2 s: the rung stays.
    expect(holdWithDemand(top, 850, 1000, 0, 2000).index).toBe(0);
    // Held under the demand for longer than demandDownAfterMs: then it steps.
    expect(holdWithDemand(top, 850, 1000, 0, 3500).index).toBeGreaterThan(0);
  });

  it('a stream that never needed the floors climbs back once its target affords its own demand', () => {
    const down = { index: 2, belowSinceMs: undefined, upSinceMs: ladder720.map(() => undefined) };
    // At 640x360@60 the picture used 300 kbps; 1280x720 has 4× its pixels: 1200 kbps × upFactor 1.3 affords it.
    const s = holdWithDemand(down, 1600, 300, 0, 3500);
    expect(s.index).toBe(0);
    // Without the demand, 1.6 Mb/s is far under 1.3 × 2.8 Mb/s: it would stay small.
    let plain: LadderState = down;
    for (let t = 0; t <= 3500; t += 50) plain = stepQualityLadder(ladder720, plain, 1600, t, tuning);
    expect(plain.index).toBeGreaterThan(0);
  });
});
