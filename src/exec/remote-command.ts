import { quoteShellCommand } from './shell-quote.js';

export interface RemoteCommandOptions {
  /** Run through `sudo -n` (never prompts: a missing sudoers rule fails instead of hanging). */
  readonly sudo: boolean;
  /**
   * Wraps the command in coreutils `timeout`, so the command ends on the node even when the SSH
   * connection is gone and the node never sees our channel close.
   */
  readonly remoteTimeoutSeconds?: number;
}

// Seconds between timeout's TERM and its KILL.
const KILL_AFTER_SECONDS = 5;

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
      String(Math.max(1, Math.ceil(options.remoteTimeoutSeconds))),
    );
  }
  if (options.sudo) wrapper.push('sudo', '-n', '--');
  wrapper.push('env', 'LANG=C', 'LC_ALL=C');
  return `exec ${quoteShellCommand([...wrapper, ...argv])}`;
}
