/**
 * The port through which everything runs a command on a storage node. Adapters: SSH (remote
 * nodes) and local (the operator runs on the node itself). argv is never joined into a shell
 * string by callers: each adapter is responsible for passing it through unchanged.
 */
export interface Executor {
  run(node: string, argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
  /** Releases pooled connections. The executor must not be used afterwards. */
  close(): Promise<void>;
}

export interface RunOptions {
  /** Ends the command (remote side included) when it has not finished in time. */
  readonly timeoutMs?: number;
  /**
   * Gives up on the command on our side after this long, counted from the call (waiting for a
   * free slot and connecting included), while the node still ends it after `timeoutMs`. For
   * short reads that must report a node that stopped answering quickly: a connect that has not
   * finished by then fails with SshConnectError, a command that has not, with
   * CommandTimeoutError.
   */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  /**
   * Written to the command's standard input, which is then closed: how a secret reaches a
   * command without appearing in its argv (which `ps` on the node, logs and events show).
   * Without it the command reads EOF at once.
   */
  readonly input?: string;
}

/**
 * A command that ran to completion (whatever its exit code). What the peer-ops library returned
 * (command, node, exit code, output, error output) plus how long it took.
 */
export interface CommandResult {
  /** The command as a person would type it, for logs and events; argv stays the source of truth. */
  readonly command: string;
  readonly argv: readonly string[];
  readonly node: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}
