import { availableParallelism, loadavg } from 'node:os';

/** 1-minute load average divided by core count (1.0 = every core busy), as AgentHeartbeat reports it. */
export function cpuLoad(): number {
  const load = (loadavg()[0] ?? 0) / Math.max(1, availableParallelism());
  return Math.round(load * 1000) / 1000;
}
