import winston from 'winston';
import type { Logger } from '../observability/logger.js';
import { createSilentLogger } from '../observability/logger.js';

/**
 * The CLI's logs: with --verbose the operator's winston JSON lines (debug level) on stderr, so
 * stdout stays the command's result; without, none (progress and errors speak instead).
 */
export function createCliLogger(verbose: boolean): Logger {
  if (!verbose) return createSilentLogger();
  return winston.createLogger({
    level: 'debug',
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.errors({ stack: false }),
      winston.format.json(),
    ),
    transports: [
      // winston's own Console transport; the lint rule cannot see through winston's typings.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
      new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] }),
    ],
  });
}
