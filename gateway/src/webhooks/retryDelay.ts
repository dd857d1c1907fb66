/**
 * Delay before the next delivery attempt after `failedAttempts` failures:
 * exponential (base × 2^(n-1)) capped at `maxMs`, with "equal jitter"
 * (between half and all of it) so endpoints coming back are not stampeded.
 */
export function retryDelay(failedAttempts: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 40);
  const capped = Math.min(maxMs, baseMs * 2 ** exponent);
  return Math.floor(capped / 2 + (random() * capped) / 2);
}
