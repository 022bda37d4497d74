import { readPoolState, withStateLock } from './pool-state.js';
import { teardownPool } from './teardown.js';

/** Pools this process owns and must remove however it ends. */
const owned = new Set<string>();
let installed = false;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function registerForCleanup(poolName: string): void {
  owned.add(poolName);
  if (installed) return;
  installed = true;
  process.on('exit', cleanUpOwnedPools);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

export function unregisterFromCleanup(poolName: string): void {
  owned.delete(poolName);
}

function onSignal(signal: NodeJS.Signals): void {
  cleanUpOwnedPools();
  // Listening to a signal cancels Node's default of dying from it. When nobody else listens
  // (mocha does for SIGINT), restore that default so the process still ends the usual way.
  if (process.listenerCount(signal) === 1) {
    for (const s of SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, signal);
  }
}

function cleanUpOwnedPools(): void {
  for (const name of [...owned]) {
    owned.delete(name);
    try {
      withStateLock(() => {
        const state = readPoolState(name);
        // Only while it is still ours: `cli up` hands its pool over by clearing the owner.
        if (state !== undefined && state.owner?.pid === process.pid) teardownPool(state);
      });
    } catch (err) {
      // Nobody is left to catch this: say what stays behind for destroyStaleTestPools.
      process.stderr.write(`testbed: cleanup of pool ${name} failed: ${String(err)}\n`);
    }
  }
}
