import { readFileSync } from 'node:fs';

/**
 * A process as (pid, start time): a pid alone can be reused after the process died, and the
 * testbed decides on it whether a pool is stale and which processes it may kill.
 */
export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/PID/stat, clock ticks since boot. */
  readonly startTime: string;
}

export function identifyProcess(pid: number): ProcessIdentity | undefined {
  const stat = readStat(pid);
  return stat === undefined ? undefined : { pid, startTime: stat.startTime };
}

/** True while that very process runs (a zombie has already exited, and counts as gone). */
export function isProcessAlive(id: ProcessIdentity): boolean {
  const stat = readStat(id.pid);
  return stat !== undefined && stat.state !== 'Z' && stat.startTime === id.startTime;
}

export function isPidGone(pid: number): boolean {
  const stat = readStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

function readStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

/**
 * True once the pid has left /proc: the process exited and its parent reaped it. Until then a
 * zombie's /proc/PID/cmdline still exists, and glusterd takes that for a running process.
 */
export function isPidReaped(pid: number): boolean {
  return readStat(pid) === undefined;
}

/** Blocks the thread: teardown also runs inside 'exit' handlers, where timers never fire. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
