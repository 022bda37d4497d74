import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestNode } from './gluster-test-pool.js';
import { enterNamespacesArgv, startHolder, type HeldNamespaces } from './namespace-holder.js';
import { joinBridge } from './netns.js';
import { CLIENT_MOUNTS, clientFiles, poolFiles } from './pool-files.js';
import {
  layoutClient,
  MAX_CLIENT_COUNT,
  type ClientLayout,
  type PoolLayout,
} from './pool-layout.js';
import { isPidGone } from './process-identity.js';
import { runChecked, runCommand, type CommandResult } from './run-command.js';
import { listNetns, netnsPids, teardownClient } from './teardown.js';
import { TestbedCommandError, TestbedError } from './testbed-error.js';
import { validateVolumeName } from './volume-names.js';

/**
 * A machine that mounts the pool's volumes with the real glusterfs FUSE client: a network
 * namespace on the pool's bridge, with its own mount and UTS namespaces, the pool's hosts file
 * and a tmpfs at /mnt. Its mounts exist only inside it: read and write them through `exec`.
 */
export interface TestClient {
  /** `c1`, `c2`, ... */
  readonly name: string;
  /** `<pool>-c1` */
  readonly hostname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly netns: string;
  /** The client's directory: its glusterfs logs are in `log/` (`mnt-<volume>.log`). */
  readonly stateDir: string;

  /**
   * Runs argv inside the client (its network, mount and UTS namespaces). Resolves whatever the
   * exit code; rejects when it could not run or outlived `timeoutMs` (then it was killed).
   */
  exec(argv: readonly string[], opts?: { timeoutMs?: number }): Promise<CommandResult>;
  /**
   * `mount -t glusterfs <server>:/<volume> <path>` inside the client; resolves with the path once
   * the mount answers. Rejects with the command's error (the log file's name in its message).
   */
  mount(volume: string, opts?: ClientMountOptions): Promise<string>;
  /** Unmounts, and waits until the FUSE client process of that mount has exited. */
  unmount(path: string): Promise<void>;
  /** Kills its processes (FUSE clients included) and removes its namespaces, veth and files. */
  destroy(): Promise<void>;
}

export interface ClientMountOptions {
  /** The node the volume file is fetched from: a node, its name or host name. Default: n1. */
  readonly server?: TestNode | string;
  /** Where to mount: `/mnt/<name>`. Default `/mnt/<volume>`. */
  readonly path?: string;
  /** Options for `mount -o`, e.g. `backup-volfile-servers=<host>`, `log-level=DEBUG`. */
  readonly options?: readonly string[];
  /** Default 60 s: the client retries an unreachable server for a while before it gives up. */
  readonly timeoutMs?: number;
}

// One plain name under /mnt: never `.` or `..`, which start with a dot.
const MOUNT_PATH = /^\/mnt\/[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Starts a client in the first free slot (`c1`, `c2`, ...). The slot is claimed by creating its
 * network namespace, so processes sharing a pool never take the same one. Removed by the pool's
 * teardown, or earlier by `destroy`.
 */
export async function startTestClient(pool: PoolLayout): Promise<TestClient> {
  const client = await claimClientSlot(pool);
  try {
    await joinBridge(pool, client);
    const files = clientFiles(pool.name, client.name);
    const shared = poolFiles(pool.name);
    await Promise.all(
      CLIENT_MOUNTS.map(([key]) => mkdir(files[key], { recursive: true, mode: 0o755 })),
    );
    const ns: HeldNamespaces = { netns: client.netns, holder: await startHolder(client.netns) };
    const run = (argv: readonly string[]): Promise<string> =>
      runChecked(enterNamespacesArgv(ns, argv));
    for (const [key, target] of CLIENT_MOUNTS) await run(['mount', '--bind', files[key], target]);
    await run(['mount', '--bind', shared.hostsFile, '/etc/hosts']);
    await run(['mount', '--bind', shared.resolvConf, '/etc/resolv.conf']);
    // Mount points are made in here, not in this machine's /mnt.
    await run(['mount', '-t', 'tmpfs', '-o', 'mode=0755,size=16m', 'gop-client', '/mnt']);
    await run(['hostname', client.hostname]);
    return new Client(pool, client, ns);
  } catch (err) {
    try {
      teardownClient(pool.name, client);
    } catch (cleanupErr) {
      throw new TestbedError(`Client ${client.hostname} failed to start, and its cleanup too`, {
        cause: new AggregateError([err, cleanupErr]),
      });
    }
    throw new TestbedError(`Client ${client.hostname} failed to start`, { cause: err });
  }
}

async function claimClientSlot(pool: PoolLayout): Promise<ClientLayout> {
  for (let index = 1; index <= MAX_CLIENT_COUNT; index++) {
    const client = layoutClient(pool, index);
    const argv = ['ip', 'netns', 'add', client.netns];
    const r = await runCommand(argv);
    if (r.exitCode === 0) return client;
    // Taken (by us or another process): try the next one.
    if (!listNetns().includes(client.netns)) {
      throw new TestbedCommandError(argv, r.exitCode, r.stderr);
    }
  }
  throw new TestbedError(`Pool ${pool.name} already has ${MAX_CLIENT_COUNT} clients`);
}

class Client implements TestClient {
  readonly name: string;
  readonly hostname: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly netns: string;
  readonly stateDir: string;

  constructor(
    private readonly pool: PoolLayout,
    private readonly layout: ClientLayout,
    private readonly ns: HeldNamespaces,
  ) {
    this.name = layout.name;
    this.hostname = layout.hostname;
    this.ipv4 = layout.ipv4;
    this.ipv6 = layout.ipv6;
    this.netns = layout.netns;
    this.stateDir = clientFiles(pool.name, layout.name).dir;
  }

  async exec(argv: readonly string[], opts: { timeoutMs?: number } = {}): Promise<CommandResult> {
    return runCommand(enterNamespacesArgv(this.ns, argv), opts);
  }

  async mount(volume: string, opts: ClientMountOptions = {}): Promise<string> {
    validateVolumeName(volume);
    const path = opts.path ?? `/mnt/${volume}`;
    if (!MOUNT_PATH.test(path)) {
      throw new TestbedError(`Invalid mount path ${JSON.stringify(path)}: use /mnt/<name>`);
    }
    const server = this.serverHostname(opts.server);
    await runChecked(enterNamespacesArgv(this.ns, ['mkdir', '-p', path]));
    const options = opts.options ?? [];
    const argv = [
      'mount',
      '-t',
      'glusterfs',
      ...(options.length > 0 ? ['-o', options.join(',')] : []),
      `${server}:/${volume}`,
      path,
    ];
    const r = await this.exec(argv, { timeoutMs: opts.timeoutMs ?? 60_000 });
    if (r.exitCode !== 0) {
      const log = `${clientFiles(this.pool.name, this.name).log}/${path.slice(1).replaceAll('/', '-')}.log`;
      throw new TestbedCommandError(argv, r.exitCode, `${r.stdout}${r.stderr} (log: ${log})`);
    }
    return path;
  }

  async unmount(path: string): Promise<void> {
    const pids = await this.fuseClientPids(path);
    const argv = ['umount', path];
    const r = await this.exec(argv, { timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new TestbedCommandError(argv, r.exitCode, r.stderr);
    const deadline = Date.now() + 10_000;
    while (pids.some((pid) => !isPidGone(pid))) {
      if (Date.now() > deadline) {
        throw new TestbedError(`The FUSE client of ${path} on ${this.hostname} did not exit`);
      }
      await delay(20);
    }
  }

  destroy(): Promise<void> {
    return Promise.resolve().then(() => {
      teardownClient(this.pool.name, this.layout);
    });
  }

  /** The glusterfs processes in this client whose mount point (their last argument) is path. */
  private async fuseClientPids(path: string): Promise<number[]> {
    const found = await Promise.all(
      netnsPids(this.netns).map(async (pid) => {
        try {
          const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
          if (argv.at(-1) === '') argv.pop();
          const isGlusterfs = argv[0]?.endsWith('/glusterfs') === true || argv[0] === 'glusterfs';
          return isGlusterfs && argv.at(-1) === path ? [pid] : [];
        } catch {
          return []; // exited in the meantime
        }
      }),
    );
    return found.flat();
  }

  private serverHostname(server: TestNode | string | undefined): string {
    const key =
      server === undefined ? undefined : typeof server === 'string' ? server : server.name;
    const node =
      key === undefined
        ? this.pool.nodes[0]
        : this.pool.nodes.find((n) => n.name === key || n.hostname === key);
    if (node === undefined)
      throw new TestbedError(`Pool ${this.pool.name} has no node ${String(key)}`);
    return node.hostname;
  }
}
