import type { LinkStats } from '@frameway/protocol';
import type { SessionStats } from '../media/deriveStats.js';

/**
 * The player's answer to the gateway's in-session RTT check: the figures of
 * the latest WebRTC stats sample (selected candidate pair RTT, jitter, loss,
 * frame rate); empty before the first sample.
 */
export function toLinkStats(stats: Readonly<SessionStats> | undefined): LinkStats {
  if (!stats) return {};
  const out: LinkStats = {};
  if (stats.rttMs !== undefined && Number.isFinite(stats.rttMs) && stats.rttMs >= 0)
    out.rttMs = clamp(stats.rttMs, 600_000);
  if (stats.jitterMs !== undefined && Number.isFinite(stats.jitterMs) && stats.jitterMs >= 0) {
    out.jitterMs = clamp(stats.jitterMs, 600_000);
  }
  if (Number.isFinite(stats.lossPercent)) out.lossPercent = clamp(Math.max(0, stats.lossPercent), 100);
  if (Number.isFinite(stats.fps)) out.fps = clamp(Math.max(0, stats.fps), 1000);
  if (Number.isInteger(stats.freezeCount) && stats.freezeCount >= 0) out.freezeCount = stats.freezeCount;
  return out;
}

function clamp(value: number, max: number): number {
  return Math.min(max, value);
}
