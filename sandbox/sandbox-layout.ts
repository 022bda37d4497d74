import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fixed shape of the sandbox. One per machine: the testbed pool name and the state directory
 * are fixed, so every command finds the running sandbox without being told where it is.
 */
export const SANDBOX = {
  /** The testbed pool: nodes `sandbox-n1` ... at 10.250.<k>.11 ... */
  poolName: 'sandbox',
  /** Three declared in the GlusterCluster, one spare to try "add a node" with. */
  nodeCount: 4,
  declaredNodeCount: 3,
  /** Where the GlusterCluster and its SSH Secret live; the kubeconfig's default namespace. */
  namespace: 'gluster-sandbox',
  clusterName: 'sandbox',
  /** The replica 3 GlusterVolume over the declared nodes; also the gluster volume's name. */
  volumeName: 'data',
  /** Its brickTemplate path: each node's /bricks is an XFS of its own (testbed/README.md). */
  volumeBrickTemplate: '/bricks/{volume}',
  secretName: 'gluster-ssh',
  /** deploy/'s namespace and service account: the operator runs with the production RBAC. */
  operatorNamespace: 'gluster-operator',
  operatorServiceAccount: 'gluster-operator',
} as const;

/** Where the sandbox volume's brick is on each node, as `fault kill-brick` needs it. */
export const SANDBOX_BRICK_PATH = SANDBOX.volumeBrickTemplate.replace(
  '{volume}',
  SANDBOX.volumeName,
);

/** The checkout this file lives in: the operator and the testbed CLI are run from here. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** How to call this tool from the current directory, for the instructions it prints. */
export function sandboxCommand(cwd = process.cwd()): string {
  return path.resolve(cwd) === REPO_ROOT
    ? 'scripts/sandbox'
    : path.join(REPO_ROOT, 'scripts', 'sandbox');
}

export interface SandboxPaths {
  readonly dir: string;
  /** Written by the supervisor, atomically: see sandbox-state.ts. */
  readonly stateFile: string;
  /** One JSON line per step the supervisor has done, for `up` to show as they happen. */
  readonly progressFile: string;
  /** Held (O_EXCL) by the one live supervisor. */
  readonly lockFile: string;
  /** The admin kubeconfig, at a path that stays the same from run to run. */
  readonly kubeconfig: string;
  /** The GlusterCluster `up` applied, for the user to edit and apply again. */
  readonly clusterManifest: string;
  /** The GlusterVolume `up` applied. */
  readonly volumeManifest: string;
  readonly supervisorLog: string;
  readonly operatorLog: string;
  /** kubectl's discovery cache for the sandbox's own kubectl calls. */
  readonly kubectlCacheDir: string;
}

/**
 * /run is tmpfs: nothing of a sandbox survives a reboot, and neither do its processes. Tests and
 * unusual machines can point GLUSTER_SANDBOX_DIR elsewhere.
 */
export function sandboxPaths(
  dir = process.env['GLUSTER_SANDBOX_DIR'] ?? '/run/gluster-operator-sandbox',
): SandboxPaths {
  return {
    dir,
    stateFile: path.join(dir, 'state.json'),
    progressFile: path.join(dir, 'progress.jsonl'),
    lockFile: path.join(dir, 'supervisor.lock'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    clusterManifest: path.join(dir, 'glustercluster.yaml'),
    volumeManifest: path.join(dir, 'glustervolume.yaml'),
    supervisorLog: path.join(dir, 'supervisor.log'),
    operatorLog: path.join(dir, 'operator.log'),
    kubectlCacheDir: path.join(dir, 'kubectl-cache'),
  };
}
