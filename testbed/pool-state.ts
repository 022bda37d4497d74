import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { isValidPoolName } from './pool-layout.js';
import {
  identifyProcess,
  isProcessAlive,
  sleepSync,
  type ProcessIdentity,
} from './process-identity.js';
import { TestbedError } from './testbed-error.js';

/** Every pool has its directory here; nothing of the testbed lives anywhere else on disk. */
export const STATE_ROOT = '/tmp/gop-testbed';

/**
 * What teardown needs to remove a pool, even from another process after the owner crashed.
 * Written before anything is created, so a crash at any point leaves a record.
 */
export interface PoolState {
  readonly version: 1;
  readonly name: string;
  readonly index: number;
  readonly nodeCount: number;
  /** null: started by `cli up`, kept until `down`; otherwise stale once this process is gone. */
  readonly owner: ProcessIdentity | null;
  /** Per node (n1 first): the process that holds its mount namespace, once started. */
  readonly holders: readonly (ProcessIdentity | null)[];
}

export function poolDir(name: string): string {
  return join(STATE_ROOT, name);
}

function stateFile(name: string): string {
  return join(poolDir(name), 'state.json');
}

export function writePoolState(state: PoolState): void {
  // 0755: the nodes' non-root user must reach the pool's authorized_keys (private keys are 0600).
  mkdirSync(poolDir(state.name), { recursive: true, mode: 0o755 });
  chmodSync(STATE_ROOT, 0o755);
  chmodSync(poolDir(state.name), 0o755);
  // Atomic replace: a reader never sees half a file.
  const tmp = `${stateFile(state.name)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, stateFile(state.name));
}

export function readPoolState(name: string): PoolState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(name), 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw new TestbedError(`Could not read the state of pool ${name}`, { cause: err });
  }
  try {
    return JSON.parse(text) as PoolState;
  } catch (err) {
    throw new TestbedError(`The state file of pool ${name} is corrupt`, { cause: err });
  }
}

/**
 * Names of every pool with a directory, whether or not its state file made it to disk. A
 * directory whose name no pool could have is not the testbed's, and is left alone.
 */
export function listPoolNames(): string[] {
  try {
    return readdirSync(STATE_ROOT, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isValidPoolName(e.name))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw new TestbedError('Could not list testbed pools', { cause: err });
  }
}

export function removePoolDir(name: string): void {
  rmSync(poolDir(name), { recursive: true, force: true });
}

export function isPoolStale(state: PoolState): boolean {
  return state.owner !== null && !isProcessAlive(state.owner);
}

/**
 * Runs fn while holding the testbed-wide lock, which serialises index allocation and stale
 * cleanup between processes. A lock left by a dead process is taken over.
 */
export function withStateLock<T>(fn: () => T, timeoutMs = 60_000): T {
  mkdirSync(STATE_ROOT, { recursive: true, mode: 0o755 });
  const lockPath = join(STATE_ROOT, '.lock');
  const me = identifyProcess(process.pid);
  if (me === undefined) throw new TestbedError('Could not identify the current process');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, JSON.stringify(me));
      closeSync(fd);
      break;
    } catch (err) {
      if (!isErrno(err, 'EEXIST'))
        throw new TestbedError('Could not take the testbed lock', { cause: err });
    }
    if (isLockAbandoned(lockPath)) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new TestbedError(`Timed out waiting for ${lockPath}`);
    sleepSync(50);
  }
  try {
    return fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function isLockAbandoned(lockPath: string): boolean {
  let holder: ProcessIdentity;
  try {
    holder = JSON.parse(readFileSync(lockPath, 'utf8')) as ProcessIdentity;
  } catch {
    // Being written right now (look again on the next turn), or its writer died half-way.
    try {
      return Date.now() - statSync(lockPath).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  return !isProcessAlive(holder);
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
