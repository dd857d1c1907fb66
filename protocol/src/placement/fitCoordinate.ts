import { coordinateDistance, coordinateStride, type VivaldiParams } from './vivaldiUpdate.js';

/** One measured round trip from the point being fitted to a node whose coordinate is known. */
export interface RttObservation {
  /** Offset of the node's coordinate in the `nodes` array. */
  offset: number;
  rttMs: number;
}

export interface FitCoordinateOptions {
  params: Readonly<VivaldiParams>;
  /** Passes over the observations. */
  passes?: number;
  /** Only the nearest this many observations are used (the far ones barely move a relative-error fit). */
  maxObservations?: number;
  /** A starting coordinate (e.g. the player's previous one); the nearest observed node otherwise. */
  start?: Float64Array;
}

/**
 * Places a newcomer (a player) in the coordinate space from a handful of
 * measured round trips to nodes that stay put: Vivaldi steps for the
 * newcomer only, with nearer nodes weighted more (a relative-error fit, so
 * the 5 ms neighbourhood ends up accurate and the 200 ms landmarks only
 * coarse), the step shrinking every pass. Returns a fresh coordinate
 * `[vec…, height, error]` whose error is the median relative misfit.
 *
 * Deterministic: the same observations always give the same coordinate.
 */
export function fitCoordinate(
  nodes: Float64Array,
  observations: readonly RttObservation[],
  options: FitCoordinateOptions,
): Float64Array {
  const { params } = options;
  const dims = params.dims;
  const stride = coordinateStride(dims);
  const out = new Float64Array(stride);
  const valid = observations.filter((o) => o.rttMs > 0 && Number.isFinite(o.rttMs));
  if (valid.length === 0) {
    out[dims] = params.heightMinMs;
    out[dims + 1] = params.maxError;
    return out;
  }
  valid.sort((a, b) => a.rttMs - b.rttMs);
  if (valid.length > (options.maxObservations ?? 20)) valid.length = options.maxObservations ?? 20;
  const nearest = valid[0]!;
  const minRtt = nearest.rttMs;
  if (options.start && options.start.length >= stride) {
    out.set(options.start.subarray(0, stride));
  } else {
    // Start on top of the nearest node, with the height that explains its RTT.
    for (let i = 0; i < dims; i++) out[i] = nodes[nearest.offset + i]!;
    out[dims] = Math.max(params.heightMinMs, minRtt - nodes[nearest.offset + dims]!);
  }

  const passes = options.passes ?? 16;
  for (let pass = 0; pass < passes; pass++) {
    const cc = 0.5 * (1 - pass / passes) + 0.02;
    for (const observation of valid) {
      const o = observation.offset;
      const hNode = nodes[o + dims]!;
      let magSq = 0;
      for (let i = 0; i < dims; i++) {
        const d = out[i]! - nodes[o + i]!;
        magSq += d * d;
      }
      const mag = Math.sqrt(magSq);
      const hSelf = out[dims]!;
      const predicted = mag + hSelf + hNode;
      // Nearer nodes pull harder: the fit is on relative error.
      const force = cc * (minRtt / observation.rttMs) * (observation.rttMs - predicted);
      const norm = mag + hSelf + hNode;
      if (norm <= 1e-9) continue;
      if (mag > 1e-6) {
        const scale = force / norm;
        for (let i = 0; i < dims; i++) out[i] = out[i]! + scale * (out[i]! - nodes[o + i]!);
      }
      out[dims] = Math.max(params.heightMinMs, hSelf + (force * (hSelf + hNode)) / norm);
    }
  }

  const misfits = valid.map((o) => Math.abs(coordinateDistance(out, 0, nodes, o.offset, dims) - o.rttMs) / o.rttMs);
  misfits.sort((a, b) => a - b);
  out[dims + 1] = Math.min(params.maxError, misfits[Math.floor(misfits.length / 2)]!);
  return out;
}
