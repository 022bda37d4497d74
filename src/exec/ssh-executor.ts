import ssh2 from 'ssh2';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';
import type { Logger } from '../observability/logger.js';
import { createSilentLogger } from '../observability/logger.js';
import {
  CommandAbortedError,
  CommandTimeoutError,
  ConnectionLostError,
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
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  /** OpenSSH allows 10 sessions per connection by default; stay well below. */
  readonly maxConcurrentCommandsPerHost?: number;
  readonly logger?: Logger;
}

export interface SshExecutorStats {
  readonly connectionsOpened: number;
  readonly commandsRun: number;
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
  readonly semaphore: Semaphore;
  client: Promise<Client> | undefined;
}

/** Opening a channel failed before the command started: safe to retry on a new connection. */
class ChannelOpenError extends Error {}

/**
 * Runs commands on nodes over SSH with one pooled connection per host, reused by every command
 * and re-established after it fails, and a bound on concurrent commands per host.
 */
export class SshExecutor implements Executor {
  private readonly hosts = new Map<string, HostState>();
  private readonly logger: Logger;
  private readonly port: number;
  private readonly connectTimeoutMs: number;
  private readonly defaultCommandTimeoutMs: number;
  private connectionsOpened = 0;
  private commandsRun = 0;
  private closed = false;

  constructor(private readonly options: SshExecutorOptions) {
    this.logger = options.logger ?? createSilentLogger();
    this.port = options.port ?? 22;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.defaultCommandTimeoutMs = options.defaultCommandTimeoutMs ?? 60_000;
    if (options.hostKeys === 'insecure-accept-any') {
      this.logger.warn('Disabled SSH host key verification', {
        reason: 'insecure-accept-any was configured; any machine can impersonate the nodes',
      });
    }
  }

  stats(): SshExecutorStats {
    return { connectionsOpened: this.connectionsOpened, commandsRun: this.commandsRun };
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
    const release = await host.semaphore.acquire(options.signal).catch((cause: unknown) => {
      throw new CommandAbortedError(`Aborted before running on ${node}`, node, { cause });
    });
    try {
      // One retry, and only when the channel could not even be opened: a pooled connection may
      // have died silently (node rebooted), and the command certainly did not start.
      for (let attempt = 0; ; attempt++) {
        const pending = this.clientFor(node, host, options.signal);
        const client = await pending;
        try {
          return await this.execOnce(client, node, argv, commandLine, timeoutMs, options.signal);
        } catch (error) {
          if (!(error instanceof ChannelOpenError)) throw error;
          // Forgotten at once, so that the retry below connects anew instead of reusing it.
          client.end();
          if (host.client === pending) host.client = undefined;
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
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.hosts.values()].map((host) => host.client);
    this.hosts.clear();
    await Promise.all(
      clients.map(async (pending) => {
        const client = await pending?.catch(() => undefined);
        client?.end();
      }),
    );
  }

  private hostState(node: string): HostState {
    let host = this.hosts.get(node);
    if (!host) {
      host = {
        semaphore: new Semaphore(this.options.maxConcurrentCommandsPerHost ?? 4),
        client: undefined,
      };
      this.hosts.set(node, host);
    }
    return host;
  }

  private clientFor(node: string, host: HostState, signal?: AbortSignal): Promise<Client> {
    if (!host.client) {
      const pending = this.connect(node, signal);
      host.client = pending;
      // A failed attempt must not be reused: the next command connects again.
      pending.catch(() => {
        if (host.client === pending) host.client = undefined;
      });
    }
    return host.client;
  }

  private connect(node: string, signal?: AbortSignal): Promise<Client> {
    const hostname = node.replace(/^\[(.*)\]$/, '$1');
    const config: ConnectConfig = {
      host: hostname,
      port: this.port,
      username: this.options.user,
      privateKey: this.options.privateKey,
      readyTimeout: this.connectTimeoutMs,
      keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
    };
    if (this.options.passphrase !== undefined) config.passphrase = this.options.passphrase;

    let verdict: HostKeyVerdict | undefined;
    const hostKeys = this.options.hostKeys;
    if (hostKeys !== 'insecure-accept-any') {
      const types = hostKeys.keyTypesFor(hostname, this.port);
      if (types.length === 0) {
        return Promise.reject(
          new HostKeyVerificationError(
            `No known_hosts entry for ${node} (port ${this.port}); add its host key to known_hosts`,
            node,
          ),
        );
      }
      const algorithms = types.flatMap((type) => HOST_KEY_ALGORITHMS[type] ?? [type]);
      config.algorithms = { serverHostKey: algorithms as never };
      config.hostVerifier = (key: Buffer): boolean => {
        verdict = hostKeys.verify(hostname, this.port, key);
        return verdict.ok;
      };
    }

    return new Promise<Client>((resolve, reject) => {
      const client = new ssh2.Client();
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        client.end();
        reject(error);
      };
      const onAbort = (): void => {
        fail(new CommandAbortedError(`Aborted while connecting to ${node}`, node));
      };
      signal?.addEventListener('abort', onAbort, { once: true });

      client.once('ready', () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        this.connectionsOpened++;
        this.logger.debug('Opened SSH connection', { host: node, port: this.port });
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string }) => {
        if (settled) {
          this.logger.debug('SSH connection failed', { host: node, error: error.message });
          return;
        }
        fail(this.connectError(node, error, verdict));
      });
      client.once('close', () => {
        const host = this.hosts.get(node);
        void host?.client?.then(
          (current) => {
            if (current === client) host.client = undefined;
          },
          () => undefined,
        );
        fail(new SshConnectError(`SSH connection to ${node} closed during setup`, node));
      });
      client.connect(config);
    });
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
      return new HostKeyVerificationError(`The host key of ${node} ${what}`, node, {
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

  private execOnce(
    client: Client,
    node: string,
    argv: readonly string[],
    commandLine: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<CommandResult> {
    const command = quoteShellCommand(argv);
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
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
      const timer = setTimeout(() => {
        settle(() => {
          reject(timedOut());
        });
        stop();
      }, timeoutMs + CLIENT_TIMEOUT_GRACE_MS);
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
      signal?.addEventListener('abort', onAbort, { once: true });

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
        // No input: a command that reads stdin gets EOF instead of waiting forever.
        opened.end();
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
