/** Distribution summary of a benchmark series, in the series' unit (ms for latencies). */
export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  stdev: number;
}

/**
 * Percentile by linear interpolation between closest ranks (NumPy's default,
 * "type 7"): stable for the few hundred samples a bench takes, unlike nearest
 * rank, which jumps a whole sample at a time. `sorted` must be ascending.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const lo = sorted[lower]!;
  const hi = sorted[upper]!;
  return lo + (hi - lo) * (rank - lower);
}

/** p50/p95/p99/min/max/mean/stdev of `values`; NaN fields for an empty series. */
export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const count = sorted.length;
  const mean = count === 0 ? Number.NaN : sorted.reduce((sum, v) => sum + v, 0) / count;
  const variance = count < 2 ? 0 : sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (count - 1);
  return {
    count,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: count === 0 ? Number.NaN : sorted[0]!,
    max: count === 0 ? Number.NaN : sorted[count - 1]!,
    mean,
    stdev: count === 0 ? Number.NaN : Math.sqrt(variance),
  };
}
