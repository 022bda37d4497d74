import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import {
  identifyProcess,
  isProcessAlive,
  type ProcessIdentity,
} from '../testbed/process-identity.js';
import type { SandboxPaths } from './sandbox-layout.js';
import { SandboxError } from './sandbox-error.js';

/**
 * Makes this process the one supervisor of the machine's sandbox: two `up`s at once would both
 * write the same state file. The lock names its holder (pid and start time), so one left by a
 * supervisor that died is taken over.
 */
export function claimSupervisorLock(paths: SandboxPaths): ProcessIdentity {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const me = identifyProcess(process.pid);
  if (me === undefined) throw new SandboxError('Could not identify the supervisor process');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(paths.lockFile, 'wx', 0o600);
      writeFileSync(fd, JSON.stringify(me));
      closeSync(fd);
      return me;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SandboxError(`Could not create ${paths.lockFile}`, { cause: err });
      }
    }
    const holder = readHolder(paths.lockFile);
    if (holder !== undefined && isProcessAlive(holder)) {
      throw new SandboxError(
        `Another sandbox supervisor (pid ${String(holder.pid)}) is running; \`scripts/sandbox status\` shows it`,
      );
    }
    rmSync(paths.lockFile, { force: true });
  }
  throw new SandboxError(`Could not take ${paths.lockFile}: it kept coming back`);
}

export function releaseSupervisorLock(paths: SandboxPaths): void {
  rmSync(paths.lockFile, { force: true });
}

function readHolder(file: string): ProcessIdentity | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ProcessIdentity;
  } catch {
    // Being written right now, or its writer died half-way: either way not a live holder yet.
    return undefined;
  }
}
