/**
 * The operator's entry point (the image runs `node dist/main.js`). Before anything else is
 * loaded it checks the Node.js version (the operator's modules need 24: client-node's undici) and
 * its arguments (none, or --version); then it imports the composition root (run-operator.ts) and
 * runs it. Only modules that load on any Node may be imported statically here.
 */
import { parseOperatorArgs } from './entry-args.js';
import { checkNodeVersion } from './node-version.js';
import { formatVersionLine } from './version.js';

/** One JSON line on stderr, as the operator logs (a log pipeline reads it like any other). */
function writeError(message: string, error: string): void {
  process.stderr.write(`${JSON.stringify({ level: 'error', message, error })}\n`);
}

const tooOld = checkNodeVersion(process.versions.node);
const args = parseOperatorArgs(process.argv.slice(2));
if (tooOld !== undefined) {
  writeError('Failed to start gluster-operator', tooOld);
  process.exitCode = 1;
} else if (args.kind === 'usage') {
  writeError('Failed to start gluster-operator', args.message);
  process.exitCode = 64;
} else if (args.kind === 'version') {
  process.stdout.write(`${formatVersionLine()}\n`);
} else {
  try {
    const { runOperator } = await import('./run-operator.js');
    await runOperator();
  } catch (error) {
    // The one top-level catch: an invalid configuration or a failure to start.
    writeError(
      'Failed to run gluster-operator',
      error instanceof Error ? error.message : String(error),
    );
    process.exitCode = 1;
  }
}
