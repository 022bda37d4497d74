#!/usr/bin/env node
/**
 * The CLI's entry point (the package's `gluster-operator` bin): wires the process to runCli.
 * The first Ctrl-C aborts the running command (remote commands are ended, connections closed);
 * a second one exits at once.
 */
import { processIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { runCli } from './run-cli.js';

const interrupted = new AbortController();
process.on('SIGINT', () => {
  if (interrupted.signal.aborted) process.exit(EXIT.interrupted);
  interrupted.abort(new Error('Interrupted'));
});

process.exitCode = await runCli(process.argv.slice(2), processIo(), { signal: interrupted.signal });
