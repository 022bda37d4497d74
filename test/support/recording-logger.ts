import type { Logger } from '../../src/observability/logger.js';

export interface LoggedLine {
  readonly level: string;
  readonly message: string;
  readonly meta?: Record<string, unknown> | undefined;
}

/** A Logger that keeps every line in `lines`, for tests that assert what was logged. */
export function recordingLogger(lines: LoggedLine[]): Logger {
  const log =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void => {
      lines.push({ level, message, meta });
    };
  const logger: Logger = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return logger;
}
