import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './run-command.js';

export interface KubeTestBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
  /** TEST_ASSET_KUBECTL, else a kubectl beside kube-apiserver (envtest ships one), else PATH's. */
  readonly kubectl: string;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/kube-test-binaries', import.meta.url));
/** A cold build took 5 to 9 minutes on two cores; a cached run takes 0.01 s. The limit is generous. */
const BUILD_TIMEOUT_MS = 90 * 60_000;

/**
 * Finds kube-apiserver and etcd through scripts/kube-test-binaries, which honours
 * KUBEBUILDER_ASSETS, TEST_ASSET_KUBE_APISERVER and TEST_ASSET_ETCD and otherwise builds them
 * once into a cache outside the repository. Its progress goes to our stderr.
 */
export async function resolveKubeTestBinaries(): Promise<KubeTestBinaries> {
  const result = await runCommand('bash', [SCRIPT], {
    timeoutMs: BUILD_TIMEOUT_MS,
    teeStderr: true,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `scripts/kube-test-binaries exited with ${String(result.exitCode)}; its output is above`,
    );
  }
  const dir = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  const kubeApiserver = path.join(dir, 'kube-apiserver');
  const etcd = path.join(dir, 'etcd');
  for (const file of [kubeApiserver, etcd]) {
    if (!isExecutable(file)) {
      throw new Error(`scripts/kube-test-binaries printed ${dir}, which has no executable ${file}`);
    }
  }
  const besideApiserver = path.join(dir, 'kubectl');
  const kubectl =
    process.env['TEST_ASSET_KUBECTL'] ??
    (isExecutable(besideApiserver) ? besideApiserver : 'kubectl');
  return { kubeApiserver, etcd, kubectl };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
