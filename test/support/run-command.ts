import { spawn } from 'node:child_process';

/** What a finished command said. A non-zero exit is a result, not an error. */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly stdin?: string;
  readonly timeoutMs?: number;
  /** Copy the command's stderr to ours as it arrives (for long builds). */
  readonly teeStderr?: boolean;
}

/** The command could not be run, was killed, or timed out: there is no exit code to look at. */
export class CommandRunError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Runs argv (never through a shell) and collects its output. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (options.teeStderr === true) process.stderr.write(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CommandRunError(`Could not run ${file}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        exitCode: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (timedOut) {
        reject(new CommandRunError(`${file} timed out after ${String(options.timeoutMs)} ms`));
      } else if (signal !== null) {
        reject(new CommandRunError(`${file} was killed by ${signal}: ${result.stderr.trim()}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => {
      // The command may exit without reading its input; its exit status tells what happened.
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** Like runCommand, but a non-zero exit is an error that carries stderr. */
export async function runCommandOrThrow(
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const result = await runCommand(file, args, options);
  if (result.exitCode !== 0) {
    throw new CommandRunError(
      `${file} ${args.join(' ')} exited with ${String(result.exitCode)}: ${result.stderr.trim()}`,
    );
  }
  return result;
}
