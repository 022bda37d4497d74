import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import {
  identifyProcess,
  isPidGone,
  isProcessAlive,
  type ProcessIdentity,
} from './process-identity.js';
import { baseEnv } from './run-command.js';
import { TestbedError } from './testbed-error.js';

/** A network namespace, and the process that holds the mount and UTS namespaces made in it. */
export interface HeldNamespaces {
  readonly netns: string;
  readonly holder: ProcessIdentity;
}

/**
 * Starts the long-lived process that holds a node's (or client's) mount and UTS namespaces
 * inside its network namespace, so they outlive the daemons started in them. Detached: it must
 * survive the CLI that started it, and a Ctrl-C in a test run must reach our cleanup rather than
 * kill it.
 */
export async function startHolder(netns: string): Promise<ProcessIdentity> {
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      'unshare',
      '--mount',
      '--uts',
      '--propagation',
      'private',
      'sleep',
      'infinity',
    ],
    { detached: true, stdio: 'ignore', env: baseEnv, cwd: '/' },
  );
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new TestbedError(`Could not start the namespace holder of ${netns}`);
  // ip and unshare exec rather than fork: the pid is the holder's once it has become `sleep`,
  // i.e. once both namespaces exist.
  const deadline = Date.now() + 10_000;
  while ((await readComm(pid)) !== 'sleep') {
    if (isPidGone(pid)) throw new TestbedError(`The namespace holder of ${netns} exited`);
    if (Date.now() > deadline) {
      throw new TestbedError(`The namespace holder of ${netns} did not start`);
    }
    await delay(5);
  }
  const id = identifyProcess(pid);
  if (id === undefined) throw new TestbedError(`The namespace holder of ${netns} exited`);
  return id;
}

/** argv run inside the holder's network, mount and UTS namespaces. */
export function enterNamespacesArgv(target: HeldNamespaces, argv: readonly string[]): string[] {
  // A dead holder's pid may belong to anything by now: never enter that.
  if (!isProcessAlive(target.holder)) {
    throw new TestbedError(`The namespace holder of ${target.netns} is gone; destroy the pool`);
  }
  return ['nsenter', '-t', String(target.holder.pid), '-n', '-m', '-u', '--', ...argv];
}

export async function readComm(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
  } catch {
    return undefined;
  }
}
