import { FramewayError } from '@frameway/protocol';
import type { CongestionTuning } from './congestionTuning.js';

export type LadderTuning = CongestionTuning['ladder'];

export interface VideoShape {
  width: number;
  height: number;
  fps: number;
}

/** A picture the encoder can be asked for, and the bitrate under which it looks worse than the next one down. */
export interface QualityRung extends VideoShape {
  floorKbps: number;
}

export interface LadderState {
  /** Index of the current rung; 0 is the session's full shape. */
  index: number;
  /** Since when the target has been under the current rung's floor. */
  belowSinceMs: number | undefined;
  /** Per higher rung: since when the target has been at least upFactor × its floor. */
  upSinceMs: readonly (number | undefined)[];
}

/** 4:2:0 needs even sizes; the protocol's smallest picture side is 16. */
const MIN_SIDE = 16;

/**
 * The rungs for a session's full shape, best first: each of `tuning.scales`
 * of the width and height at the full frame rate, then the smallest at
 * lowFpsFraction of it as the last resort (floor 0). A rung's floor is the
 * bits per second its pixel rate needs (floorBitsPerPixel); if the full
 * shape's floor would leave it out of reach under maxKbps, all floors are
 * scaled down so that the session can always climb back to its own shape.
 *
 * @example buildQualityLadder({ width: 1280, height: 720, fps: 60 }, 8000, tuning)
 * // 1280x720@60 ≥ 2764, 960x540@60 ≥ 1555, 640x360@60 ≥ 691, 640x360@30
 */
export function buildQualityLadder(shape: VideoShape, maxKbps: number, tuning: LadderTuning): QualityRung[] {
  const { width, height, fps } = shape;
  if (![width, height, fps, maxKbps].every((n) => Number.isFinite(n) && n > 0)) {
    throw new FramewayError('FW_ERR_INTERNAL', `no quality ladder for ${width}x${height}@${fps} under ${maxKbps} kbps`);
  }
  const rungs: QualityRung[] = [];
  const push = (rung: QualityRung) => {
    const last = rungs.at(-1);
    if (!last || last.width !== rung.width || last.height !== rung.height || last.fps !== rung.fps) rungs.push(rung);
  };
  for (const scale of tuning.scales) {
    const w = evenSide(width, scale);
    const h = evenSide(height, scale);
    push({ width: w, height: h, fps, floorKbps: (w * h * fps * tuning.floorBitsPerPixel) / 1000 });
  }
  const smallest = rungs.at(-1);
  if (smallest) push({ ...smallest, fps: Math.max(1, Math.round(fps * tuning.lowFpsFraction)) });
  // The last rung is the last resort: there is nothing below it to step to.
  const last = rungs.at(-1);
  if (last) last.floorKbps = 0;
  const top = rungs[0]?.floorKbps ?? 0;
  const fit = top * tuning.upFactor > maxKbps ? maxKbps / (top * tuning.upFactor) : 1;
  for (const rung of rungs) rung.floorKbps = Math.floor(rung.floorKbps * fit);
  return rungs;
}

/** Starts on the best rung the starting bitrate affords. */
export function initialLadderState(ladder: readonly QualityRung[], targetKbps: number): LadderState {
  return { index: bestRungFor(ladder, targetKbps, 0), belowSinceMs: undefined, upSinceMs: ladder.map(() => undefined) };
}

/**
 * One step of the ladder for the current target. Down when the target has
 * stayed under the rung's floor for downAfterMs, or at once under
 * downAtOnceFraction of it, straight to the best rung the target affords.
 * Up only when the target has held upFactor × a higher rung's floor for
 * upAfterMs: a resize costs an IDR, so it must not flap.
 *
 * `demandKbps` is what the stream has actually been sending (the mean
 * acknowledged bitrate over a few seconds). A cheap picture (a menu, a calm
 * scene) may need far less than the rung's floor: then the floor that counts
 * is the demand, a dip below it steps down only after demandDownAfterMs (a
 * short squeeze costs less than a resize), and a higher rung counts as
 * affordable at its demand scaled by its pixel rate, so a stream that never
 * needed the floors can climb back.
 */
export function stepQualityLadder(
  ladder: readonly QualityRung[],
  state: LadderState,
  targetKbps: number,
  nowMs: number,
  tuning: LadderTuning,
  demandKbps?: number,
): LadderState {
  const rung = ladder[state.index];
  if (!rung) return initialLadderState(ladder, targetKbps);
  const needOf = (candidate: QualityRung): number =>
    demandKbps === undefined
      ? candidate.floorKbps
      : Math.min(candidate.floorKbps, (demandKbps * pixelRate(candidate)) / pixelRate(rung));
  const upSinceMs = ladder.map((higher, j) =>
    j < state.index && targetKbps >= tuning.upFactor * needOf(higher) ? (state.upSinceMs[j] ?? nowMs) : undefined,
  );

  const floor = needOf(rung);
  const heldByDemand = floor < rung.floorKbps;
  if (targetKbps < floor && state.index < ladder.length - 1) {
    const belowSinceMs = state.belowSinceMs ?? nowMs;
    const atOnce = targetKbps < tuning.downAtOnceFraction * floor;
    const after = heldByDemand ? tuning.demandDownAfterMs : tuning.downAfterMs;
    if (atOnce || nowMs - belowSinceMs >= after) {
      return { index: bestRungFor(ladder, targetKbps, state.index + 1), belowSinceMs: undefined, upSinceMs };
    }
    return { index: state.index, belowSinceMs, upSinceMs };
  }

  const up = upSinceMs.findIndex((since) => since !== undefined && nowMs - since >= tuning.upAfterMs);
  if (up >= 0 && up < state.index) {
    return { index: up, belowSinceMs: undefined, upSinceMs: ladder.map(() => undefined) };
  }
  return { index: state.index, belowSinceMs: undefined, upSinceMs };
}

function pixelRate(shape: VideoShape): number {
  return shape.width * shape.height * shape.fps;
}

/** The first rung from `from` on whose floor the target meets (the last rung when none does). */
function bestRungFor(ladder: readonly QualityRung[], targetKbps: number, from: number): number {
  for (let i = from; i < ladder.length; i++) {
    if (targetKbps >= (ladder[i]?.floorKbps ?? 0)) return i;
  }
  return ladder.length - 1;
}

function evenSide(side: number, scale: number): number {
  const scaled = Math.max(MIN_SIDE, 2 * Math.round((side * scale) / 2));
  // Never above the session's own side (an odd or tiny side rounds up otherwise).
  return Math.min(scaled, side - (side % 2));
}
