import { InvalidArgumentError } from '../errors.js';

// Characters that never mean anything to a POSIX shell; anything else gets single-quoted.
const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell so that it reaches the program as exactly one word,
 * byte for byte. Inside single quotes a POSIX shell interprets nothing (no `$`, backticks,
 * backslashes, globs or newlines), and a single quote itself is written as `'\''`.
 */
export function quoteShellArg(arg: string): string {
  if (arg.includes('\0')) {
    throw new InvalidArgumentError('An argument contains a NUL byte, which no command can receive');
  }
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins argv into one shell command line in which every element is one literal word. */
export function quoteShellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new InvalidArgumentError('Cannot run an empty command');
  return argv.map(quoteShellArg).join(' ');
}
