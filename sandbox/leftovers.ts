import { destroyStaleTestPools, listTestPools } from '../testbed/gluster-test-pool.js';
import { isProcessAlive } from '../testbed/process-identity.js';
import { reapStaleControlPlanes } from '../test/support/stale-control-planes.js';
import { SANDBOX, type SandboxPaths } from './sandbox-layout.js';
import type { SandboxState } from './sandbox-state.js';
import { removeRunFiles } from './supervisor.js';

/**
 * Removes what a supervisor that is gone left behind (SIGKILL, OOM, a crash in an exit handler):
 * its operator process, the testbed pool it owned, the control planes whose owner died, and the
 * run files. Returns one line per thing found and removed. Safe when nothing is left.
 *
 * The pool and control planes are found by the testbed's and the harness's own rules (their
 * owner process is gone), the same reaping every test run does at its start.
 */
export async function removeLeftovers(
  paths: SandboxPaths,
  state: SandboxState | undefined,
): Promise<string[]> {
  const removed: string[] = [];
  const operator = state?.operator;
  if (operator !== undefined && isProcessAlive(operator)) {
    try {
      process.kill(operator.pid, 'SIGKILL');
      removed.push(`operator process ${String(operator.pid)}`);
    } catch {
      // Gone in the meantime.
    }
  }
  const hadPool = listTestPools().some((p) => p.name === SANDBOX.poolName && p.isStale);
  await destroyStaleTestPools();
  if (hadPool) removed.push(`Gluster pool ${SANDBOX.poolName}`);
  for (const dir of reapStaleControlPlanes()) removed.push(`control plane ${dir}`);
  removeRunFiles(paths);
  return removed;
}

/** A testbed pool named `sandbox` that is not stale: a live supervisor's, or someone's `cli up`. */
export function liveSandboxPool(): { ownerPid: number | null } | undefined {
  const pool = listTestPools().find((p) => p.name === SANDBOX.poolName && !p.isStale);
  return pool === undefined ? undefined : { ownerPid: pool.ownerPid };
}
