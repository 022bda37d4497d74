import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { request } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { startDaemon, type Daemon } from './daemon.js';
import { findFreePorts } from './free-ports.js';
import { resolveKubeTestBinaries, type KubeTestBinaries } from './kube-test-binaries.js';
import { writeKubeconfig } from './kubeconfig.js';
import { createPki, issueClientCertificate, type ClientCredentials, type Pki } from './pki.js';
import { runCommand, type CommandResult } from './run-command.js';
import {
  CONTROL_PLANE_DIR_PREFIX,
  reapStaleControlPlanes,
  writeOwnerRecord,
} from './stale-control-planes.js';

/**
 * A real etcd + kube-apiserver on 127.0.0.1 for tests, in the spirit of controller-runtime's
 * envtest: free ports, a throwaway PKI, a temp directory, RBAC authorization, and the CRDs from
 * crds/ (plus any extra directories) applied and Established before it is handed out.
 *
 * Identities are client certificates signed by the test CA: the admin is in system:masters;
 * userKubeconfig() issues anyone else, e.g. the operator's service account user, which then has
 * exactly the permissions RBAC objects grant it.
 */
export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** The admin's kubeconfig (same file as adminKubeconfigPath). */
  readonly kubeconfigPath: string;
  readonly adminKubeconfigPath: string;
  /** etcd's client URL (plain HTTP on loopback), e.g. for compactEtcd(). */
  readonly etcdUrl: string;
  /** Temp directory with the PKI, kubeconfigs, etcd data and the daemons' logs (removed on stop). */
  readonly dir: string;
  /** Milliseconds from making the PKI to the CRDs Established (the binaries already at hand). */
  readonly startupMs: number;
  /** Writes (once per identity) a kubeconfig for a client certificate with this user and groups. */
  userKubeconfig(user: string, groups?: readonly string[]): Promise<string>;
  /** userKubeconfig for system:serviceaccount:<namespace>:<name> with the groups a token would carry. */
  serviceAccountKubeconfig(namespace: string, name: string): Promise<string>;
  /** Runs kubectl against this control plane, as admin unless another kubeconfig is given. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<CommandResult>;
  /** Compacts etcd's history up to its current revision; returns that revision. */
  compactEtcd(): Promise<number>;
  /** Stops kube-apiserver and etcd (their whole process groups) and removes the directory. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Directories of CRD YAML applied after the project's crds/ (which is applied when it has YAML). */
  readonly crdDirs?: readonly string[];
  /** Apply the project's crds/ directory. Default true. */
  readonly includeProjectCrds?: boolean;
  /** How long to wait for /readyz. Default 90 s: a busy two-core machine needs it. */
  readonly readyTimeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  readonly apiserverArgs?: readonly string[];
  /** Binaries to use instead of running scripts/kube-test-binaries. */
  readonly binaries?: KubeTestBinaries;
}

export interface KubectlOptions {
  readonly kubeconfigPath?: string;
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

export class ControlPlaneStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

const PROJECT_CRDS_DIR = fileURLToPath(new URL('../../crds/', import.meta.url));
const ETCD_READY_TIMEOUT_MS = 30_000;
const CRD_ESTABLISHED_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  reapStaleControlPlanes();
  const binaries = options.binaries ?? (await resolveKubeTestBinaries());
  const dir = await mkdtemp(path.join(os.tmpdir(), CONTROL_PLANE_DIR_PREFIX));
  writeOwnerRecord(dir, []);
  const live: LiveControlPlane = { dir, daemons: [] };
  liveControlPlanes.add(live);
  installExitHandlers();
  try {
    return await bootControlPlane(live, binaries, options);
  } catch (err) {
    await stopLive(live);
    throw err;
  }
}

async function bootControlPlane(
  live: LiveControlPlane,
  binaries: KubeTestBinaries,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const { dir } = live;
  const startedAt = performance.now();
  const pkiDir = path.join(dir, 'pki');
  await mkdir(pkiDir, { mode: 0o700 });
  const pki = await createPki(pkiDir);
  const admin = await issueClientCertificate(pki, 'admin', 'admin', ['system:masters']);

  let ports: Ports | undefined;
  for (let attempt = 1; ports === undefined; attempt++) {
    const [etcdClient, etcdPeer, apiserver] = await findFreePorts(3);
    const candidate = { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiserver: apiserver! };
    try {
      await rm(path.join(dir, 'etcd'), { recursive: true, force: true }); // a failed attempt's
      await startDaemons(live, binaries, pki, admin, candidate, options);
      ports = candidate;
    } catch (err) {
      const portTaken = live.daemons.some((d) => /address already in use/i.test(d.logTail(50)));
      await Promise.all(live.daemons.map((d) => d.stop()));
      live.daemons = [];
      if (!portTaken || attempt >= PORT_ATTEMPTS) throw err;
    }
  }

  const server = `https://127.0.0.1:${String(ports.apiserver)}`;
  const etcdUrl = `http://127.0.0.1:${String(ports.etcdClient)}`;
  const adminKubeconfigPath = path.join(dir, 'admin.kubeconfig');
  await writeKubeconfig(adminKubeconfigPath, {
    server,
    caCertPath: pki.caCertPath,
    user: 'admin',
    clientCertPath: admin.certPath,
    clientKeyPath: admin.keyPath,
  });

  const crdDirs = [
    ...(options.includeProjectCrds === false ? [] : [PROJECT_CRDS_DIR]),
    ...(options.crdDirs ?? []),
  ];
  await applyCrds(adminKubeconfigPath, crdDirs);
  const startupMs = Math.round(performance.now() - startedAt);

  const issued = new Map<string, Promise<string>>();
  let issuedCount = 0;
  const userKubeconfig = (user: string, groups: readonly string[] = []): Promise<string> => {
    const key = JSON.stringify([user, groups]);
    let file = issued.get(key);
    if (file === undefined) {
      const stem = `user-${String(++issuedCount)}`;
      file = (async () => {
        const creds = await issueClientCertificate(pki, stem, user, groups);
        const kubeconfigPath = path.join(dir, `${stem}.kubeconfig`);
        await writeKubeconfig(kubeconfigPath, {
          server,
          caCertPath: pki.caCertPath,
          user,
          clientCertPath: creds.certPath,
          clientKeyPath: creds.keyPath,
        });
        return kubeconfigPath;
      })();
      issued.set(key, file);
      file.catch(() => issued.delete(key)); // the caller sees the error; a retry issues anew
    }
    return file;
  };

  let stopping: Promise<void> | undefined;
  return {
    server,
    kubeconfigPath: adminKubeconfigPath,
    adminKubeconfigPath,
    etcdUrl,
    dir,
    startupMs,
    userKubeconfig,
    serviceAccountKubeconfig: (namespace, name) =>
      userKubeconfig(`system:serviceaccount:${namespace}:${name}`, [
        'system:serviceaccounts',
        `system:serviceaccounts:${namespace}`,
      ]),
    kubectl: (args, kubectlOptions = {}) =>
      runCommand(
        binaries.kubectl,
        [
          `--kubeconfig=${kubectlOptions.kubeconfigPath ?? adminKubeconfigPath}`,
          // Its discovery cache is keyed by host:port; the default ~/.kube/cache would collect
          // one directory per run.
          `--cache-dir=${path.join(dir, 'kubectl-cache')}`,
          ...args,
        ],
        {
          stdin: kubectlOptions.stdin ?? '',
          timeoutMs: kubectlOptions.timeoutMs ?? 60_000,
        },
      ),
    compactEtcd: () => compactEtcd(etcdUrl),
    stop: () => (stopping ??= stopLive(live)),
  };
}

interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
}

async function startDaemons(
  live: LiveControlPlane,
  binaries: KubeTestBinaries,
  pki: Pki,
  admin: ClientCredentials,
  ports: Ports,
  options: ControlPlaneOptions,
): Promise<void> {
  const { dir } = live;
  const etcdUrl = `http://127.0.0.1:${String(ports.etcdClient)}`;
  const peerUrl = `http://127.0.0.1:${String(ports.etcdPeer)}`;
  const etcd = startDaemon(
    'etcd',
    binaries.etcd,
    [
      '--name=test',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      // Test data: durability buys nothing and fsync is slow on a shared disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    path.join(dir, 'etcd.log'),
  );
  live.daemons.push(etcd);
  writeOwnerRecord(
    dir,
    live.daemons.map((d) => d.pid),
  );
  await waitFor(etcd, ETCD_READY_TIMEOUT_MS, async () => {
    const response = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { health?: unknown };
    return response.ok && body.health === 'true';
  });

  const server = `https://127.0.0.1:${String(ports.apiserver)}`;
  const apiserver = startDaemon(
    'kube-apiserver',
    binaries.kubeApiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${String(ports.apiserver)}`,
      `--tls-cert-file=${pki.servingCertPath}`,
      `--tls-private-key-file=${pki.servingKeyPath}`,
      `--client-ca-file=${pki.caCertPath}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${pki.serviceAccountPublicKeyPath}`,
      `--service-account-signing-key-file=${pki.serviceAccountKeyPath}`,
      // Only a range to allocate Service IPs from; nothing is routed.
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // No controller-manager creates the default ServiceAccount; envtest does the same.
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
      '--v=1',
      ...(options.apiserverArgs ?? []),
    ],
    path.join(dir, 'kube-apiserver.log'),
  );
  live.daemons.push(apiserver);
  writeOwnerRecord(
    dir,
    live.daemons.map((d) => d.pid),
  );
  const tls = {
    ca: await readFile(pki.caCertPath),
    cert: await readFile(admin.certPath),
    key: await readFile(admin.keyPath),
  };
  await waitFor(apiserver, options.readyTimeoutMs ?? 90_000, async () => {
    const { status } = await httpsGet(`${server}/readyz`, tls);
    return status === 200;
  });
}

/** Polls `isReady` until it says yes; fails early when the daemon exits. */
async function waitFor(
  daemon: Daemon,
  timeoutMs: number,
  isReady: () => Promise<boolean>,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  while (performance.now() < deadline) {
    if (daemon.hasExited()) {
      throw new ControlPlaneStartError(
        `${daemon.name} ${await daemon.exited} while starting; the end of ${daemon.logPath}:\n${daemon.logTail()}`,
      );
    }
    try {
      if (await isReady()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new ControlPlaneStartError(
    `${daemon.name} was not ready after ${String(timeoutMs)} ms; the end of ${daemon.logPath}:\n${daemon.logTail()}`,
    { cause: lastError },
  );
}

function httpsGet(
  url: string,
  tls: { ca: Buffer; cert: Buffer; key: Buffer },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, method: 'GET', timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Creates every CustomResourceDefinition in the directories' YAML files and waits for Established. */
async function applyCrds(kubeconfigPath: string, dirs: readonly string[]): Promise<void> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const dir of dirs) {
    let files: string[];
    try {
      files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const file of files) {
      const docs = loadAllYaml(await readFile(path.join(dir, file), 'utf8')) as unknown[];
      for (const doc of docs) {
        if (doc === null || doc === undefined) continue;
        const crd = doc as V1CustomResourceDefinition;
        if (crd.kind !== 'CustomResourceDefinition') {
          throw new ControlPlaneStartError(
            `${path.join(dir, file)} holds a ${String(crd.kind)}; only CustomResourceDefinitions are applied`,
          );
        }
        crds.push(crd);
      }
    }
  }
  if (crds.length === 0) return;

  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await Promise.all(crds.map((body) => api.createCustomResourceDefinition({ body })));
  const deadline = performance.now() + CRD_ESTABLISHED_TIMEOUT_MS;
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    for (;;) {
      const current = await api.readCustomResourceDefinition({ name });
      const established = current.status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      );
      if (established === true) break;
      if (performance.now() > deadline) {
        throw new ControlPlaneStartError(
          `CRD ${name} was not Established after ${String(CRD_ESTABLISHED_TIMEOUT_MS)} ms: ${JSON.stringify(current.status?.conditions ?? [])}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function compactEtcd(etcdUrl: string): Promise<number> {
  const post = async (api: string, body: object): Promise<unknown> => {
    const response = await fetch(`${etcdUrl}${api}`, {
      method: 'POST',
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      throw new Error(`etcd ${api} answered ${String(response.status)}: ${await response.text()}`);
    return response.json();
  };
  // A range over a key that does not exist still reports the store's current revision.
  const range = (await post('/v3/kv/range', { key: Buffer.from('\0').toString('base64') })) as {
    header?: { revision?: string };
  };
  const revision = Number(range.header?.revision);
  if (!Number.isSafeInteger(revision))
    throw new Error(`etcd reported no revision: ${JSON.stringify(range)}`);
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

// --- cleanup, also when the run fails or is interrupted -----------------------------------

interface LiveControlPlane {
  readonly dir: string;
  daemons: Daemon[];
}

const liveControlPlanes = new Set<LiveControlPlane>();
const keepDirs = process.env['KUBE_TEST_KEEP_CONTROL_PLANE_DIR'] === '1';

async function stopLive(live: LiveControlPlane): Promise<void> {
  // The API server first, so it does not spend the grace period reconnecting to etcd.
  for (const daemon of [...live.daemons].reverse()) await daemon.stop();
  if (keepDirs) process.stderr.write(`Kept control plane directory ${live.dir}\n`);
  else await rm(live.dir, { recursive: true, force: true });
  liveControlPlanes.delete(live);
}

/** Synchronous: runs from 'exit' and signal handlers, where nothing asynchronous completes. */
function killAllNow(): void {
  for (const live of liveControlPlanes) {
    for (const daemon of live.daemons) daemon.killNow();
    if (!keepDirs) rmSync(live.dir, { recursive: true, force: true });
  }
  liveControlPlanes.clear();
}

let exitHandlersInstalled = false;
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of FORWARDED_SIGNALS) {
    const onSignal = (): void => {
      killAllNow();
      process.removeListener(signal, onSignal);
      // With no one else listening, die of the signal as if we had never caught it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
