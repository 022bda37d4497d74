import { quoteShellCommand } from './shell-quote.js';

export interface RemoteCommandOptions {
  /** Run through `sudo -n` (never prompts: a missing sudoers rule fails instead of hanging). */
  readonly sudo: boolean;
  /**
   * Wraps the command in coreutils `timeout`, which ends it (its whole process group) on the
   * node. This is what enforces command timeouts: sshd refuses SSH "signal" requests on root
   * sessions ("session signalling requires privilege separation"), and closing the channel
   * does not stop a command that is not writing.
   */
  readonly remoteTimeoutSeconds?: number;
}

/** Seconds between timeout's TERM and its KILL, for a command that ignores TERM. */
export const KILL_AFTER_SECONDS = 5;

/** What coreutils `timeout` exits with when it had to end the command. */
export const TIMED_OUT_EXIT_CODE = 124;

/**
 * The exact line the remote login shell receives. Every element of argv is quoted, and the
 * wrapper words are constants, so no input is ever interpreted by the remote shell. `LANG=C`
 * keeps gluster's messages in the English our parsers and error mapping expect.
 */
export function buildRemoteCommandLine(
  argv: readonly string[],
  options: RemoteCommandOptions,
): string {
  const wrapper: string[] = [];
  if (options.remoteTimeoutSeconds !== undefined) {
    wrapper.push(
      'timeout',
      '-k',
      String(KILL_AFTER_SECONDS),
      // Tenths of a second: timeout accepts fractions, and we want the budget, not a rounding.
      String(Math.max(0.1, Math.ceil(options.remoteTimeoutSeconds * 10) / 10)),
    );
  }
  // env before sudo: sudo then runs the command itself, so a least-privilege sudoers rule such
  // as `NOPASSWD: /usr/sbin/gluster` matches (a rule would have to allow `env`, i.e. anything,
  // if env came after). sudo passes LANG and LC_* on unless its env_keep says otherwise.
  wrapper.push('env', 'LANG=C', 'LC_ALL=C');
  if (options.sudo) wrapper.push('sudo', '-n', '--');
  return `exec ${quoteShellCommand([...wrapper, ...argv])}`;
}
