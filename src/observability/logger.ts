import winston from 'winston';

/** The logging surface the code depends on; winston's Logger satisfies it. */
export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Structured JSON logs to stdout, one object a line, with an ISO timestamp. */
export function createLogger(
  options: {
    level?: LogLevel;
    silent?: boolean;
    /** stdout (default), or stderr for a CLI whose stdout is its result. */
    stream?: 'stdout' | 'stderr';
  } = {},
): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      winston.format.json(),
    ),
    transports: [
      // winston's own Console transport; the lint rule cannot see through winston's typings.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      new winston.transports.Console(
        options.stream === 'stderr' ? { stderrLevels: ['error', 'warn', 'info', 'debug'] } : {},
      ),
    ],
  });
}

/** A logger that drops everything: for library users who do not want logs, and for tests. */
export function createSilentLogger(): Logger {
  return createLogger({ silent: true });
}
