/** The logger the SDK writes to; pass your own (pino's browser build fits) or `silentLogger`. */
export interface Logger {
  debug(message: string, ...data: unknown[]): void;
  info(message: string, ...data: unknown[]): void;
  warn(message: string, ...data: unknown[]): void;
  error(message: string, ...data: unknown[]): void;
}

const noop = (): void => undefined;

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Console logger with a fixed prefix; `debug` is dropped unless asked for, so the hot path stays quiet. */
export function consoleLogger(name = 'frameway', options: { debug?: boolean } = {}): Logger {
  const prefix = `[${name}]`;
  return {
    debug: options.debug ? (message, ...data) => console.debug(prefix, message, ...data) : noop,
    info: (message, ...data) => console.info(prefix, message, ...data),
    warn: (message, ...data) => console.warn(prefix, message, ...data),
    error: (message, ...data) => console.error(prefix, message, ...data),
  };
}
