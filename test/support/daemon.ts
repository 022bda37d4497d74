import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/**
 * A long-running test binary (etcd, kube-apiserver) in its own process group, with its output
 * in a log file. The child is unref'd and holds no pipe to us, so it never keeps the test
 * process alive; whoever starts it must stop it (stop(), or killNow() from an exit handler).
 */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves when the process has exited, with a description of how. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** SIGTERM to the group, SIGKILL after graceMs; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group, synchronously: for exit and signal handlers. */
  killNow(): void;
  /** The last lines of the log, for error messages. */
  logTail(lines?: number): string;
}

export function startDaemon(
  name: string,
  file: string,
  args: readonly string[],
  logPath: string,
): Daemon {
  const logFd = openSync(logPath, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      detached: true, // own process group: a terminal's Ctrl-C does not reach it, we stop it ourselves
      stdio: ['ignore', logFd, logFd],
      env: { ...process.env, GOTRACEBACK: 'all' },
    });
  } finally {
    closeSync(logFd);
  }
  const { pid } = child;
  if (pid === undefined) {
    // spawn reports ENOENT and friends asynchronously, but then never assigns a pid.
    throw new Error(`Could not start ${name} (${file})`);
  }
  child.unref();

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

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };

  return {
    name,
    pid,
    logPath,
    exited,
    hasExited: () => exitDescription !== undefined,
    async stop(graceMs = 10_000) {
      if (exitDescription === undefined) {
        child.ref(); // keep the event loop alive until it has gone
        signalGroup('SIGTERM');
        const timer = setTimeout(() => {
          signalGroup('SIGKILL');
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Anything the daemon forked into its group goes too.
      signalGroup('SIGKILL');
    },
    killNow() {
      signalGroup('SIGKILL');
    },
    logTail(lines = 30) {
      try {
        return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
  };
}
