import { spawn } from 'node:child_process';
import { CommandAbortedError, CommandTimeoutError, CouldNotRunError } from './exec-errors.js';
import type { CommandResult, Executor, RunOptions } from './executor.js';
import { exitCodeForSignal } from './exit-status.js';
import { quoteShellCommand } from './shell-quote.js';

/**
 * Runs commands on this machine, for an operator (or CLI) that runs on a storage node itself.
 * argv goes straight to execve: no shell is involved at all. `node` is only recorded.
 */
export class LocalExecutor implements Executor {
  constructor(private readonly options: { defaultCommandTimeoutMs?: number } = {}) {}

  run(node: string, argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const command = quoteShellCommand(argv);
    const [program, ...args] = argv as [string, ...string[]];
    // A local command cannot lose its node: the deadline is simply a shorter timeout.
    const timeoutMs = Math.min(
      options.timeoutMs ?? this.options.defaultCommandTimeoutMs ?? 60_000,
      options.deadlineMs ?? Number.POSITIVE_INFINITY,
    );
    const started = performance.now();
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new CommandAbortedError(`Aborted ${command}`, node));
        return;
      }
      const child = spawn(program, args, {
        env: { ...process.env, LANG: 'C', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      // Without input, a command that reads stdin gets EOF at once.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let failure: Error | undefined;
      const stop = (error: Error): void => {
        failure ??= error;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => {
        stop(
          new CommandTimeoutError(
            `${command} did not finish within ${timeoutMs} ms`,
            node,
            timeoutMs,
          ),
        );
      }, timeoutMs);
      const onAbort = (): void => {
        stop(new CommandAbortedError(`Aborted ${command}`, node));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.once('error', (error) => {
        failure ??= new CouldNotRunError(`Could not start ${program}: ${error.message}`, node, {
          cause: error,
        });
      });
      child.once('close', (code, signalName) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (failure) {
          reject(failure);
          return;
        }
        resolve({
          command,
          argv: [...argv],
          node,
          exitCode: code ?? exitCodeForSignal(signalName ?? ''),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          durationMs: Math.round(performance.now() - started),
        });
      });
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
