import type { SshSpec } from '../api/gluster-cluster.js';
import type { Executor } from '../exec/executor.js';
import { KnownHosts } from '../exec/known-hosts.js';
import { SshExecutor } from '../exec/ssh-executor.js';
import type { SshCredentials } from '../kube/ssh-credentials.js';
import type { Logger } from '../observability/logger.js';

export interface ExecutorSettings {
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  /** The longest a node that did not answer a connect is left alone. */
  readonly connectBackoffMaxMs?: number;
  readonly logger: Logger;
}

/** Where a pass gets the Executor for a GlusterCluster's nodes. */
export interface ExecutorSource {
  executorFor(clusterKey: string, ssh: SshSpec, credentials: SshCredentials): Promise<Executor>;
  /** The cluster is gone: release its connections. */
  forget(clusterKey: string): Promise<void>;
}

/**
 * One SSH executor (and so one pooled connection per node) per GlusterCluster, kept across
 * passes and replaced when its Secret or spec.ssh changes, so a resync costs no new handshakes.
 */
export class ExecutorCache implements ExecutorSource {
  private readonly entries = new Map<
    string,
    { fingerprint: string; executor: SshExecutor; retiredHandshakes: number }
  >();

  constructor(private readonly settings: ExecutorSettings) {}

  async executorFor(
    clusterKey: string,
    ssh: SshSpec,
    credentials: SshCredentials,
  ): Promise<Executor> {
    const fingerprint = JSON.stringify([credentials.version, ssh.user, ssh.port, ssh.sudo]);
    const entry = this.entries.get(clusterKey);
    if (entry?.fingerprint === fingerprint) return entry.executor;
    await entry?.executor.close();
    const retiredHandshakes = entry
      ? entry.retiredHandshakes + entry.executor.stats().connectionsOpened
      : 0;
    const executor = new SshExecutor({
      user: ssh.user ?? 'root',
      port: ssh.port ?? 22,
      sudo: ssh.sudo ?? false,
      privateKey: credentials.privateKey,
      hostKeys: KnownHosts.parse(credentials.knownHosts),
      connectTimeoutMs: this.settings.connectTimeoutMs,
      ...(this.settings.connectBackoffMaxMs === undefined
        ? {}
        : { connectBackoffMaxMs: this.settings.connectBackoffMaxMs }),
      defaultCommandTimeoutMs: this.settings.commandTimeoutMs,
      logger: this.settings.logger,
    });
    this.entries.set(clusterKey, { fingerprint, executor, retiredHandshakes });
    return executor;
  }

  /** SSH connections opened per cluster (over every executor it had), for metrics. */
  handshakes(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [clusterKey, entry] of this.entries) {
      counts.set(clusterKey, entry.retiredHandshakes + entry.executor.stats().connectionsOpened);
    }
    return counts;
  }

  /** The cluster is gone: close its connections. */
  async forget(clusterKey: string): Promise<void> {
    const entry = this.entries.get(clusterKey);
    this.entries.delete(clusterKey);
    await entry?.executor.close();
  }

  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((entry) => entry.executor.close()));
  }
}
