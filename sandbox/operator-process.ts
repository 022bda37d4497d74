import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { identifyProcess } from '../testbed/process-identity.js';
import { REPO_ROOT } from './sandbox-layout.js';
import { SandboxError } from './sandbox-error.js';

/**
 * The operator as it runs in production, `node src/main.ts` in a process of its own, its JSON
 * logs appended to a file. It stays in the supervisor's process group (the supervisor has a
 * session of its own, so no terminal signal reaches either).
 */
export interface OperatorProcess {
  readonly pid: number;
  readonly startTime: string;
  readonly httpPort: number;
  /** Resolves when it has exited, with how. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** SIGTERM (it stops its work and releases its Lease), SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, synchronously: for the supervisor's exit handler. */
  killNow(): void;
}

export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  readonly httpPort: number;
  readonly logPath: string;
  /** The operator's own variables (src/config.ts, src/ha/leader-election-config.ts). */
  readonly env: Readonly<Record<string, string>>;
}

const READY_TIMEOUT_MS = 90_000;

export function spawnOperator(options: OperatorProcessOptions): OperatorProcess {
  const logFd = openSync(options.logPath, 'a', 0o600);
  let child: ChildProcess;
  try {
    // process.execPath: the Node that runs the supervisor (the node@24 dev dependency's), which
    // client-node 2 needs; the machine's own node may be older.
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOME: process.env['HOME'] ?? '/root',
        ...options.env,
        KUBECONFIG: options.kubeconfigPath,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(options.httpPort),
      },
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const { pid } = child;
  if (pid === undefined)
    throw new SandboxError(`Could not start the operator (${process.execPath})`);
  const startTime = identifyProcess(pid)?.startTime ?? '';
  let exitDescription: string | undefined;
  const exited = new Promise<string>((resolve) => {
    child.once('error', (err) => {
      exitDescription = `failed: ${err.message}`;
      resolve(exitDescription);
    });
    child.once('exit', (code, signal) => {
      exitDescription = signal === null ? `exited with ${String(code)}` : `was killed by ${signal}`;
      resolve(exitDescription);
    });
  });
  return {
    pid,
    startTime,
    httpPort: options.httpPort,
    exited,
    hasExited: () => exitDescription !== undefined,
    async stop(graceMs = 15_000) {
      if (exitDescription !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    killNow() {
      if (exitDescription === undefined) child.kill('SIGKILL');
    },
  };
}

/**
 * Waits until it leads and its watch is live: /status says role master and ready (the same
 * check /readyz answers; a standby is ready too, so ready alone would not say it acts). Fails
 * early if it exits.
 */
export async function waitForOperatorReady(
  operator: OperatorProcess,
  logPath: string,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const base = `http://127.0.0.1:${String(operator.httpPort)}`;
  const deadline = performance.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (performance.now() < deadline) {
    if (operator.hasExited()) {
      throw new SandboxError(
        `The operator ${await operator.exited} while starting; the end of ${logPath}:\n${logTail(logPath)}`,
      );
    }
    try {
      const status = (await (
        await fetch(`${base}/status`, { signal: AbortSignal.timeout(2_000) })
      ).json()) as { role?: unknown; ready?: unknown };
      if (status.role === 'master' && status.ready === true) return;
      lastProblem = `role ${String(status.role)}, ready ${String(status.ready)}`;
    } catch (err) {
      lastProblem = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new SandboxError(
    `The operator was not ready after ${String(timeoutMs / 1000)} s (${lastProblem}); the end of ${logPath}:\n${logTail(logPath)}`,
  );
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
