import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HaRole } from '../../src/ha/ha-role.js';
import type { LogLevel } from '../../src/observability/logger.js';
import { freePort } from './free-ports.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Leader election as the process is told through its environment (`LEADER_ELECTION_*`). */
export interface LeaderElectionSettings {
  /** The Lease's namespace. */
  readonly namespace: string;
  /** Durations in the operator's syntax: `4s`, `500ms`. */
  readonly leaseDuration: string;
  readonly renewDeadline: string;
  readonly retryPeriod: string;
}

export interface OperatorProcessOptions {
  readonly kubeconfigPath: string;
  /** WATCH_NAMESPACE. */
  readonly watchNamespace: string;
  /** POD_NAME, the first part of the replica's identity. Default `operator-under-test`. */
  readonly podName?: string;
  /**
   * Default: on, with the Lease in `watchNamespace` and short timings (lease 4 s, renew 3 s,
   * retry 500 ms) so a takeover after SIGKILL is quick. `false`: LEADER_ELECTION=false.
   */
  readonly leaderElection?: Partial<LeaderElectionSettings> | false;
  /** HTTP_PORT on 127.0.0.1. Default: a free port. */
  readonly httpPort?: number;
  /** LOG_LEVEL. Default `info`. */
  readonly logLevel?: LogLevel;
  /** More environment, applied last (PROGRESS_REQUEUE_MS defaults to 200 here). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * `test` (default): this process's environment, the quick test settings above
   * (PROGRESS_REQUEUE_MS, LOG_LEVEL, leader election), then `env`. `pod`: a pod's worth only, for
   * benchmarks of the shipped defaults: PATH, HOME, KUBECONFIG, WATCH_NAMESPACE, POD_NAME,
   * HTTP_HOST and HTTP_PORT, EVENTS_HOST and EVENTS_PORT, then `env`; nothing else inherited and no test setting (`logLevel`
   * and `leaderElection` are ignored).
   */
  readonly baseEnv?: 'test' | 'pod';
  /**
   * What to run with this Node (process.execPath). Default: `--import tsx src/main.ts` from the
   * repository root; a benchmark passes `--enable-source-maps dist/main.js` and a runtime tree.
   */
  readonly command?: { readonly args: readonly string[]; readonly cwd: string };
  /**
   * Sent as `Authorization: Bearer` with every /status request: for an operator run with
   * HTTP_AUTH=kubernetes (the shipped setting), a token of an identity allowed get on /status
   * (test/support/metrics-reader-token.ts).
   */
  readonly bearerToken?: string;
  /** Parsed log lines kept (the oldest dropped beyond it). Default 200 000. */
  readonly maxLogLines?: number;
  /** Characters of raw output kept for output() (the oldest dropped beyond it). Default 4 MiB. */
  readonly maxOutputChars?: number;
}

/** One JSON log line of the child, with when this process received it. */
export interface OperatorLogLine {
  /** This process's `Date.now()` when the line arrived. */
  readonly receivedAtMs: number;
  /** The child's own winston `timestamp`, as epoch ms (NaN when absent). */
  readonly loggedAtMs: number;
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What `/status` answers (src/observability/http-server.ts). */
export interface OperatorStatus {
  readonly role: HaRole;
  readonly identity: string;
  readonly leader: string | null;
  readonly replicasSeen: readonly string[];
  readonly live: boolean;
  readonly ready: boolean;
}

export interface OperatorExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** `src/main.ts` running as a process of its own, as it runs in a pod. */
export interface OperatorProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly podName: string;
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  /** Parsed JSON log lines from stdout, oldest first. */
  readonly logs: readonly OperatorLogLine[];
  /** What the child wrote (stdout and stderr, interleaved as received; the latest maxOutputChars). */
  output(): string;
  /** `/status`, or undefined while the server does not answer. */
  status(): Promise<OperatorStatus | undefined>;
  /** Polls `/status` every `intervalMs` (default 100) until `done` holds; fails after `timeoutMs`. */
  waitForStatus(
    what: string,
    done: (status: OperatorStatus) => boolean,
    options?: { timeoutMs?: number; intervalMs?: number },
  ): Promise<OperatorStatus>;
  /** Waits for a log line matching `done` (already received or to come). */
  waitForLog(
    what: string,
    done: (line: OperatorLogLine) => boolean,
    timeoutMs?: number,
  ): Promise<OperatorLogLine>;
  /** Resolves when the process has ended (at once if it has). */
  exited(): Promise<OperatorExit>;
  /** Sends `signal`, unless the process has already ended. */
  kill(signal: NodeJS.Signals): void;
  /** SIGKILL and wait: for cleanup, safe to call any number of times. */
  stop(): Promise<void>;
}

/** Children still running: killed when this process exits, however a test run ends. */
const running = new Set<ChildProcess>();
let killOnExitInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (killOnExitInstalled) return;
  killOnExitInstalled = true;
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL');
  });
}

export async function spawnOperator(options: OperatorProcessOptions): Promise<OperatorProcess> {
  const podName = options.podName ?? 'operator-under-test';
  const httpPort = options.httpPort ?? (await freePort());
  // glusterd's events as the HTTP port: loopback and a free port, not 8090 on every interface
  // (two replicas on one machine would contend for it); `env` may say otherwise.
  const eventsEnv = { EVENTS_HOST: '127.0.0.1', EVENTS_PORT: String(await freePort()) };
  const election = options.leaderElection;
  const electionEnv: Record<string, string> =
    election === false
      ? { LEADER_ELECTION: 'false' }
      : {
          LEADER_ELECTION: 'true',
          LEADER_ELECTION_NAMESPACE: election?.namespace ?? options.watchNamespace,
          LEADER_ELECTION_LEASE_DURATION: election?.leaseDuration ?? '4s',
          LEADER_ELECTION_RENEW_DEADLINE: election?.renewDeadline ?? '3s',
          LEADER_ELECTION_RETRY_PERIOD: election?.retryPeriod ?? '500ms',
        };
  const command = options.command ?? {
    args: ['--import', 'tsx', path.join(REPO, 'src', 'main.ts')],
    cwd: REPO,
  };
  const podEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/',
    KUBECONFIG: options.kubeconfigPath,
    WATCH_NAMESPACE: options.watchNamespace,
    POD_NAME: podName,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    ...eventsEnv,
  };
  const child = spawn(process.execPath, [...command.args], {
    cwd: command.cwd,
    env:
      options.baseEnv === 'pod'
        ? { ...podEnv, ...options.env }
        : {
            ...process.env,
            KUBECONFIG: options.kubeconfigPath,
            WATCH_NAMESPACE: options.watchNamespace,
            PROGRESS_REQUEUE_MS: '200',
            LOG_LEVEL: options.logLevel ?? 'info',
            POD_NAME: podName,
            HTTP_HOST: '127.0.0.1',
            HTTP_PORT: String(httpPort),
            ...eventsEnv,
            ...electionEnv,
            ...options.env,
          },
    // Both pipes are always read: a child whose pipe fills up blocks on its next log line.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    // spawn reports a missing executable asynchronously; wait for it to say why.
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`Could not start the operator: ${error.message}`, { cause: error });
  }
  const pid = child.pid;
  killOnExit(child);
  const url = `http://127.0.0.1:${httpPort}`;
  const maxLogLines = options.maxLogLines ?? 200_000;
  const logs: OperatorLogLine[] = [];
  const maxOutputChars = options.maxOutputChars ?? 4 * 1024 * 1024;
  const raw: string[] = [];
  let rawChars = 0;
  const keep = (chunk: string): void => {
    raw.push(chunk);
    rawChars += chunk.length;
    while (rawChars > maxOutputChars && raw.length > 1) rawChars -= raw.shift()?.length ?? 0;
  };
  const logWaiters = new Set<() => void>();
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    keep(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    const receivedAtMs = Date.now();
    for (const line of lines) {
      const parsed = parseLogLine(line, receivedAtMs);
      if (parsed) logs.push(parsed);
    }
    if (logs.length > maxLogLines) logs.splice(0, logs.length - maxLogLines);
    for (const wake of logWaiters) wake();
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', keep);
  const exit = new Promise<OperatorExit>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const wake of logWaiters) wake();
    });
  });
  const hasEnded = (): boolean => child.exitCode !== null || child.signalCode !== null;

  const status = async (): Promise<OperatorStatus | undefined> => {
    try {
      const response = await fetch(`${url}/status`, {
        signal: AbortSignal.timeout(2_000),
        ...(options.bearerToken === undefined
          ? {}
          : { headers: { authorization: `Bearer ${options.bearerToken}` } }),
      });
      if (!response.ok) return undefined;
      return (await response.json()) as OperatorStatus;
    } catch {
      return undefined;
    }
  };

  return {
    child,
    pid,
    podName,
    url,
    logs,
    output: () => raw.join(''),
    status,
    async waitForStatus(what, done, { timeoutMs = 60_000, intervalMs = 100 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last: OperatorStatus | undefined;
      for (;;) {
        last = await status();
        if (last && done(last)) return last;
        if (hasEnded()) {
          throw new Error(`${podName} ended before it would ${what}:\n${raw.join('')}`);
        }
        if (Date.now() > deadline) {
          throw new Error(
            `${podName} did not ${what} within ${timeoutMs} ms; last /status: ${JSON.stringify(last)}\n${raw.join('')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async waitForLog(what, done, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let checked = 0;
      for (;;) {
        // Lines dropped from the front (maxLogLines) shift indices; rescanning is harmless.
        if (checked > logs.length) checked = 0;
        const found = logs.slice(checked).find(done);
        if (found) return found;
        checked = logs.length;
        if (hasEnded()) throw new Error(`${podName} ended before it logged ${what}`);
        const remainingMs = deadline - Date.now();
        if (remainingMs <= 0) {
          throw new Error(
            `${podName} did not log ${what} within ${timeoutMs} ms:\n${raw.join('')}`,
          );
        }
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            clearTimeout(timer);
            logWaiters.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, remainingMs);
          logWaiters.add(wake);
        });
      }
    },
    exited: () => exit,
    kill(signal) {
      if (!hasEnded()) child.kill(signal);
    },
    async stop() {
      if (!hasEnded()) child.kill('SIGKILL');
      await exit;
    },
  };
}

function parseLogLine(line: string, receivedAtMs: number): OperatorLogLine | undefined {
  if (!line.startsWith('{')) return undefined;
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const timestamp = typeof fields['timestamp'] === 'string' ? fields['timestamp'] : '';
  return {
    receivedAtMs,
    loggedAtMs: Date.parse(timestamp),
    level: typeof fields['level'] === 'string' ? fields['level'] : '',
    message: typeof fields['message'] === 'string' ? fields['message'] : '',
    fields,
  };
}
