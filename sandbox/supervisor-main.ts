/**
 * The sandbox supervisor's entry point: `up` starts it detached, in a session of its own, with
 * its output (JSON logs) in supervisor.log. Not meant to be run by hand.
 */
import { createLogger } from '../src/observability/logger.js';
import { describeError } from './describe-error.js';
import { sandboxPaths } from './sandbox-layout.js';
import { runSupervisor } from './supervisor.js';

const logger = createLogger().child({ component: 'sandbox-supervisor' });
try {
  process.exitCode = await runSupervisor(sandboxPaths(), logger);
} catch (err) {
  // Only what happens before the supervisor owns anything: another one runs, the lock.
  logger.error('Failed to run the sandbox supervisor', { error: describeError(err) });
  process.exitCode = 1;
}
// Timers and sockets of the stopped parts must not keep a finished supervisor around.
process.exit();
