#!/usr/bin/env node
/**
 * The CLI's entry point (the package's `gluster-operator` bin). Before anything else is loaded it
 * checks the Node.js version (the CLI's modules need 24: client-node's undici fails on older ones
 * with a stack trace) and answers `--version`; then it imports the CLI (start-cli.ts) and runs the
 * command line. Only modules that load on any Node may be imported statically here.
 */
import { isCliVersionRequest } from '../entry-args.js';
import { checkNodeVersion } from '../node-version.js';
import { formatVersionLine } from '../version.js';
import { EXIT } from './exit-codes.js';

const argv = process.argv.slice(2);
const tooOld = checkNodeVersion(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`error: ${tooOld}\n`);
  process.exitCode = EXIT.failed;
} else if (isCliVersionRequest(argv)) {
  process.stdout.write(`${formatVersionLine()}\n`);
} else {
  const { startCli } = await import('./start-cli.js');
  process.exitCode = await startCli(argv);
}
