import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from './control-plane.js';

/**
 * One control plane per test run, shared by every test file that asks for it.
 *
 * - Loaded with `mocha --require test/support/control-plane-fixture.ts`, mocha runs
 *   mochaGlobalSetup (starts it before any test, outside any hook timeout) and
 *   mochaGlobalTeardown (stops it after the last test).
 * - Without that, getControlPlane() starts it on first use, and the harness's exit and signal
 *   handlers stop it when the process ends.
 * Either way, a run that is interrupted (Ctrl-C, SIGTERM) or crashes leaves no process and no
 * directory behind; a run killed with SIGKILL is cleaned up by the next run.
 */

/** The test-only CRDs of the smoke tests (widgets.smoke.test.io), applied besides crds/. */
export const TEST_CRDS_DIR = fileURLToPath(new URL('../fixtures/crds/', import.meta.url));

/**
 * For a `before` hook that calls getControlPlane(): a cold build of the binaries on the first run
 * takes far longer than any test; the harness bounds its own waits (90 s for /readyz).
 */
export const CONTROL_PLANE_HOOK_TIMEOUT_MS = 0;

let shared: Promise<ControlPlane> | undefined;

export function getControlPlane(): Promise<ControlPlane> {
  shared ??= startControlPlane({ crdDirs: [TEST_CRDS_DIR] }).then((cp) => {
    process.stderr.write(
      `Control plane ${cp.server} ready in ${String(cp.startupMs)} ms (${cp.dir})\n`,
    );
    return cp;
  });
  return shared;
}

export async function mochaGlobalSetup(): Promise<void> {
  await getControlPlane();
}

export async function mochaGlobalTeardown(): Promise<void> {
  const starting = shared;
  shared = undefined;
  if (starting === undefined) return;
  // A start that failed has cleaned up after itself.
  const cp = await starting.catch(() => undefined);
  await cp?.stop();
}
