import { type Logger, pino } from 'pino';

const level = process.env.LOG_LEVEL ?? 'info';

/** The process-wide root logger (JSON lines to stdout). */
export const rootLogger: Logger = pino({ level, base: { svc: 'gateway' } });

/** A named child logger; bind context once, not per call. */
export function createLogger(module: string, bindings: Record<string, unknown> = {}): Logger {
  return rootLogger.child({ module, ...bindings });
}

export type { Logger };
