import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

let root: Logger | undefined;

/**
 * The process-wide root logger: JSON lines on stdout, level from LOG_LEVEL
 * (default 'info'). Under vitest the default is 'silent' so test output stays
 * readable; set LOG_LEVEL to see the agent's logs there.
 */
export function rootLogger(): Logger {
  root ??= pino({ name: 'frameway-agent', level: levelFromEnv(process.env) });
  return root;
}

/** A named logger for one module, with its context bound once. */
export function createLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ module, ...bindings });
}

function levelFromEnv(env: NodeJS.ProcessEnv): string {
  const wanted = env.LOG_LEVEL?.trim().toLowerCase();
  if (wanted && (wanted === 'silent' || Object.hasOwn(pino.levels.values, wanted))) return wanted;
  return env.VITEST ? 'silent' : 'info';
}
