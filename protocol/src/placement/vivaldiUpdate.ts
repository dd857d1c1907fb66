/**
 * Vivaldi network coordinates with height vectors (Dabek, Cox, Kaashoek,
 * Morris: "Vivaldi: a decentralized network coordinate system", SIGCOMM 2004,
 * §5.4). A coordinate is a point `v` in a low-dimensional Euclidean space plus
 * a non-negative height `h` (the access-link delay every path to the node
 * pays); the predicted round trip between two nodes is `‖v₁ − v₂‖ + h₁ + h₂`.
 *
 * Coordinates live in flat Float64Arrays, `stride = dims + 2` numbers each:
 * `[v₀ … v_{dims−1}, height, error]`, so a fleet of tens of thousands of nodes
 * is one allocation and the gateway, the SDK and the benchmark run exactly
 * this code. No DOM, no `node:*`.
 */

/** Tuning constants of the update rule; the paper's values are the defaults. */
export interface VivaldiParams {
  /** Dimensions of the Euclidean part. */
  dims: number;
  /** cc: fraction of the way a node moves towards the sample's spring rest length. */
  cc: number;
  /** ce: weight of a new sample in the node's moving error estimate. */
  ce: number;
  /** Smallest height, in ms; a zero height never moves again. */
  heightMinMs: number;
  /** Error estimates are capped here (1.0 = 100 % relative error). */
  maxError: number;
}

export const DEFAULT_VIVALDI_PARAMS: Readonly<VivaldiParams> = Object.freeze({
  dims: 4,
  cc: 0.25,
  ce: 0.25,
  heightMinMs: 0.05,
  maxError: 1.5,
});

/** Numbers per coordinate in a flat array: the vector, then height, then error. */
export function coordinateStride(dims: number): number {
  return dims + 2;
}

/** A plain, JSON-friendly coordinate (persistence, messages, tests). */
export interface Coordinate {
  vec: number[];
  height: number;
  /** Relative error estimate, 0 = exact … `maxError` = knows nothing. */
  error: number;
}

/** The coordinate of a node that has measured nothing yet: at the origin, maximal error. */
export function originCoordinate(params: Readonly<VivaldiParams> = DEFAULT_VIVALDI_PARAMS): Coordinate {
  return { vec: new Array<number>(params.dims).fill(0), height: params.heightMinMs, error: params.maxError };
}

/** Predicted round trip between two coordinates stored in flat arrays. */
export function coordinateDistance(
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  dims: number,
): number {
  let sum = 0;
  for (let i = 0; i < dims; i++) {
    const d = a[aOffset + i]! - b[bOffset + i]!;
    sum += d * d;
  }
  return Math.sqrt(sum) + a[aOffset + dims]! + b[bOffset + dims]!;
}

/**
 * One Vivaldi step: moves the coordinate at `local[localOffset]` along the
 * spring between it and `remote[remoteOffset]` so that their distance gets
 * closer to the measured `rttMs`, weighting by both sides' error estimates,
 * and updates the local error estimate. Returns the prediction error before
 * the step (|predicted − measured|, ms). Invalid samples are ignored (returns NaN).
 *
 * `weight` (0..1] scales the step, for samples the caller trusts less.
 */
export function vivaldiUpdate(
  local: Float64Array,
  localOffset: number,
  remote: Float64Array,
  remoteOffset: number,
  rttMs: number,
  params: Readonly<VivaldiParams>,
  random: () => number,
  weight = 1,
): number {
  if (!(rttMs > 0) || !Number.isFinite(rttMs)) return Number.NaN;
  const dims = params.dims;
  const hLocal = local[localOffset + dims]!;
  const hRemote = remote[remoteOffset + dims]!;
  const eLocal = local[localOffset + dims + 1]!;
  const eRemote = remote[remoteOffset + dims + 1]!;

  let magSq = 0;
  for (let i = 0; i < dims; i++) {
    const d = local[localOffset + i]! - remote[remoteOffset + i]!;
    magSq += d * d;
  }
  const mag = Math.sqrt(magSq);
  const predicted = mag + hLocal + hRemote;

  const w = eLocal / Math.max(eLocal + eRemote, 1e-9);
  const sampleError = Math.abs(predicted - rttMs) / rttMs;
  const ceW = params.ce * w;
  local[localOffset + dims + 1] = Math.min(params.maxError, sampleError * ceW + eLocal * (1 - ceW));

  const force = params.cc * w * weight * (rttMs - predicted);
  const norm = mag + hLocal + hRemote;
  if (mag > 1e-6) {
    // Unit vector of [v_l − v_r, h_l + h_r] under the height metric (‖·‖ + h).
    const scale = force / norm;
    for (let i = 0; i < dims; i++) {
      local[localOffset + i] = local[localOffset + i]! + scale * (local[localOffset + i]! - remote[remoteOffset + i]!);
    }
    local[localOffset + dims] = Math.max(params.heightMinMs, hLocal + scale * (hLocal + hRemote));
  } else {
    // Same place: push apart in a random direction (the paper's rule for coincident nodes).
    let lenSq = 0;
    const dir = new Array<number>(dims);
    for (let i = 0; i < dims; i++) {
      dir[i] = random() - 0.5;
      lenSq += dir[i]! * dir[i]!;
    }
    const len = Math.sqrt(lenSq) || 1;
    for (let i = 0; i < dims; i++) local[localOffset + i] = local[localOffset + i]! + (force * dir[i]!) / len;
    if (norm > 1e-9) {
      local[localOffset + dims] = Math.max(params.heightMinMs, hLocal + (force * (hLocal + hRemote)) / norm);
    }
  }
  return Math.abs(predicted - rttMs);
}

/** Copies a plain coordinate into a flat array at `offset`. */
export function writeCoordinate(target: Float64Array, offset: number, coordinate: Coordinate, dims: number): void {
  for (let i = 0; i < dims; i++) target[offset + i] = coordinate.vec[i] ?? 0;
  target[offset + dims] = coordinate.height;
  target[offset + dims + 1] = coordinate.error;
}

/** Reads a plain coordinate out of a flat array. */
export function readCoordinate(source: Float64Array, offset: number, dims: number): Coordinate {
  const vec = new Array<number>(dims);
  for (let i = 0; i < dims; i++) vec[i] = source[offset + i]!;
  return { vec, height: source[offset + dims]!, error: source[offset + dims + 1]! };
}
