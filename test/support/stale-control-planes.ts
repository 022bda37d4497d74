import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { identifyProcess } from '../../testbed/process-identity.js';

/**
 * Leftovers of test runs that died too hard to clean up (SIGKILL, OOM, a closed terminal):
 * every control plane writes an owner record into its directory, and the next run removes the
 * directories whose owner is gone, after killing the daemons that still run from them.
 */
export const CONTROL_PLANE_DIR_PREFIX = 'gluster-operator-control-plane-';
const OWNER_FILE = 'owner.json';

interface OwnerRecord {
  readonly ownerPid: number;
  /** /proc/<pid>/stat start time, so a reused pid is not mistaken for the owner. */
  readonly ownerStartTime: string;
  readonly daemonPids: readonly number[];
}

export function writeOwnerRecord(dir: string, daemonPids: readonly number[]): void {
  const record: OwnerRecord = {
    ownerPid: process.pid,
    ownerStartTime: identifyProcess(process.pid)?.startTime ?? '',
    daemonPids,
  };
  writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(record), { mode: 0o600 });
}

/** Removes control planes whose owning process is gone. Returns the directories removed. */
export function reapStaleControlPlanes(tmpDir = os.tmpdir()): string[] {
  const reaped: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(tmpDir).filter((e) => e.startsWith(CONTROL_PLANE_DIR_PREFIX));
  } catch {
    return reaped;
  }
  for (const entry of entries) {
    const dir = path.join(tmpDir, entry);
    const record = readOwnerRecord(dir);
    if (record === undefined) continue; // being created right now, or not ours to judge
    if (
      record.ownerStartTime !== '' &&
      identifyProcess(record.ownerPid)?.startTime === record.ownerStartTime
    ) {
      continue; // its owner still runs
    }
    for (const pid of record.daemonPids) {
      if (commandLine(pid)?.includes(dir) === true) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}

function readOwnerRecord(dir: string): OwnerRecord | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}
