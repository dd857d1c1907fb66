import type { EncoderTargetSettings } from './SessionVideoEncoder.js';

/** The session's picture: what frames arrive as, and the most an encoder can make of them. */
export interface SessionPicture {
  width: number;
  height: number;
  fps: number;
}

export interface RetargetPlan {
  /** What the encoder produces from now on. */
  target: EncoderTargetSettings;
  /** Anything differs from the current target. */
  changed: boolean;
  /** The picture size differs: the encoder must be reopened (its next frame is an IDR). */
  resize: boolean;
  /** The rate control differs (bitrate, or the frame rate the bits are spread over). */
  rateChanged: boolean;
}

/** Smallest picture side an encoder is opened at (EncoderTarget's own minimum). */
const MIN_SIDE = 16;

/**
 * Decides what an in-process encoder does with a requested target. Frames
 * only ever arrive at the session's size and rate, so both are ceilings:
 * upscaling or duplicating frames would spend bits on nothing. Sizes are
 * kept even (4:2:0 chroma).
 */
export function inProcessRetarget(
  session: SessionPicture,
  current: EncoderTargetSettings,
  requested: EncoderTargetSettings,
): RetargetPlan {
  const target: EncoderTargetSettings = {
    bitrateKbps: Math.max(1, Math.round(finiteOr(requested.bitrateKbps, current.bitrateKbps))),
    width: evenSide(requested.width, session.width, current.width),
    height: evenSide(requested.height, session.height, current.height),
    fps: Math.min(session.fps, Math.max(1, finiteOr(requested.fps, current.fps))),
  };
  const resize = target.width !== current.width || target.height !== current.height;
  const rateChanged = target.bitrateKbps !== current.bitrateKbps || target.fps !== current.fps;
  return { target, changed: resize || rateChanged, resize, rateChanged };
}

/**
 * Frame-rate pacing by credit (Bresenham): every offered frame earns
 * `outputFps`, a sent frame costs `inputFps`, so `outputFps` of every
 * `inputFps` frames go out, evenly spread (60 → 30 sends every other frame,
 * 30 → 20 two of three). A frame that is due while the encoder is busy is
 * owed: the next ready frame goes out instead, so a busy drop does not also
 * cost a paced slot; only one frame is ever owed, so a long stall never
 * turns into a burst. Start (and restart, on a new rate) at
 * `inputFps - outputFps`: the next frame is sent, then the pace holds.
 */
export function paceFrame(
  credit: number,
  inputFps: number,
  outputFps: number,
  encoderReady: boolean,
): { send: boolean; credit: number } {
  const earned = credit + outputFps;
  if (earned < inputFps) return { send: false, credit: earned };
  if (!encoderReady) return { send: false, credit: inputFps - outputFps };
  return { send: true, credit: earned - inputFps };
}

function evenSide(requested: number, ceiling: number, fallback: number): number {
  const side = Math.min(ceiling, Math.max(MIN_SIDE, Math.floor(finiteOr(requested, fallback))));
  return side - (side % 2);
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}
