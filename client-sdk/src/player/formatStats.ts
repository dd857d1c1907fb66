import type { SessionStats } from '../media/deriveStats.js';

/** The stats overlay's lines: what a player or a support engineer looks at first. */
export function formatStats(stats: SessionStats): string[] {
  const resolution = stats.width > 0 ? `${stats.width}×${stats.height}` : 'no video yet';
  return [
    `${resolution}${stats.codec ? ` ${stats.codec}` : ''} · ${stats.fps.toFixed(0)} fps`,
    `RTT ${ms(stats.rttMs)} · jitter ${ms(stats.jitterMs)}`,
    `latency ≈ ${ms(stats.latencyEstimateMs)} (network + buffer + decode)`,
    ...(stats.frameLatencyMs === undefined
      ? []
      : [`frame latency ≈ ${ms(stats.frameLatencyMs)} · p95 ${ms(stats.frameLatencyP95Ms)} (receive → shown + RTT/2)`]),
    `${formatBitrate(stats.bitrateKbps)}${stats.targetKbps === undefined ? '' : ` of ${formatBitrate(stats.targetKbps)} target`} · loss ${stats.lossPercent.toFixed(1)}%`,
    ...(stats.estimateKbps
      ? [`link estimate ${formatBitrate(stats.estimateKbps)} · NACK ${stats.nackCount} · PLI ${stats.pliCount}`]
      : []),
    `dropped ${stats.framesDropped} · freezes ${Math.max(stats.freezeCount, stats.presentedFreezeCount)}${stats.reconnects > 0 ? ` · reconnects ${stats.reconnects}` : ''}`,
  ];
}

function ms(value: number | undefined): string {
  if (value === undefined) return '–';
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

function formatBitrate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${kbps} kbit/s`;
}
