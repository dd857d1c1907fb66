import type { Hex } from 'viem';
import type { SettlementRequest } from '../chain/LedgerChain.js';

/** The settlement contract bills started 15-minute blocks. */
export const BLOCK_SECONDS = 900;

export interface SettlementInput {
  sessionKey: Hex;
  /** Start of minute 0 (streaming began); null when the session never streamed. */
  startedAt: number | null;
  endedAt: number;
  /** Every recorded minute, any order. */
  minutes: ReadonlyArray<{ minuteIndex: number; slaMet: boolean; fpsMilli: number; p95LatencyUs: number }>;
}

/**
 * Proof of delivery for one session: streamed duration, the failed-minute
 * bitmap, and the quality percentiles over its minutes. Pure.
 */
export function summarizeSettlement(input: SettlementInput): SettlementRequest & { billableBlocks: number } {
  const durationSec = input.startedAt === null ? 0 : Math.max(0, Math.floor((input.endedAt - input.startedAt) / 1000));
  const totalMinutes = input.minutes.reduce((max, m) => Math.max(max, m.minuteIndex + 1), 0);
  const words = new Array<bigint>(Math.ceil(totalMinutes / 256)).fill(0n);
  const met = new Map(input.minutes.map((m) => [m.minuteIndex, m.slaMet]));
  for (let minute = 0; minute < totalMinutes; minute++) {
    // A minute with no record at all has no proof of delivery: it counts as failed.
    if (met.get(minute) !== true) {
      words[minute >> 8] = (words[minute >> 8] as bigint) | (1n << BigInt(minute & 255));
    }
  }
  const latencies = input.minutes.map((m) => m.p95LatencyUs);
  return {
    sessionKey: input.sessionKey,
    durationSec,
    totalMinutes,
    failedBitmap: words,
    p50LatencyUs: percentile(latencies, 50),
    p95LatencyUs: percentile(latencies, 95),
    fpsP5Milli: percentile(
      input.minutes.map((m) => m.fpsMilli),
      5,
    ),
    billableBlocks: Math.ceil(durationSec / BLOCK_SECONDS),
  };
}

/** Nearest-rank percentile (0 for an empty list). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}
