/**
 * Wires the process to runCli, once main.ts has checked the Node.js version. The first Ctrl-C
 * aborts the running command (remote commands are ended, connections closed); a second one exits
 * at once. Returns the exit code.
 */
import { processIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';

export function startCli(argv: readonly string[]): Promise<number> {
  const interrupted = new AbortController();
  process.on('SIGINT', () => {
    if (interrupted.signal.aborted) process.exit(EXIT.interrupted);
    interrupted.abort(new Error('Interrupted'));
  });
  return runCli(argv, processIo(), { signal: interrupted.signal });
}
