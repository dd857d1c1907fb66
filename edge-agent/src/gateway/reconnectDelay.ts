export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Fraction of each delay that is randomised, 0..1. */
  jitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): exponential from
 * initialDelayMs, capped at maxDelayMs, then reduced by up to `jitter` of
 * itself so a fleet of agents does not reconnect in lockstep after a gateway
 * restart. Never exceeds the cap.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, attempt), 30);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return Math.round(base * (1 - policy.jitter * random()));
}
