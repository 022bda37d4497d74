import type { GlusterCli } from '../gluster/gluster-cli.js';
import type { Resolver } from '../gluster/host-identity.js';
import type { Executor } from '../exec/executor.js';
import type { Logger } from '../observability/logger.js';
import type { CliIo } from './cli-io.js';
import type { CliFlags, CommandName, OutputFormat } from './cli-options.js';
import type { NodeTarget } from './node-target.js';
import type { Progress } from './progress.js';
import type { SshSettings } from './ssh-access.js';

/** A working connection to the nodes: one pooled SSH connection per node, closed by runCli. */
export interface NodeAccess {
  readonly executor: Executor;
  readonly cli: GlusterCli;
  readonly ssh: SshSettings;
}

/** What every command gets: its flags and arguments, where to write, and how to reach nodes. */
export interface CommandContext {
  readonly io: CliIo;
  readonly command: CommandName;
  /** Positionals after the command (for peers, the subcommand first). */
  readonly args: readonly string[];
  readonly flags: CliFlags;
  readonly format: OutputFormat;
  readonly progress: Progress;
  readonly logger: Logger;
  /** Aborted on Ctrl-C: passed to every remote call. */
  readonly signal: AbortSignal;
  /** gluster's --timeout for each command; for `peers wait`, how long to wait. */
  readonly timeoutMs: number;
  /** How host names are resolved when matching peers (the system resolver; tests inject one). */
  readonly resolver: Resolver;
  /** Opens SSH access with the flags, over what `target` says (its Secret, spec.ssh). */
  connect(target: NodeTarget | undefined): Promise<NodeAccess>;
}
