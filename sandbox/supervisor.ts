import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../src/observability/logger.js';
import { startControlPlane, type ControlPlane } from '../test/support/control-plane.js';
import { freePort } from '../test/support/free-ports.js';
import { resolveKubeTestBinaries } from '../test/support/kube-test-binaries.js';
import { startGlusterTestPool, type GlusterTestPool } from '../testbed/gluster-test-pool.js';
import { describeError } from './describe-error.js';
import { sandboxKubectl, type Kubectl } from './kubectl.js';
import {
  logTail,
  spawnOperator,
  waitForOperatorReady,
  type OperatorProcess,
} from './operator-process.js';
import { appendProgress, resetProgress } from './progress-log.js';
import { REPO_ROOT, SANDBOX, type SandboxPaths } from './sandbox-layout.js';
import { writeSandboxKubeconfig } from './sandbox-kubeconfig.js';
import {
  writeSandboxState,
  type OperatorProcessState,
  type SandboxState,
} from './sandbox-state.js';
import { claimSupervisorLock, releaseSupervisorLock } from './supervisor-lock.js';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const SIGNAL_NUMBERS: Readonly<Partial<Record<NodeJS.Signals, number>>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGTERM: 15,
};
/** deploy/'s objects that give the operator its identity and exactly its production rights. */
const RBAC_FILES = [
  'namespace.yaml',
  'service-account.yaml',
  'cluster-role.yaml',
  'cluster-role-binding.yaml',
  'leader-election-role.yaml',
  'leader-election-role-binding.yaml',
].map((file) => path.join(REPO_ROOT, 'deploy', file));
const OPERATOR_RESTART_MAX_DELAY_MS = 30_000;

/**
 * The long-lived process behind `scripts/sandbox up`: it owns the Gluster pool, the control plane
 * and the operator, reports its steps to progress.jsonl and its state to state.json, and on
 * SIGTERM stops them in order (operator, then API server and etcd, then the nodes) and exits.
 * When it dies some other way, the testbed's and the control plane's own exit handlers remove
 * their parts, and `down` removes what even those could not.
 */
export async function runSupervisor(paths: SandboxPaths, logger: Logger): Promise<number> {
  const me = claimSupervisorLock(paths);
  const startedAt = new Date().toISOString();
  let state: SandboxState = { version: 1, phase: 'starting', supervisor: me, startedAt };
  const setState = (next: Partial<SandboxState>): void => {
    state = { ...state, ...next };
    writeSandboxState(paths, state);
  };
  const progress = (message: string, meta: Record<string, unknown> = {}): void => {
    logger.info(message, meta);
    appendProgress(paths.progressFile, message);
  };
  resetProgress(paths.progressFile);
  setState({});

  let operator: OperatorProcess | undefined;
  let isReady = false;
  let requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (isReady) {
      requestStop(signal);
      return;
    }
    // Still starting: exit now. The testbed's and the control plane's exit handlers tear down
    // synchronously whatever of theirs has started, ours kills the operator.
    logger.warn('Interrupted while starting', { signal });
    process.exit(128 + (SIGNAL_NUMBERS[signal] ?? 15));
  };
  // Registered before anything is started, so these run first.
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  process.on('exit', () => {
    operator?.killNow();
    releaseSupervisorLock(paths);
  });

  let pool: GlusterTestPool | undefined;
  let controlPlane: ControlPlane | undefined;
  try {
    progress(
      `Starting ${String(SANDBOX.nodeCount)} Gluster nodes (glusterd + sshd, a network namespace each) and the control plane (etcd + kube-apiserver)`,
    );
    const binaries = await resolveKubeTestBinaries();
    const [poolResult, controlPlaneResult] = await Promise.allSettled([
      startGlusterTestPool({ name: SANDBOX.poolName, nodeCount: SANDBOX.nodeCount }).then((p) => {
        progress(
          `Gluster pool: ${String(p.nodes.length)} nodes up (${p.nodes.map((n) => `${n.name} ${n.ipv4}`).join(', ')}), each alone in a pool of its own`,
        );
        return p;
      }),
      startControlPlane({ binaries }).then((cp) => {
        progress(
          `Control plane: kube-apiserver ${cp.server} ready, GlusterCluster CRD established`,
        );
        return cp;
      }),
    ]);
    if (poolResult.status === 'fulfilled') pool = poolResult.value;
    if (controlPlaneResult.status === 'fulfilled') controlPlane = controlPlaneResult.value;
    if (poolResult.status === 'rejected') throw poolResult.reason;
    if (controlPlaneResult.status === 'rejected') throw controlPlaneResult.reason;
    if (pool === undefined || controlPlane === undefined) throw new Error('unreachable');

    await writeSandboxKubeconfig(
      controlPlane.adminKubeconfigPath,
      paths.kubeconfig,
      SANDBOX.namespace,
    );
    setState({
      server: controlPlane.server,
      kubectl: binaries.kubectl,
      nodes: pool.nodes.map((n) => ({ name: n.name, ipv4: n.ipv4, ipv6: n.ipv6 })),
    });
    const kubectl = sandboxKubectl(binaries.kubectl, paths);
    await prepareKubernetes(kubectl, pool);
    progress(
      `Kubernetes objects: namespace ${SANDBOX.operatorNamespace} with the operator's service account and RBAC from deploy/; namespace ${SANDBOX.namespace} with Secret ${SANDBOX.secretName} (the pool's SSH key and known_hosts)`,
    );

    const operatorKubeconfig = await controlPlane.serviceAccountKubeconfig(
      SANDBOX.operatorNamespace,
      SANDBOX.operatorServiceAccount,
    );
    const httpPort = await freePort();
    // glusterd's events: on the pool's bridge, where the nodes reach this machine (a
    // GlusterCluster with spec.events.enabled gets them; docs/events.md).
    const eventsPort = await freePort();
    const bridge = pool.hostIpv4;
    const startOperator = (): OperatorProcess =>
      spawnOperator({
        kubeconfigPath: operatorKubeconfig,
        httpPort,
        logPath: paths.operatorLog,
        env: {
          // Production's settings (deploy/deployment.yaml), one replica: it elects itself.
          LEADER_ELECTION: 'true',
          LEADER_ELECTION_NAMESPACE: SANDBOX.operatorNamespace,
          POD_NAME: 'sandbox-operator',
          POD_NAMESPACE: SANDBOX.operatorNamespace,
          // Look again within a second while a change is under way, so a change shows quickly.
          PROGRESS_REQUEUE_MS: '1000',
          LOG_LEVEL: 'info',
          EVENTS_HOST: bridge,
          EVENTS_PORT: String(eventsPort),
          EVENTS_URL: `http://${bridge}:${String(eventsPort)}`,
        },
      });
    let running = startOperator();
    operator = running;
    progress(
      `Operator: started (pid ${String(running.pid)}), waiting until it leads and its watch is live`,
    );
    await waitForOperatorReady(running, paths.operatorLog);
    const operatorState = (o: OperatorProcess, restarts: number): OperatorProcessState => ({
      pid: o.pid,
      startTime: o.startTime,
      httpPort: o.httpPort,
      restarts,
    });
    // The progress line first: `up` stops following progress once the state says ready.
    progress(
      `Operator: ready (health, status and metrics on http://127.0.0.1:${String(httpPort)})`,
    );
    setState({ phase: 'ready', operator: operatorState(running, 0) });

    // From here on this process stops things in order itself. The testbed's and the control
    // plane's signal handlers would kill their parts at once, under the running operator; their
    // exit handlers stay as the backstop should the orderly stop below fail.
    for (const signal of STOP_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (listener !== onSignal) process.off(signal, listener);
      }
    }
    isReady = true;

    // Aborted once the stop has begun: an operator exiting then is not restarted.
    const stopping = new AbortController();
    const isStopping = (): boolean => stopping.signal.aborted;
    const supervising = (async () => {
      let restarts = 0;
      for (;;) {
        const how = await running.exited;
        if (isStopping()) return;
        restarts++;
        const delayMs = Math.min(1_000 * 2 ** (restarts - 1), OPERATOR_RESTART_MAX_DELAY_MS);
        logger.warn('Operator exited; starting it again', { how, restarts, delayMs });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (isStopping()) return;
        running = startOperator();
        operator = running;
        setState({ operator: operatorState(running, restarts) });
      }
    })();

    const signal = await stopRequested;
    stopping.abort();
    logger.info('Stopping the sandbox', { signal });
    setState({ phase: 'stopping' });
    await running.stop();
    await supervising;
    await controlPlane.stop();
    await pool.destroy();
    removeRunFiles(paths);
    logger.info('Stopped the sandbox');
    return 0;
  } catch (err) {
    const message = describeError(err);
    logger.error('Failed to start the sandbox', { error: message });
    setState({ phase: 'failed', error: message });
    await operator?.stop(5_000);
    if (operator !== undefined && !isReady) {
      logger.info('The end of the operator log', { tail: logTail(paths.operatorLog) });
    }
    await controlPlane?.stop();
    await pool?.destroy();
    rmSync(paths.kubeconfig, { force: true });
    return 1;
  }
}

async function prepareKubernetes(kubectl: Kubectl, pool: GlusterTestPool): Promise<void> {
  await kubectl.runOrThrow(['apply', ...RBAC_FILES.flatMap((file) => ['-f', file])]);
  await kubectl.runOrThrow(['create', 'namespace', SANDBOX.namespace]);
  // The documented way (deploy/examples/ssh-secret.yaml): from files, never pasted into YAML.
  await kubectl.runOrThrow([
    'create',
    'secret',
    'generic',
    SANDBOX.secretName,
    `--namespace=${SANDBOX.namespace}`,
    `--from-file=ssh-privatekey=${pool.ed25519KeyPath}`,
    `--from-file=known_hosts=${pool.knownHostsPath}`,
  ]);
}

/** What only a running sandbox needs; the logs stay for a look after `down`. */
export function removeRunFiles(paths: SandboxPaths): void {
  const files = [
    paths.kubeconfig,
    paths.clusterManifest,
    paths.volumeManifest,
    paths.progressFile,
    paths.stateFile,
    paths.lockFile,
  ];
  for (const file of files) {
    rmSync(file, { force: true });
  }
  rmSync(paths.kubectlCacheDir, { recursive: true, force: true });
}
