import ssh2 from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { Logger } from '../observability/logger.js';
import { createSilentLogger } from '../observability/logger.js';
import {
  CommandAbortedError,
  CommandTimeoutError,
  ConnectionLostError,
  HostBackoffError,
  HostKeyVerificationError,
  SshAuthError,
  SshConnectError,
} from './exec-errors.js';
import type { CommandResult, Executor, RunOptions } from './executor.js';
import { exitCodeForSignal } from './exit-status.js';
import type { HostKeyVerdict, KnownHosts } from './known-hosts.js';
import {
  buildRemoteCommandLine,
  KILL_AFTER_SECONDS,
  TIMED_OUT_EXIT_CODE,
} from './remote-command.js';
import { Semaphore } from './semaphore.js';
import { quoteShellCommand } from './shell-quote.js';

export interface SshExecutorOptions {
  readonly user: string;
  /** PEM or OpenSSH private key (ed25519, RSA, ECDSA). Never logged. */
  readonly privateKey: string | Buffer;
  readonly passphrase?: string;
  readonly port?: number;
  /**
   * Host keys the nodes must present. `'insecure-accept-any'` turns verification off: for labs
   * only, and logged as a warning when the executor is created.
   */
  readonly hostKeys: KnownHosts | 'insecure-accept-any';
  readonly sudo?: boolean;
  readonly connectTimeoutMs?: number;
  readonly defaultCommandTimeoutMs?: number;
  /**
   * A pooled connection whose node stops answering this many keepalives, sent this often, is
   * dropped (default 2 000 ms × 2: noticed within about 6 s).
   */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  /**
   * After a connect to a host failed (refused, unreachable, no answer; not authentication or
   * host key), run() fails at once with HostBackoffError for this long (default 5 000 ms),
   * doubled per further failure up to connectBackoffMaxMs (default 60 000 ms). A successful
   * connection clears it.
   */
  readonly connectBackoffInitialMs?: number;
  readonly connectBackoffMaxMs?: number;
  /** Monotonic milliseconds for the connect backoff (default `performance.now()`). */
  readonly now?: () => number;
  /** OpenSSH allows 10 sessions per connection by default; stay well below. */
  readonly maxConcurrentCommandsPerHost?: number;
  readonly logger?: Logger;
}

export interface SshExecutorStats {
  readonly connectionsOpened: number;
  readonly commandsRun: number;
  /** Calls that failed with HostBackoffError without trying to connect. */
  readonly connectAttemptsSkipped: number;
}

// The remote `timeout` wrapper ends a command on time; our own timer is the backstop for a node
// that stopped answering, so it waits for timeout's KILL and a little more.
const CLIENT_TIMEOUT_GRACE_MS = (KILL_AFTER_SECONDS + 2) * 1000;

// Host key algorithms to ask for, per known_hosts key type, so the server presents a key we know.
const HOST_KEY_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
};

interface HostState {
  readonly node: string;
  readonly semaphore: Semaphore;
  /** The pooled connection, or the attempt to open it; unset once either failed or ended. */
  connection: Connection | undefined;
  /** Set by a connect-type failure, cleared by the next successful connection. */
  backoff: ConnectBackoff | undefined;
}

interface ConnectBackoff {
  /** Consecutive connect-type failures. */
  readonly failures: number;
  /** No new attempt before this time (on the executor's clock). */
  readonly retryAtMs: number;
  readonly lastError: SshConnectError;
}

/** One attempt to connect to a host, which is the pooled connection once it is ready. */
interface Connection {
  /** Resolves when the connection is ready; rejects with why it could not be made. */
  readonly ready: Promise<Client>;
  /** Ends the attempt with `error` if it is still connecting; a ready connection is left alone. */
  failIfConnecting(error: Error): void;
}

/** A caller's deadlineMs, running from the call: `signal` aborts when it has passed. */
interface Deadline {
  readonly ms: number;
  readonly signal: AbortSignal;
  clear(): void;
}

function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, ms);
  return {
    ms,
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
    },
  };
}

/** Opening a channel failed before the command started: safe to retry on a new connection. */
class ChannelOpenError extends Error {}

/**
 * Runs commands on nodes over SSH with one pooled connection per host, reused by every command
 * and re-established after it fails, and a bound on concurrent commands per host.
 *
 * A node that is down costs one connect timeout, not one per command: after a failed connect,
 * commands for that node fail at once (HostBackoffError) until the backoff expires. A pooled
 * connection whose node stops answering (keepalives unanswered, an error, or a command that got
 * no answer at all before its client-side time limit) is dropped, and the next command connects
 * anew.
 */
export class SshExecutor implements Executor {
  private readonly hosts = new Map<string, HostState>();
  private readonly logger: Logger;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly defaultCommandTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly now: () => number;
  private connectionsOpened = 0;
  private commandsRun = 0;
  private connectAttemptsSkipped = 0;
  private closed = false;

  constructor(private readonly options: SshExecutorOptions) {
    this.logger = options.logger ?? createSilentLogger();
    this.port = options.port ?? 22;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.defaultCommandTimeoutMs = options.defaultCommandTimeoutMs ?? 60_000;
    this.backoffInitialMs = options.connectBackoffInitialMs ?? 5_000;
    this.backoffMaxMs = options.connectBackoffMaxMs ?? 60_000;
    this.now = options.now ?? (() => performance.now());
    if (options.hostKeys === 'insecure-accept-any') {
      this.logger.warn('Disabled SSH host key verification', {
        reason: 'insecure-accept-any was configured; any machine can impersonate the nodes',
      });
    }
  }

  stats(): SshExecutorStats {
    return {
      connectionsOpened: this.connectionsOpened,
      commandsRun: this.commandsRun,
      connectAttemptsSkipped: this.connectAttemptsSkipped,
    };
  }

  async run(
    node: string,
    argv: readonly string[],
    options: RunOptions = {},
  ): Promise<CommandResult> {
    if (this.closed) throw new ConnectionLostError('The executor is closed', node);
    const timeoutMs = options.timeoutMs ?? this.defaultCommandTimeoutMs;
    const commandLine = buildRemoteCommandLine(argv, {
      sudo: this.options.sudo ?? false,
      remoteTimeoutSeconds: timeoutMs / 1000,
    });
    const host = this.hostState(node);
    // Before queueing behind other commands: a node known to be down fails the call at once.
    if (!host.connection) this.throwIfBackingOff(host);
    const deadline =
      options.deadlineMs === undefined ? undefined : startDeadline(options.deadlineMs);
    try {
      const release = await this.acquireSlot(host, argv, options.signal, deadline);
      try {
        // One retry, and only when the channel could not even be opened: a pooled connection
        // may have died silently (node rebooted), and the command certainly did not start.
        for (let attempt = 0; ; attempt++) {
          const { connection, startedHere } = this.connectionFor(host);
          const client = await this.whenReady(
            host,
            connection,
            startedHere,
            options.signal,
            deadline,
          );
          const dropConnection = (): void => {
            this.forget(host, connection);
            client.destroy();
          };
          try {
            return await this.execOnce(client, dropConnection, node, argv, commandLine, {
              timeoutMs,
              signal: options.signal,
              deadline,
              input: options.input,
            });
          } catch (error) {
            if (!(error instanceof ChannelOpenError)) throw error;
            // Forgotten at once, so that the retry below connects anew instead of reusing it.
            this.forget(host, connection);
            client.end();
            if (attempt >= 1) {
              throw new ConnectionLostError(`Could not open an SSH channel to ${node}`, node, {
                cause: error,
              });
            }
          }
        }
      } finally {
        release();
      }
    } finally {
      deadline?.clear();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const hosts = [...this.hosts.values()];
    this.hosts.clear();
    await Promise.all(
      hosts.map(async (host) => {
        const connection = host.connection;
        if (!connection) return;
        host.connection = undefined;
        connection.failIfConnecting(
          new ConnectionLostError(
            `The executor was closed while connecting to ${host.node}`,
            host.node,
          ),
        );
        const client = await connection.ready.catch(() => undefined);
        client?.end();
      }),
    );
  }

  private hostState(node: string): HostState {
    let host = this.hosts.get(node);
    if (!host) {
      host = {
        node,
        semaphore: new Semaphore(this.options.maxConcurrentCommandsPerHost ?? 4),
        connection: undefined,
        backoff: undefined,
      };
      this.hosts.set(node, host);
    }
    return host;
  }

  private throwIfBackingOff(host: HostState): void {
    const backoff = host.backoff;
    if (!backoff) return;
    const now = this.now();
    if (now >= backoff.retryAtMs) return;
    this.connectAttemptsSkipped++;
    const seconds = Math.ceil((backoff.retryAtMs - now) / 1000);
    throw new HostBackoffError(
      `Not connecting to ${host.node} again until ${seconds} s from now: the last attempt failed: ${backoff.lastError.message}`,
      host.node,
      backoff.retryAtMs,
      { cause: backoff.lastError },
    );
  }

  private recordConnectFailure(host: HostState, error: SshConnectError): void {
    const failures = (host.backoff?.failures ?? 0) + 1;
    const delayMs = Math.min(this.backoffMaxMs, this.backoffInitialMs * 2 ** (failures - 1));
    host.backoff = { failures, retryAtMs: this.now() + delayMs, lastError: error };
    this.logger.debug('Failed to connect over SSH', {
      host: host.node,
      error: error.message,
      failures,
      retryInMs: delayMs,
    });
  }

  /** Waits for a free command slot on the host, no longer than the deadline. */
  private async acquireSlot(
    host: HostState,
    argv: readonly string[],
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
  ): Promise<() => void> {
    const signals = [signal, deadline?.signal].filter((s) => s !== undefined);
    const waitSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const timedOut = (deadlineMs: number, cause?: unknown): CommandTimeoutError =>
      new CommandTimeoutError(
        `${quoteShellCommand(argv)} waited ${deadlineMs} ms for one of the ${host.semaphore.capacity} command slots on ${host.node} and was not run`,
        host.node,
        deadlineMs,
        { cause },
      );
    let release: () => void;
    try {
      release = await host.semaphore.acquire(waitSignal);
    } catch (cause) {
      if (deadline?.signal.aborted && !signal?.aborted) throw timedOut(deadline.ms, cause);
      throw new CommandAbortedError(`Aborted before running on ${host.node}`, host.node, {
        cause,
      });
    }
    if (deadline?.signal.aborted) {
      release();
      throw timedOut(deadline.ms);
    }
    return release;
  }

  /** The pooled connection or the attempt under way; a new attempt unless the host backs off. */
  private connectionFor(host: HostState): { connection: Connection; startedHere: boolean } {
    if (host.connection) return { connection: host.connection, startedHere: false };
    this.throwIfBackingOff(host);
    const connection = this.connect(host);
    return { connection, startedHere: true };
  }

  /**
   * Waits for the connection, giving up on the caller's abort or deadline. A deadline also ends
   * the attempt when this call started it (so that it counts for the backoff); an attempt that
   * another call started keeps that call's limits.
   */
  private whenReady(
    host: HostState,
    connection: Connection,
    startedHere: boolean,
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
  ): Promise<Client> {
    if (!signal && !deadline) return connection.ready;
    return new Promise<Client>((resolve, reject) => {
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        deadline?.signal.removeEventListener('abort', onDeadline);
      };
      const onAbort = (): void => {
        done();
        reject(new CommandAbortedError(`Aborted while connecting to ${host.node}`, host.node));
      };
      const onDeadline = (): void => {
        done();
        const error = new SshConnectError(
          `Connecting to ${host.node}:${this.port} got no answer within ${deadline?.ms ?? 0} ms`,
          host.node,
        );
        if (startedHere) connection.failIfConnecting(error);
        reject(error);
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      if (deadline?.signal.aborted) {
        onDeadline();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      deadline?.signal.addEventListener('abort', onDeadline, { once: true });
      connection.ready.finally(done).then(resolve, reject);
    });
  }

  private forget(host: HostState, connection: Connection): void {
    if (host.connection === connection) host.connection = undefined;
  }

  /** Starts connecting and makes the attempt the host's connection. */
  private connect(host: HostState): Connection {
    const node = host.node;
    const hostname = node.replace(/^\[(.*)\]$/, '$1');
    const config: ConnectConfig = {
      host: hostname,
      port: this.port,
      username: this.options.user,
      privateKey: this.options.privateKey,
      readyTimeout: this.connectTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs ?? 2_000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 2,
    };
    if (this.options.passphrase !== undefined) config.passphrase = this.options.passphrase;

    let verdict: HostKeyVerdict | undefined;
    const hostKeys = this.options.hostKeys;
    if (hostKeys !== 'insecure-accept-any') {
      const types = hostKeys.keyTypesFor(hostname, this.port);
      if (types.length === 0) {
        throw new HostKeyVerificationError(
          `No known_hosts entry for ${node} (port ${this.port}); add its host key to known_hosts`,
          node,
          'unknown-host',
        );
      }
      const algorithms = types.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? [type]);
      config.algorithms = { serverHostKey: algorithms as never };
      config.hostVerifier = (key: Buffer): boolean => {
        verdict = hostKeys.verify(hostname, this.port, key);
        return verdict.ok;
      };
    }

    const client = new ssh2.Client();
    const { promise: ready, resolve, reject } = Promise.withResolvers<Client>();
    // Every waiter handles the rejection itself; this keeps an attempt nobody waits for any more
    // (its callers aborted) from being reported as unhandled.
    ready.catch(() => undefined);
    let phase: 'connecting' | 'ready' | 'ended' = 'connecting';
    const failIfConnecting = (error: Error): void => {
      if (phase !== 'connecting') return;
      phase = 'ended';
      this.forget(host, connection);
      if (error instanceof SshConnectError) {
        this.recordConnectFailure(host, error);
        // No goodbye to a node that does not answer: it would only keep the socket around.
        client.destroy();
      } else {
        client.end();
      }
      reject(error);
    };
    const connection: Connection = { ready, failIfConnecting };
    host.connection = connection;

    client.once('ready', () => {
      if (phase !== 'connecting') return;
      phase = 'ready';
      host.backoff = undefined;
      this.connectionsOpened++;
      this.logger.debug('Opened SSH connection', { host: node, port: this.port });
      resolve(client);
    });
    client.on('error', (error: Error & { level?: string }) => {
      if (phase === 'connecting') {
        failIfConnecting(this.connectError(node, error, verdict));
        return;
      }
      if (phase !== 'ready') return;
      // Keepalives unanswered, a broken stream: not reused, and destroyed at once so that the
      // commands still running on it fail now instead of at their timeouts.
      phase = 'ended';
      this.forget(host, connection);
      this.logger.debug('Lost SSH connection', { host: node, error: error.message });
      client.destroy();
    });
    client.once('close', () => {
      if (phase === 'connecting') {
        failIfConnecting(
          new SshConnectError(`SSH connection to ${node} closed during setup`, node),
        );
        return;
      }
      phase = 'ended';
      this.forget(host, connection);
    });
    try {
      client.connect(config);
      // Nagle's algorithm holds each small SSH packet back until the last is acknowledged, and the
      // peer delays that acknowledgement (40 ms on Linux): measured on a real node, every command
      // then cost ~90 ms more (`true` 102 ms instead of 18, set-up 183 ms instead of 67;
      // bench/ssh-overhead.ts). ssh2 leaves the socket at Node's default, Nagle on.
      client.setNoDelay(true);
    } catch (error) {
      // ssh2 validates the configuration (the private key, say) synchronously.
      failIfConnecting(error instanceof Error ? error : new Error(String(error)));
    }
    return connection;
  }

  private connectError(
    node: string,
    error: Error & { level?: string },
    verdict: HostKeyVerdict | undefined,
  ): Error {
    if (verdict && !verdict.ok) {
      const what = {
        'unknown-host': 'is not in known_hosts',
        'key-mismatch':
          'does not match known_hosts (possible impersonation, or the node was reinstalled)',
        'key-revoked': 'is marked @revoked in known_hosts',
      }[verdict.reason];
      return new HostKeyVerificationError(`The host key of ${node} ${what}`, node, verdict.reason, {
        cause: error,
      });
    }
    if (error.level === 'client-authentication') {
      return new SshAuthError(
        `${node} refused the SSH key for user ${this.options.user}; check authorized_keys`,
        node,
        { cause: error },
      );
    }
    if (error.level === 'client-timeout') {
      return new SshConnectError(
        `Timed out after ${this.connectTimeoutMs} ms connecting to ${node}:${this.port}`,
        node,
        { cause: error },
      );
    }
    return new SshConnectError(
      `Could not connect to ${node}:${this.port}: ${error.message}`,
      node,
      {
        cause: error,
      },
    );
  }

  /**
   * Runs the command on one channel. When the node does not answer at all before our own time
   * limit (the deadline, or the remote timeout plus its grace), `dropConnection` is called: the
   * connection is most likely dead.
   */
  private execOnce(
    client: Client,
    dropConnection: () => void,
    node: string,
    argv: readonly string[],
    commandLine: string,
    limits: {
      readonly timeoutMs: number;
      readonly signal: AbortSignal | undefined;
      readonly deadline: Deadline | undefined;
      readonly input: string | undefined;
    },
  ): Promise<CommandResult> {
    const { timeoutMs, signal, deadline, input } = limits;
    const command = quoteShellCommand(argv);
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        deadline?.signal.removeEventListener('abort', onNoAnswer);
        signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      // The command itself is ended on the node by its `timeout` wrapper; closing the channel
      // only releases our side.
      const stop = (): void => {
        channel?.close();
      };
      const timedOut = (): CommandTimeoutError =>
        new CommandTimeoutError(
          `${command} on ${node} did not finish within ${timeoutMs} ms and was ended`,
          node,
          timeoutMs,
        );
      const onNoAnswer = (): void => {
        const waitedMs = deadline?.ms ?? timeoutMs + CLIENT_TIMEOUT_GRACE_MS;
        settle(() => {
          reject(
            new CommandTimeoutError(
              `${node} did not answer ${command} within ${waitedMs} ms; dropped the connection (whether the command still runs there is unknown)`,
              node,
              deadline?.ms ?? timeoutMs,
            ),
          );
        });
        stop();
        dropConnection();
      };
      // With a deadline, our limit is the deadline (counted from the call); without, the backstop.
      const timer = deadline
        ? undefined
        : setTimeout(onNoAnswer, timeoutMs + CLIENT_TIMEOUT_GRACE_MS);
      const onAbort = (): void => {
        settle(() => {
          reject(new CommandAbortedError(`Aborted ${command} on ${node}`, node));
        });
        stop();
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      if (deadline?.signal.aborted) {
        onNoAnswer();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      deadline?.signal.addEventListener('abort', onNoAnswer, { once: true });

      const onOpened = (error: Error | undefined, opened?: ClientChannel): void => {
        if (error || !opened) {
          settle(() => {
            reject(new ChannelOpenError(error?.message ?? 'No channel', { cause: error }));
          });
          return;
        }
        channel = opened;
        if (settled) {
          stop();
          return;
        }
        this.commandsRun++;
        // Without input, a command that reads stdin gets EOF instead of waiting forever.
        if (input === undefined) opened.end();
        else opened.end(input);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exitCode: number | undefined;
        opened.on('data', (chunk: Buffer) => stdout.push(chunk));
        opened.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        opened.on('exit', (code: number | null, signalName?: string) => {
          if (typeof code === 'number') exitCode = code;
          else if (signalName) exitCode = exitCodeForSignal(signalName);
        });
        opened.on('close', () => {
          settle(() => {
            if (exitCode === TIMED_OUT_EXIT_CODE) {
              reject(timedOut());
              return;
            }
            if (exitCode === undefined) {
              reject(
                new ConnectionLostError(
                  `The SSH connection to ${node} was lost while running ${command}; its effect is unknown`,
                  node,
                ),
              );
              return;
            }
            resolve({
              command,
              argv: [...argv],
              node,
              exitCode,
              stdout: Buffer.concat(stdout).toString('utf8'),
              stderr: Buffer.concat(stderr).toString('utf8'),
              durationMs: Math.round(performance.now() - started),
            });
          });
        });
      };
      try {
        client.exec(commandLine, onOpened);
      } catch (error) {
        // ssh2 throws "Not connected" at once on a connection that has already ended.
        onOpened(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }
}
