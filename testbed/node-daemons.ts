import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { BRICKS_MOUNT, brickMountArgv } from './brick-filesystem.js';
import { NODE_MOUNTS, nodeFiles, poolFiles } from './pool-files.js';
import type { NodeLayout } from './pool-layout.js';
import { enterNamespacesArgv } from './namespace-holder.js';
import { isPidGone, type ProcessIdentity } from './process-identity.js';
import {
  baseEnv,
  runChecked,
  runCommand,
  type CommandResult,
  type RunOptions,
} from './run-command.js';
import { TestbedError } from './testbed-error.js';

/** A running node: its layout and the process whose namespaces commands enter. */
export interface NodeRuntime {
  readonly poolName: string;
  readonly node: NodeLayout;
  readonly holder: ProcessIdentity;
}

/** glusterd CLI readiness probe: the same command the operator reads first. */
const GLUSTERD_PROBE = ['gluster', '--mode=script', '--xml', 'pool', 'list'] as const;

/** argv run inside the node's network, mount and UTS namespaces. */
export function nsenterArgv(rt: NodeRuntime, argv: readonly string[]): string[] {
  return enterNamespacesArgv({ netns: rt.node.netns, holder: rt.holder }, argv);
}

export async function execInNode(
  rt: NodeRuntime,
  argv: readonly string[],
  opts: RunOptions = {},
): Promise<CommandResult> {
  return runCommand(nsenterArgv(rt, argv), opts);
}

/**
 * Gives the node its own /var/lib/glusterd, /run, logs, brick filesystem, /root, /home,
 * /etc/hosts, users, sudoers and hostname.
 */
export async function prepareNodeMounts(rt: NodeRuntime): Promise<void> {
  const files = nodeFiles(rt.poolName, rt.node.name);
  const shared = poolFiles(rt.poolName);
  for (const [key, target] of NODE_MOUNTS) {
    await runChecked(nsenterArgv(rt, ['mkdir', '-p', target]));
    await runChecked(nsenterArgv(rt, ['mount', '--bind', files[key], target]));
  }
  // After /run is the node's own: mount(8) keeps its notes on mounts under /run/mount.
  // /bricks does not exist on a stock system; the empty mount point stays on the host.
  await runChecked(nsenterArgv(rt, ['mkdir', '-p', BRICKS_MOUNT]));
  await runChecked(nsenterArgv(rt, brickMountArgv(files.brickImage)));
  await runChecked(nsenterArgv(rt, ['mount', '--bind', shared.hostsFile, '/etc/hosts']));
  await runChecked(nsenterArgv(rt, ['mount', '--bind', shared.resolvConf, '/etc/resolv.conf']));
  for (const [file, target] of [
    [shared.passwd, '/etc/passwd'],
    [shared.group, '/etc/group'],
    [shared.shadow, '/etc/shadow'],
    [shared.sudoersDir, '/etc/sudoers.d'],
  ] as const) {
    await runChecked(nsenterArgv(rt, ['mount', '--bind', file, target]));
  }
  await runChecked(nsenterArgv(rt, ['hostname', rt.node.hostname]));
}

export async function startGlusterd(rt: NodeRuntime, timeoutMs = 30_000): Promise<void> {
  if ((await glusterdPid(rt)) !== undefined) return;
  await startDaemon(rt, ['glusterd', '-p', '/run/glusterd.pid']);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await execInNode(rt, GLUSTERD_PROBE, { timeoutMs: 10_000 }).catch(() => undefined);
    if (r?.exitCode === 0) return;
    if (Date.now() > deadline) {
      throw new TestbedError(
        `glusterd on ${rt.node.hostname} did not answer within ${timeoutMs} ms: ${r?.stderr.trim() ?? 'timed out'}`,
      );
    }
    await delay(50);
  }
}

/** SIGTERM, as systemd would; SIGKILL if it has not exited after 10 s. */
export async function stopGlusterd(rt: NodeRuntime): Promise<void> {
  const pid = await glusterdPid(rt);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (!isPidGone(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await delay(20);
  }
  while (!isPidGone(pid)) await delay(20);
}

/**
 * The pid in glusterd's pid file, if that process runs inside this node: a stale pid file must
 * never make us signal an unrelated process.
 */
async function glusterdPid(rt: NodeRuntime): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(
      (await readFile(`${nodeFiles(rt.poolName, rt.node.name).run}/glusterd.pid`, 'utf8')).trim(),
    );
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || isPidGone(pid)) return undefined;
  return (await isInNode(rt, pid)) ? pid : undefined;
}

/** Whether `pid` runs in the node's network namespace. */
export async function isInNode(rt: NodeRuntime, pid: number): Promise<boolean> {
  try {
    const [theirs, node] = await Promise.all([
      readlink(`/proc/${pid}/ns/net`),
      readlink(`/proc/${rt.holder.pid}/ns/net`),
    ]);
    return theirs === node;
  } catch {
    return false;
  }
}

export async function startSshd(rt: NodeRuntime, timeoutMs = 10_000): Promise<void> {
  const files = nodeFiles(rt.poolName, rt.node.name);
  // An absolute path: sshd re-executes itself for every connection.
  await startDaemon(rt, ['/usr/sbin/sshd', '-f', files.sshdConfig, '-E', files.sshdLog]);
  const deadline = Date.now() + timeoutMs;
  for (const host of [rt.node.ipv4, rt.node.ipv6]) {
    while (!(await canConnect(host, 22))) {
      if (Date.now() > deadline) {
        throw new TestbedError(
          `sshd on ${rt.node.hostname} did not listen on ${host} within ${timeoutMs} ms`,
        );
      }
      await delay(20);
    }
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('timeout', () => {
      done(false);
    });
  });
}

/**
 * Runs a daemon that forks into the background. Its output goes to the node's start log, not to
 * pipes: a daemon that kept an inherited pipe open would make us wait for it forever.
 */
async function startDaemon(rt: NodeRuntime, argv: readonly string[]): Promise<void> {
  const logPath = nodeFiles(rt.poolName, rt.node.name).startLog;
  const fd = openSync(logPath, 'a');
  try {
    const [file, ...args] = nsenterArgv(rt, argv);
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(file ?? 'nsenter', args, {
        stdio: ['ignore', fd, fd],
        env: baseEnv,
        cwd: '/',
      });
      child.once('error', reject);
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    if (exitCode !== 0) {
      throw new TestbedError(
        `${argv[0] ?? ''} on ${rt.node.hostname} exited with ${String(exitCode)} while starting; see ${logPath}`,
      );
    }
  } finally {
    closeSync(fd);
  }
}
