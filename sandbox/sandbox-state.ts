import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ProcessIdentity } from '../testbed/process-identity.js';
import type { SandboxPaths } from './sandbox-layout.js';
import { SandboxError } from './sandbox-error.js';

/**
 * What the supervisor tells the other commands, in one file it replaces atomically.
 * - starting: it is bringing things up (progress.jsonl says how far it got);
 * - ready: everything runs; the fields below are filled in;
 * - failed: it could not start, has removed what it had started and is exiting (see `error`);
 * - stopping: it got SIGTERM and is tearing down.
 * A state whose supervisor is gone (crashed, SIGKILL, reboot) is a leftover: `down` and `up`
 * remove what it left.
 */
export type SandboxPhase = 'starting' | 'ready' | 'failed' | 'stopping';

export interface SandboxNode {
  readonly name: string;
  readonly ipv4: string;
  readonly ipv6: string;
}

export interface OperatorProcessState {
  readonly pid: number;
  readonly startTime: string;
  readonly httpPort: number;
  /** Times the supervisor started it again after it exited on its own. */
  readonly restarts: number;
}

export interface SandboxState {
  readonly version: 1;
  readonly phase: SandboxPhase;
  readonly supervisor: ProcessIdentity;
  readonly startedAt: string;
  readonly error?: string;
  /** https://127.0.0.1:<port> */
  readonly server?: string;
  readonly kubectl?: string;
  readonly nodes?: readonly SandboxNode[];
  readonly operator?: OperatorProcessState;
}

export function writeSandboxState(paths: SandboxPaths, state: SandboxState): void {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  // Atomic replace: a reader never sees half a file.
  const tmp = `${paths.stateFile}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, paths.stateFile);
}

export function readSandboxState(paths: SandboxPaths): SandboxState | undefined {
  let text: string;
  try {
    text = readFileSync(paths.stateFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SandboxError(`Could not read ${paths.stateFile}`, { cause: err });
  }
  try {
    return JSON.parse(text) as SandboxState;
  } catch (err) {
    throw new SandboxError(
      `${paths.stateFile} is corrupt; \`scripts/sandbox down\` removes what is left`,
      { cause: err },
    );
  }
}
