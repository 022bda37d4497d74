import { killBrick, startBricks } from './brick-faults.js';
import { DEFAULT_BRICK_SIZE_MIB, validateBrickSize } from './brick-filesystem.js';
import { registerForCleanup, unregisterFromCleanup } from './cleanup-on-exit.js';
import { startHolder } from './namespace-holder.js';
import { createBridge, createNodeNetwork, ensureGuardRoutes, setLinkState } from './netns.js';
import {
  execInNode,
  prepareNodeMounts,
  startGlusterd,
  startSshd,
  stopGlusterd,
  type NodeRuntime,
} from './node-daemons.js';
import { dropPort, restorePort } from './port-filter.js';
import { nodeFiles, poolFiles, SUDO_USER, writePoolFiles } from './pool-files.js';
import { layoutPool, MAX_POOL_INDEX, validatePoolName, type PoolLayout } from './pool-layout.js';
import {
  isPoolStale,
  listPoolNames,
  poolDir,
  readPoolState,
  removePoolDir,
  withStateLock,
  writePoolState,
  type PoolState,
} from './pool-state.js';
import { identifyProcess } from './process-identity.js';
import type { CommandResult } from './run-command.js';
import { ensureSystemDeps } from './system-deps.js';
import { sweepOrphans, teardownPool } from './teardown.js';
import { startTestClient, type TestClient } from './test-client.js';
import { PoolInUseError, TestbedError } from './testbed-error.js';

export type { ClientMountOptions, TestClient } from './test-client.js';

export interface TestNode {
  /** `n1`, `n2`, ... */
  readonly name: string;
  /** `<pool>-n1`: resolvable inside every node of the pool (its /etc/hosts is the pool's). */
  readonly hostname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly netns: string;
  /**
   * The node's brick filesystem on this machine: a sparse XFS image, loop-mounted at /bricks
   * inside the node only. Put bricks in sub-directories (`/bricks/<volume>/brick`).
   */
  readonly brickImage: string;
}

export interface GlusterTestPool {
  readonly name: string;
  readonly nodes: readonly TestNode[];
  readonly sshUser: string;
  /** A non-root user on every node whose sudo allows exactly /usr/sbin/gluster, no password. */
  readonly sudoUser: string;
  /** OpenSSH-format private key, authorized on every node. */
  readonly ed25519KeyPath: string;
  /** PEM (PKCS#1) RSA private key, authorized on every node. */
  readonly rsaKeyPath: string;
  /** Each node's host key under its host name, IPv4 and IPv6 address. */
  readonly knownHostsPath: string;
  /** `address hostname` lines, the nodes' /etc/hosts, so tests can build a resolver. */
  readonly hostsFile: string;
  /** The pool's directory: keys, and per node its glusterd state, logs and sshd log. */
  readonly stateDir: string;
  /** The root namespace's address on the pool's bridge (where the test process connects from). */
  readonly hostIpv4: string;
  readonly hostIpv6: string;

  /**
   * Runs argv inside the node (its network, mount and UTS namespaces) directly, without SSH.
   * Resolves whatever the exit code; rejects when it could not run or outlived `timeoutMs`
   * (then it was killed). Environment: PATH, HOME=/root, LANG=C.
   */
  execOnNode(
    node: TestNode | string,
    argv: readonly string[],
    opts?: { timeoutMs?: number },
  ): Promise<CommandResult>;
  /** SIGTERM glusterd and wait until it has exited. No-op when it is not running. */
  stopGlusterd(node: TestNode | string): Promise<void>;
  /** Start glusterd and wait until it answers `pool list`. No-op when it is running. */
  startGlusterd(node: TestNode | string): Promise<void>;
  /** Take the node's link down: it is cut off from the other nodes and from the host. */
  cutLink(node: TestNode | string): Promise<void>;
  restoreLink(node: TestNode | string): Promise<void>;
  /** Drop the node's outgoing TCP packets to `port` (default 24007), inside its netns only. */
  dropOutbound(node: TestNode | string, port?: number): Promise<void>;
  /** Remove every dropOutbound rule of the node. */
  restoreOutbound(node: TestNode | string): Promise<void>;
  /**
   * Drop the TCP packets reaching the node for its own `port` (default 22), established
   * connections included, inside its netns only: its sshd stops answering without closing.
   */
  dropInbound(node: TestNode | string, port?: number): Promise<void>;
  /** Remove every dropInbound rule of the node. */
  restoreInbound(node: TestNode | string): Promise<void>;
  /**
   * SIGKILL the brick process (glusterfsd) serving `brickPath` of `volume` on the node, found by
   * its pid file and checked to be that node's; waits until it is gone. Rejects when no such
   * brick runs. glusterd does not restart it by itself: see startBricks.
   */
  killBrick(node: TestNode | string, volume: string, brickPath: string): Promise<void>;
  /**
   * `gluster volume start <volume> force` on `node` (default n1): starts every offline brick of
   * the volume. Resolves once glusterd accepted it; the bricks come online shortly after.
   */
  startBricks(volume: string, node?: TestNode | string): Promise<void>;
  /**
   * A new client on the pool's bridge (`c1`, `c2`, ... at `10.250.<k>.201`, `.202`, ...) that
   * mounts volumes with the glusterfs FUSE client. Removed with the pool, or by its `destroy`.
   */
  startClient(): Promise<TestClient>;
  /** Remove everything of the pool. Idempotent. */
  destroy(): Promise<void>;
}

export interface StartPoolOptions {
  /** 1-16 lowercase letters, digits and inner hyphens, starting with a letter. */
  readonly name: string;
  readonly nodeCount: number;
  /**
   * Keep the pool after this process exits (the CLI's `up`). Such a pool is never considered
   * stale; only an explicit destroy (`down`) removes it.
   */
  readonly detached?: boolean;
  /** Size of each node's brick filesystem (sparse; XFS needs 300 at least). Default 1024. */
  readonly brickSizeMiB?: number;
}

export interface TestPoolSummary {
  readonly name: string;
  readonly index: number;
  readonly nodes: readonly TestNode[];
  /** null when started detached (`cli up`). */
  readonly ownerPid: number | null;
  readonly isStale: boolean;
}

/**
 * Brings up `nodeCount` nodes, each a network namespace with its own mount and UTS namespace,
 * brick filesystem, glusterd and sshd, and returns once every glusterd answers and every sshd
 * accepts connections. Leftovers of crashed runs (of any pool) are removed first. The pool is
 * torn down when this process exits, unless `detached`.
 */
export async function startGlusterTestPool(opts: StartPoolOptions): Promise<GlusterTestPool> {
  validatePoolName(opts.name);
  layoutPool(opts.name, 0, opts.nodeCount); // validates the node count before anything is created
  const brickSizeMiB = opts.brickSizeMiB ?? DEFAULT_BRICK_SIZE_MIB;
  validateBrickSize(brickSizeMiB);
  await ensureSystemDeps();
  const owner = identifyProcess(process.pid);
  if (owner === undefined) throw new TestbedError('Could not identify the current process');

  const state = withStateLock((): PoolState => {
    removeStalePoolsLocked();
    const existing = readPoolState(opts.name);
    if (existing !== undefined) {
      throw new PoolInUseError(
        existing.owner === null
          ? `Pool ${opts.name} was started detached; remove it with \`down --name ${opts.name}\``
          : `Pool ${opts.name} is in use by process ${existing.owner.pid}`,
      );
    }
    const fresh: PoolState = {
      version: 1,
      name: opts.name,
      index: allocateIndexLocked(),
      nodeCount: opts.nodeCount,
      owner,
      holders: Array.from({ length: opts.nodeCount }, () => null),
    };
    writePoolState(fresh);
    return fresh;
  });
  // Owned by this process even when detached, until it is up: an interrupted `up` leaves
  // nothing behind.
  registerForCleanup(opts.name);

  const layout = layoutPool(state.name, state.index, state.nodeCount);
  try {
    await Promise.all([writePoolFiles(layout, brickSizeMiB), createNetwork(layout)]);
    const holders = await Promise.all(layout.nodes.map((n) => startHolder(n.netns)));
    writePoolState({ ...state, holders });
    const runtimes = layout.nodes.map((node, i): NodeRuntime => {
      const holder = holders[i];
      if (holder === undefined) throw new TestbedError(`No holder for ${node.name}`);
      return { poolName: layout.name, node, holder };
    });
    await Promise.all(
      runtimes.map(async (rt) => {
        await prepareNodeMounts(rt);
        await Promise.all([startGlusterd(rt), startSshd(rt)]);
      }),
    );
    if (opts.detached === true) {
      writePoolState({ ...state, holders, owner: null });
      unregisterFromCleanup(opts.name);
    }
    return new TestPool(layout, runtimes);
  } catch (err) {
    unregisterFromCleanup(opts.name);
    try {
      destroyPoolByName(opts.name);
    } catch (cleanupErr) {
      throw new TestbedError(`Pool ${opts.name} failed to start, and its cleanup failed too`, {
        cause: new AggregateError([err, cleanupErr]),
      });
    }
    throw new TestbedError(`Pool ${opts.name} failed to start`, { cause: err });
  }
}

/** A handle on a pool started by another process (the CLI's `fault`, `exec`, `down`). */
export function openGlusterTestPool(name: string): GlusterTestPool {
  validatePoolName(name);
  const state = readPoolState(name);
  if (state === undefined) throw new TestbedError(`No pool named ${name}`);
  const layout = layoutPool(state.name, state.index, state.nodeCount);
  const runtimes = layout.nodes.map((node, i): NodeRuntime => {
    const holder = state.holders[i];
    if (holder === undefined || holder === null) {
      throw new TestbedError(`Pool ${name} is not fully up (no namespace holder for ${node.name})`);
    }
    return { poolName: name, node, holder };
  });
  return new TestPool(layout, runtimes);
}

/** Removes every pool whose owner process is gone, and testbed links or namespaces of no pool. */
export function destroyStaleTestPools(): Promise<void> {
  return Promise.resolve().then(() => {
    withStateLock(removeStalePoolsLocked);
  });
}

/** Removes every pool, live, stale or detached: `cli down --all`. */
export function destroyAllTestPools(): Promise<void> {
  return Promise.resolve().then(() => {
    withStateLock(() => {
      for (const name of listPoolNames()) {
        const state = readPoolState(name);
        if (state === undefined) removePoolDir(name);
        else teardownPool(state);
      }
      sweepOrphans([]);
    });
  });
}

export function listTestPools(): TestPoolSummary[] {
  return listPoolNames().flatMap((name) => {
    let state: PoolState | undefined;
    try {
      state = readPoolState(name);
    } catch {
      // Corrupt or half-written: the next start or prune removes it.
      return [];
    }
    if (state === undefined) return [];
    const layout = layoutPool(state.name, state.index, state.nodeCount);
    return [
      {
        name,
        index: state.index,
        nodes: layout.nodes.map((n) => toTestNode(layout, n)),
        ownerPid: state.owner?.pid ?? null,
        isStale: isPoolStale(state),
      },
    ];
  });
}

async function createNetwork(layout: PoolLayout): Promise<void> {
  await ensureGuardRoutes();
  await createBridge(layout);
  await Promise.all(layout.nodes.map((node) => createNodeNetwork(layout, node)));
}

function removeStalePoolsLocked(): void {
  const live: PoolLayout[] = [];
  for (const name of listPoolNames()) {
    let state: PoolState | undefined;
    try {
      state = readPoolState(name);
    } catch {
      // Corrupt: its directory goes, and the sweep below finds its namespaces and links.
      state = undefined;
    }
    if (state === undefined) removePoolDir(name);
    else if (isPoolStale(state)) teardownPool(state);
    else live.push(layoutPool(state.name, state.index, state.nodeCount));
  }
  sweepOrphans(live);
}

function allocateIndexLocked(): number {
  const used = new Set(
    listPoolNames().flatMap((name) => {
      const state = readPoolState(name);
      return state === undefined ? [] : [state.index];
    }),
  );
  for (let index = 0; index <= MAX_POOL_INDEX; index++) if (!used.has(index)) return index;
  throw new TestbedError(`All ${MAX_POOL_INDEX + 1} testbed pool slots are in use`);
}

function destroyPoolByName(name: string): void {
  withStateLock(() => {
    const state = readPoolState(name);
    if (state !== undefined) teardownPool(state);
  });
}

function toTestNode(layout: PoolLayout, n: PoolLayout['nodes'][number]): TestNode {
  return {
    name: n.name,
    hostname: n.hostname,
    ipv4: n.ipv4,
    ipv6: n.ipv6,
    netns: n.netns,
    brickImage: nodeFiles(layout.name, n.name).brickImage,
  };
}

class TestPool implements GlusterTestPool {
  readonly name: string;
  readonly nodes: readonly TestNode[];
  readonly sshUser = 'root';
  readonly sudoUser = SUDO_USER.name;
  readonly ed25519KeyPath: string;
  readonly rsaKeyPath: string;
  readonly knownHostsPath: string;
  readonly hostsFile: string;
  readonly stateDir: string;
  readonly hostIpv4: string;
  readonly hostIpv6: string;

  constructor(
    private readonly layout: PoolLayout,
    private readonly runtimes: readonly NodeRuntime[],
  ) {
    const files = poolFiles(layout.name);
    this.name = layout.name;
    this.nodes = layout.nodes.map((n) => toTestNode(layout, n));
    this.ed25519KeyPath = files.ed25519KeyPath;
    this.rsaKeyPath = files.rsaKeyPath;
    this.knownHostsPath = files.knownHostsPath;
    this.hostsFile = files.hostsFile;
    this.stateDir = poolDir(layout.name);
    this.hostIpv4 = layout.hostIpv4;
    this.hostIpv6 = layout.hostIpv6;
  }

  async execOnNode(
    node: TestNode | string,
    argv: readonly string[],
    opts: { timeoutMs?: number } = {},
  ): Promise<CommandResult> {
    return execInNode(this.runtime(node), argv, opts);
  }

  async stopGlusterd(node: TestNode | string): Promise<void> {
    return stopGlusterd(this.runtime(node));
  }

  async startGlusterd(node: TestNode | string): Promise<void> {
    return startGlusterd(this.runtime(node));
  }

  async cutLink(node: TestNode | string): Promise<void> {
    return setLinkState(this.runtime(node).node.hostVeth, 'down');
  }

  async restoreLink(node: TestNode | string): Promise<void> {
    return setLinkState(this.runtime(node).node.hostVeth, 'up');
  }

  async dropOutbound(node: TestNode | string, port = 24007): Promise<void> {
    return dropPort(this.runtime(node), 'outbound', port);
  }

  async restoreOutbound(node: TestNode | string): Promise<void> {
    return restorePort(this.runtime(node), 'outbound');
  }

  async dropInbound(node: TestNode | string, port = 22): Promise<void> {
    return dropPort(this.runtime(node), 'inbound', port);
  }

  async restoreInbound(node: TestNode | string): Promise<void> {
    return restorePort(this.runtime(node), 'inbound');
  }

  async killBrick(node: TestNode | string, volume: string, brickPath: string): Promise<void> {
    return killBrick(this.runtime(node), volume, brickPath);
  }

  async startBricks(volume: string, node: TestNode | string = 'n1'): Promise<void> {
    return startBricks(this.runtime(node), volume);
  }

  async startClient(): Promise<TestClient> {
    return startTestClient(this.layout);
  }

  destroy(): Promise<void> {
    return Promise.resolve().then(() => {
      unregisterFromCleanup(this.name);
      destroyPoolByName(this.name);
    });
  }

  /** Accepts a TestNode, its name (`n2`) or its host name (`<pool>-n2`). */
  private runtime(node: TestNode | string): NodeRuntime {
    const key = typeof node === 'string' ? node : node.name;
    const rt = this.runtimes.find((r) => r.node.name === key || r.node.hostname === key);
    if (rt === undefined) throw new TestbedError(`Pool ${this.name} has no node ${key}`);
    return rt;
  }
}
