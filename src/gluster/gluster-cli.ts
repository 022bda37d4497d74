import type { CommandResult, Executor } from '../exec/executor.js';
import type { Logger } from '../observability/logger.js';
import { createSilentLogger } from '../observability/logger.js';
import type { CliOutput } from './cli-output.js';
import { parseCliOutput } from './cli-output.js';
import { GlusterCliError, GlusterXmlParseError } from './gluster-errors.js';

export interface GlusterCliOptions {
  /** gluster's own `--timeout`: how long the CLI waits for glusterd. */
  readonly timeoutSeconds?: number;
  /** How long the whole command may take before it is ended; defaults to the CLI timeout + 10 s. */
  readonly commandTimeoutMs?: number;
  readonly logger?: Logger;
  /** Told of every command: for metrics. `could_not_run` when the executor threw. */
  readonly onCommand?: (verb: string, outcome: CommandOutcome, durationMs: number) => void;
}

export type CommandOutcome = 'ok' | 'failed' | 'could_not_run';

export interface GlusterAnswer {
  readonly output: CliOutput;
  readonly result: CommandResult;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  /** This command's budget on the node, instead of the CLI's commandTimeoutMs (a fenced change). */
  readonly timeoutMs?: number;
  /** Give up on our side after this long (see RunOptions.deadlineMs): short reads. */
  readonly deadlineMs?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * Runs gluster commands on nodes through an Executor and returns their parsed XML envelope.
 * Always script mode (or `peer detach` prompts, fails to read an answer and still exits 0),
 * always XML, always a CLI timeout. Whether glusterd accepted the operation is the caller's
 * question (opRet), not this class's: only "the CLI could not answer" is an error here.
 */
export class GlusterCli {
  readonly timeoutSeconds: number;
  private readonly commandTimeoutMs: number;
  private readonly logger: Logger;
  private readonly onCommand: GlusterCliOptions['onCommand'];

  constructor(
    readonly executor: Executor,
    options: GlusterCliOptions = {},
  ) {
    this.timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.commandTimeoutMs = options.commandTimeoutMs ?? this.timeoutSeconds * 1000 + 10_000;
    this.logger = options.logger ?? createSilentLogger();
    this.onCommand = options.onCommand;
  }

  /** The argv for `gluster <args>` as this CLI runs it. */
  argv(args: readonly string[]): string[] {
    return ['gluster', '--mode=script', '--xml', `--timeout=${this.timeoutSeconds}`, ...args];
  }

  async run(
    node: string,
    args: readonly string[],
    options: CallOptions = {},
  ): Promise<GlusterAnswer> {
    const result = await this.exec(node, this.argv(args), options);
    let output: CliOutput;
    try {
      output = parseCliOutput(result.stdout);
    } catch (error) {
      // With --xml gluster exits 0 even when glusterd refused: only an unreadable answer
      // (glusterd down, CLI timeout) tells us the CLI failed, and its exit code says how.
      if (result.exitCode !== 0 || !(error instanceof GlusterXmlParseError)) {
        throw new GlusterCliError(describeCliFailure(result), result, { cause: error });
      }
      throw error;
    }
    return { output, result };
  }

  /** For the few commands without XML output (`gluster --version`). */
  async runPlain(
    node: string,
    args: readonly string[],
    options: CallOptions = {},
  ): Promise<CommandResult> {
    const result = await this.exec(node, ['gluster', ...args], options);
    if (result.exitCode !== 0) throw new GlusterCliError(describeCliFailure(result), result);
    return result;
  }

  /**
   * A program other than the gluster CLI (a look at glusterd's store, the events registration),
   * through the same executor, deadline, log line and command metrics, under `verb`. `input` goes
   * to its standard input (never logged). Its exit code is the caller's.
   */
  async runProgram(
    node: string,
    argv: readonly string[],
    verb: string,
    options: CallOptions & { readonly input?: string } = {},
  ): Promise<CommandResult> {
    return this.exec(node, [...argv], options, verb);
  }

  private async exec(
    node: string,
    argv: string[],
    options: CallOptions & { readonly input?: string },
    verb: string = verbOf(argv),
  ): Promise<CommandResult> {
    const started = performance.now();
    let result: CommandResult;
    try {
      result = await this.executor.run(node, argv, {
        timeoutMs: options.timeoutMs ?? this.commandTimeoutMs,
        ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.input === undefined ? {} : { input: options.input }),
      });
    } catch (error) {
      this.onCommand?.(verb, 'could_not_run', performance.now() - started);
      throw error;
    }
    this.onCommand?.(verb, result.exitCode === 0 ? 'ok' : 'failed', result.durationMs);
    this.logger.debug('Ran gluster command', {
      host: node,
      verb,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
    });
    return result;
  }
}

function verbOf(argv: readonly string[]): string {
  return argv
    .slice(1)
    .filter((word) => !word.startsWith('-'))
    .slice(0, 2)
    .join(' ');
}

function describeCliFailure(result: CommandResult): string {
  const said = (result.stderr.trim() || result.stdout.trim() || 'no output').slice(0, 500);
  return `${result.command} on ${result.node} exited ${result.exitCode}: ${said}`;
}
