import { isProcessAlive } from '../testbed/process-identity.js';
import type { Reporter } from './console-reporter.js';
import { liveSandboxPool, removeLeftovers } from './leftovers.js';
import type { SandboxPaths } from './sandbox-layout.js';
import { SANDBOX } from './sandbox-layout.js';
import { readSandboxState, type SandboxState } from './sandbox-state.js';

/** The supervisor stops the operator, the API server and etcd, then the nodes: seconds. */
const GRACEFUL_STOP_TIMEOUT_MS = 120_000;

/**
 * `down`: SIGTERM to the supervisor and wait until it has stopped everything and exited; then,
 * and also when it was already gone, remove whatever is left. Exit code 0 when nothing of the
 * sandbox runs afterwards.
 */
export async function sandboxDown(paths: SandboxPaths, reporter: Reporter): Promise<number> {
  let state: SandboxState | undefined;
  try {
    state = readSandboxState(paths);
  } catch (err) {
    // A corrupt state file: nothing to signal, but leftovers may still be there.
    reporter.step(`${err instanceof Error ? err.message : String(err)}; removing leftovers`);
  }
  if (state !== undefined && isProcessAlive(state.supervisor)) {
    const { pid } = state.supervisor;
    reporter.step(
      `Stopping the sandbox (supervisor pid ${String(pid)}): the operator, then kube-apiserver and etcd, then the Gluster nodes`,
    );
    process.kill(pid, 'SIGTERM');
    const supervisor = state.supervisor;
    const deadline = Date.now() + GRACEFUL_STOP_TIMEOUT_MS;
    while (isProcessAlive(supervisor) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (isProcessAlive(supervisor)) {
      reporter.step(
        `The supervisor did not stop within ${String(GRACEFUL_STOP_TIMEOUT_MS / 1000)} s; killing it (see ${paths.supervisorLog})`,
      );
      // Its process group: the supervisor and the operator it started.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone in the meantime.
      }
    }
  } else if (state === undefined && liveSandboxPool() === undefined) {
    const removed = await removeLeftovers(paths, undefined);
    reporter.print(
      removed.length === 0
        ? 'No sandbox is up; nothing to stop.'
        : `No sandbox was up; removed leftovers: ${removed.join(', ')}.`,
    );
    return 0;
  }
  const removed = await removeLeftovers(paths, state);
  if (removed.length > 0) {
    reporter.step(`Removed what the supervisor left behind: ${removed.join(', ')}`);
  }
  const pool = liveSandboxPool();
  if (pool !== undefined) {
    reporter.print(
      pool.ownerPid === null
        ? `A testbed pool named ${SANDBOX.poolName} was started with \`testbed/cli.ts up\`, not by the sandbox; remove it with \`npx tsx testbed/cli.ts down --name ${SANDBOX.poolName}\`.`
        : `The testbed pool ${SANDBOX.poolName} belongs to process ${String(pool.ownerPid)}, which still runs; it was left alone.`,
    );
    return 1;
  }
  reporter.step(`The sandbox is down (logs kept: ${paths.supervisorLog}, ${paths.operatorLog})`);
  return 0;
}
