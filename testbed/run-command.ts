import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { TestbedCommandError, TestbedError } from './testbed-error.js';

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/** Thrown when a command outlives its timeout; the process was killed. */
export class TestbedCommandTimeoutError extends TestbedError {
  constructor(
    readonly argv: readonly string[],
    readonly timeoutMs: number,
  ) {
    super(`Command did not finish within ${timeoutMs} ms: ${argv.join(' ')}`);
  }
}

/** The environment every testbed command gets: predictable output, no caller locale. */
export const baseEnv: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
  LC_ALL: 'C',
  HOME: '/root',
};

/**
 * Runs argv (never through a shell) and resolves with its exit code and output, whatever the
 * exit code. Rejects only when it could not run or timed out.
 */
export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new TestbedError('Empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? baseEnv,
      cwd: '/',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new TestbedError(`Could not run ${argv.join(' ')}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut && opts.timeoutMs !== undefined) {
        reject(new TestbedCommandTimeoutError(argv, opts.timeoutMs));
        return;
      }
      resolve({
        // A signal death is reported the way a shell would, so it can never look like success.
        exitCode: code ?? 128 + (signal === null ? 0 : signalNumber(signal)),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** Like runCommand, but a non-zero exit is an error. */
export async function runChecked(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await runCommand(argv, opts);
  if (r.exitCode !== 0) throw new TestbedCommandError(argv, r.exitCode, r.stderr);
  return r.stdout;
}

/**
 * Synchronous variant for teardown, which must also work from a process 'exit' handler where
 * nothing asynchronous runs any more.
 */
export function runCommandSync(argv: readonly string[], timeoutMs = 10_000): CommandResult {
  const [file, ...args] = argv;
  if (file === undefined) throw new TestbedError('Empty argv');
  const r = spawnSync(file, args, {
    env: baseEnv,
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (r.error) throw new TestbedError(`Could not run ${argv.join(' ')}`, { cause: r.error });
  return {
    exitCode: r.status ?? 128 + (r.signal === null ? 0 : signalNumber(r.signal)),
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal];
}
