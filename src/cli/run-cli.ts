import { GlusterCli } from '../gluster/gluster-cli.js';
import { systemResolver, type Resolver } from '../gluster/host-identity.js';
import type { Executor } from '../exec/executor.js';
import type { CliIo } from './cli-io.js';
import { createCliLogger } from './cli-logger.js';
import type { CommandName } from './cli-options.js';
import {
  COMMANDS,
  durationFlag,
  integerFlag,
  outputFormat,
  parseCommandLine,
} from './cli-options.js';
import type { CommandContext, NodeAccess } from './command-context.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { reportError } from './error-report.js';
import { runDumpCommand } from './dump-command.js';
import { runPeersCommand } from './peers-command.js';
import { runPlanCommand } from './plan-command.js';
import { runStatusCommand } from './status-command.js';
import { runSupportBundleCommand } from './support-bundle-command.js';
import { HELP } from './help-text.js';
import type { NodeTarget } from './node-target.js';
import { createProgress } from './progress.js';
import { createSshExecutor, resolveSshSettings } from './ssh-access.js';
import type { SshSettings } from './ssh-access.js';

export interface RunCliOptions {
  readonly signal?: AbortSignal;
  /** Host name resolution for peer matching; the system resolver when absent. */
  readonly resolver?: Resolver;
  /** Builds the executor; SSH when absent (tests inject a fake). */
  readonly createExecutor?: (settings: SshSettings, commandTimeoutMs: number) => Executor;
}

type Runner = (ctx: CommandContext) => Promise<ExitCode>;

// Imported statically: under tsx in mocha a dynamic import() can load a second copy of a module,
// and an error class from one copy fails `instanceof` against the other (the exit code with it).
const RUNNERS: Readonly<Record<Exclude<CommandName, 'help'>, Runner>> = {
  plan: runPlanCommand,
  status: runStatusCommand,
  peers: runPeersCommand,
  dump: runDumpCommand,
  'support-bundle': runSupportBundleCommand,
};

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs one command line and returns its exit code. The one catch site: every error becomes one
 * line on stderr saying what to do, and an exit code by its class (exit-codes.ts). Every SSH
 * connection opened is closed before it returns.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  let command: CommandName | undefined;
  const executors: Executor[] = [];
  try {
    const parsed = parseCommandLine(argv);
    command = parsed.command;
    const { values } = parsed;
    if (command === undefined || command === 'help') {
      const topic =
        command === 'help' ? COMMANDS.find((name) => name === parsed.args[0]) : undefined;
      const text = HELP[topic ?? 'main'];
      if (command === undefined && !values.help) {
        io.stderr(text);
        return EXIT.usage;
      }
      io.stdout(text);
      return EXIT.ok;
    }
    if (values.help) {
      io.stdout(HELP[command]);
      return EXIT.ok;
    }
    const format = outputFormat(values);
    const timeoutMs = durationFlag('timeout', values.timeout, DEFAULT_TIMEOUT_MS);
    const logger = createCliLogger(values.verbose ?? false);
    const signal = options.signal ?? new AbortController().signal;
    let access: NodeAccess | undefined;
    const ctx: CommandContext = {
      io,
      command,
      args: parsed.args,
      flags: values,
      format,
      progress: createProgress(io, { quiet: values.quiet ?? false }),
      logger,
      signal,
      timeoutMs,
      resolver: options.resolver ?? systemResolver,
      async connect(target: NodeTarget | undefined) {
        if (access) return access;
        const sshPort = values['ssh-port'];
        const ssh = await resolveSshSettings(
          {
            user: values['ssh-user'],
            port:
              sshPort === undefined
                ? undefined
                : integerFlag('ssh-port', sshPort, 22, { min: 1, max: 65_535 }),
            sudo: values.sudo,
            keyPath: values['ssh-key'],
            knownHostsPath: values['known-hosts'],
            insecureSkipHostKeyCheck: values['insecure-skip-host-key-check'],
          },
          target?.sshDefaults ?? {},
          io,
        );
        // For `peers wait`, --timeout is the deadline of the wait; each look keeps the default.
        const isWait = command === 'peers' && parsed.args[0] === 'wait';
        const timeoutSeconds = Math.max(
          1,
          Math.ceil((isWait ? DEFAULT_TIMEOUT_MS : timeoutMs) / 1000),
        );
        // The whole command may take gluster's own timeout plus the SSH round trips.
        const commandTimeoutMs = timeoutSeconds * 1000 + 10_000;
        const executor = options.createExecutor
          ? options.createExecutor(ssh, commandTimeoutMs)
          : createSshExecutor(ssh, { commandTimeoutMs, logger });
        executors.push(executor);
        access = {
          executor,
          ssh,
          cli: new GlusterCli(executor, { timeoutSeconds, commandTimeoutMs, logger }),
        };
        return access;
      },
    };
    return await RUNNERS[command](ctx);
  } catch (error) {
    const report = reportError(
      options.signal?.aborted ? (options.signal.reason ?? error) : error,
      command,
    );
    io.stderr(`${options.signal?.aborted ? 'error: interrupted' : report.line}\n`);
    return options.signal?.aborted ? EXIT.interrupted : report.exitCode;
  } finally {
    await Promise.all(executors.map((executor) => executor.close().catch(() => undefined)));
  }
}
