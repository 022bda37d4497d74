import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.js';

export interface TestTools {
  readonly helm: string;
  readonly promtool: string;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/test-tools', import.meta.url));
/** A cold build took 30 minutes on two busy cores (about 11 idle); a cached run 0.1 s. */
const BUILD_TIMEOUT_MS = 90 * 60_000;

let resolved: Promise<TestTools> | undefined;

/**
 * Finds helm and promtool through scripts/test-tools, which honours HELM_BIN and PROMTOOL_BIN and
 * otherwise builds them once into a cache outside the repository. Its progress goes to our
 * stderr. The script runs once per process; every caller shares its answer (a failure is not
 * kept, so a later caller tries again).
 */
export function resolveTestTools(): Promise<TestTools> {
  resolved ??= findTestTools().catch((error: unknown) => {
    resolved = undefined;
    throw error;
  });
  return resolved;
}

async function findTestTools(): Promise<TestTools> {
  const result = await runCommand('bash', [SCRIPT], {
    timeoutMs: BUILD_TIMEOUT_MS,
    teeStderr: true,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `scripts/test-tools exited with ${String(result.exitCode)}; its output is above`,
    );
  }
  const dir = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  const helm = path.join(dir, 'helm');
  const promtool = path.join(dir, 'promtool');
  for (const file of [helm, promtool]) {
    if (!isExecutable(file)) {
      throw new Error(`scripts/test-tools printed ${dir}, which has no executable ${file}`);
    }
  }
  return { helm, promtool };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
