import { readFileSync } from 'node:fs';
import type { GlusterTestPool, TestNode } from '../../testbed/gluster-test-pool.js';
import { startGlusterTestPool } from '../../testbed/gluster-test-pool.js';
import { KnownHosts } from '../../src/exec/known-hosts.js';
import { SshExecutor } from '../../src/exec/ssh-executor.js';
import type { SshExecutorOptions } from '../../src/exec/ssh-executor.js';
import { tableResolver } from '../../src/gluster/host-identity.js';
import type { Resolver } from '../../src/gluster/host-identity.js';

export interface PoolHandle {
  readonly pool: GlusterTestPool;
  node(index: number): TestNode;
  /** An SSH executor with the pool's ed25519 key and known_hosts; close it after use. */
  executor(overrides?: Partial<SshExecutorOptions>): SshExecutor;
  /** Resolves the pool's host names the way the nodes' /etc/hosts does. */
  readonly resolver: Resolver;
}

/**
 * Starts a real pool of glusterd nodes before the suite's tests and removes it after them.
 * Each suite gets its own pool, so what one suite does to membership cannot leak into another.
 */
export function useGlusterTestPool(name: string, nodeCount: number): () => PoolHandle {
  let handle: PoolHandle | undefined;
  const executors: SshExecutor[] = [];
  before(async function () {
    this.timeout(120_000);
    const pool = await startGlusterTestPool({ name, nodeCount });
    const privateKey = readFileSync(pool.ed25519KeyPath, 'utf8');
    const knownHosts = KnownHosts.parse(readFileSync(pool.knownHostsPath, 'utf8'));
    const table: Record<string, string[]> = {};
    for (const line of readFileSync(pool.hostsFile, 'utf8').split('\n')) {
      const [address, ...names] = line.trim().split(/\s+/);
      if (!address || address.startsWith('#')) continue;
      for (const hostname of names) (table[hostname.toLowerCase()] ??= []).push(address);
    }
    handle = {
      pool,
      node: (index) => {
        const node = pool.nodes[index];
        if (!node) throw new Error(`pool ${name} has no node ${index}`);
        return node;
      },
      executor: (overrides = {}) => {
        const executor = new SshExecutor({
          user: pool.sshUser,
          privateKey,
          hostKeys: knownHosts,
          connectTimeoutMs: 5_000,
          ...overrides,
        });
        executors.push(executor);
        return executor;
      },
      resolver: tableResolver(table),
    };
  });
  after(async function () {
    this.timeout(60_000);
    await Promise.all(executors.map((executor) => executor.close()));
    await handle?.pool.destroy();
  });
  return () => {
    if (!handle) throw new Error(`pool ${name} is not up (did its before hook fail?)`);
    return handle;
  };
}
