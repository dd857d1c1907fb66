/**
 * Exponential backoff with jitter for chain jobs: `initial × 2^(attempt-1)`,
 * capped, then scaled into [50 %, 100 %] so many gateways do not retry in step.
 */
export function retryDelay(
  attempt: number,
  options: { initialDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const exponential = options.initialDelayMs * 2 ** Math.max(0, Math.min(attempt - 1, 30));
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (0.5 + 0.5 * random()));
}
