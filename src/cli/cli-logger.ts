import type { Logger } from '../observability/logger.js';
import { createLogger, createSilentLogger } from '../observability/logger.js';

/**
 * The CLI's logs: with --verbose the operator's winston JSON lines (debug level) on stderr, so
 * stdout stays the command's result; without, none (progress and errors speak instead).
 */
export function createCliLogger(verbose: boolean): Logger {
  return verbose ? createLogger({ level: 'debug', stream: 'stderr' }) : createSilentLogger();
}
