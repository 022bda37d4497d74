/**
 * The operator as deploy/ ships it, for the benchmarks: its own process, the container's
 * environment from deploy/deployment.yaml (read at run time, so a change there is picked up), the
 * service account and RBAC of `kubectl apply -k deploy/`, and leader election on the Lease in the
 * operator's namespace as the Deployment configures it.
 *
 * What the bench adds to the shipped environment, and nothing else: WATCH_NAMESPACE, HTTP_PORT (a
 * free port), HTTP_HOST=127.0.0.1 (the shipped 0.0.0.0 would open the port on every interface of
 * this machine; the bench only scrapes loopback), KUBECONFIG (the service account's client
 * certificate for the test control plane, in place of the pod's token), the three Downward API
 * variables (POD_NAME, POD_NAMESPACE, and POD_IP, a documentation address (RFC 5737) that only the
 * events EndpointSlice records: no kube-proxy routes to it here) and, for the runtime tree, the
 * image's NODE_ENV=production.
 * A bench may add more by `extraEnv` (bench/event-to-status.ts: EVENTS_URL, the address the
 * testbed's nodes reach this machine at, which a cluster gives by its Service); those are part of
 * `benchEnv` and named in the bench's own report.
 */
import { metricsReaderToken } from '../test/support/metrics-reader-token.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Deployment } from '@kubernetes/client-node';
import { loadAllYaml } from '@kubernetes/client-node';
import type { ControlPlane } from '../test/support/control-plane.js';
import { freePort } from '../test/support/free-ports.js';
import type { OperatorProcess } from '../test/support/operator-process.js';
import { spawnOperator } from '../test/support/operator-process.js';
import { runCommand } from '../test/support/run-command.js';
import type { OperatorConfig } from '../src/config.js';
import { loadConfig } from '../src/config.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
export const DEPLOYMENT_PATH = `${REPO}deploy/deployment.yaml`;
const DEPLOY_DIR = `${REPO}deploy/`;
/** deploy/kustomization.yaml's namespace and service-account.yaml's name. */
export const OPERATOR_NAMESPACE = 'gluster-operator';
const SERVICE_ACCOUNT = 'gluster-operator';
export const OPERATOR_USER = `system:serviceaccount:${OPERATOR_NAMESPACE}:${SERVICE_ACCOUNT}`;
const CONTAINER = 'operator';

/** The variables a pod gets from the Downward API; the bench supplies these itself. */
const DOWNWARD_API = new Set(['POD_NAME', 'POD_NAMESPACE', 'POD_IP']);

/** What the Downward API gives the pod, as the benches stand it in (POD_IP: a documentation address). */
function downwardApi(podName: string): Record<string, string> {
  return { POD_NAME: podName, POD_NAMESPACE: OPERATOR_NAMESPACE, POD_IP: '192.0.2.1' };
}

/** The configuration the operator makes of the shipped environment (and the Downward API). */
export function shippedConfig(): OperatorConfig {
  return loadConfig({ ...readShippedEnv(), ...downwardApi('gluster-operator-bench') });
}

/**
 * Every `env` entry with a literal `value` of the operator container in deploy/deployment.yaml.
 * Strict: the file must hold one Deployment with one container named `operator`, no `envFrom`,
 * no duplicate names, string values only, and `valueFrom` only for the Downward API variables
 * the bench knows how to supply. Anything else is an error naming what to teach the bench.
 * (Parsed with client-node's loadAllYaml, the YAML reader the project already depends on.)
 */
export function readShippedEnv(file = DEPLOYMENT_PATH): Record<string, string> {
  const docs = (loadAllYaml(readFileSync(file, 'utf8')) as unknown[]).filter(
    (doc): doc is V1Deployment =>
      typeof doc === 'object' && doc !== null && (doc as V1Deployment).kind === 'Deployment',
  );
  if (docs.length !== 1) throw new Error(`${file}: expected one Deployment, found ${docs.length}`);
  const containers = docs[0]!.spec?.template.spec?.containers ?? [];
  const named = containers.filter((c) => c.name === CONTAINER);
  const container = named[0];
  if (!container || named.length > 1) {
    throw new Error(`${file}: expected one container named ${CONTAINER}, found ${named.length}`);
  }
  if (container.envFrom !== undefined && container.envFrom.length > 0) {
    throw new Error(`${file}: envFrom is not supported by the bench; list the variables in env`);
  }
  const env: Record<string, string> = {};
  const seen = new Set<string>();
  for (const entry of container.env ?? []) {
    if (seen.has(entry.name)) throw new Error(`${file}: env ${entry.name} is listed twice`);
    seen.add(entry.name);
    const value: unknown = entry.value;
    if (entry.valueFrom !== undefined) {
      if (!DOWNWARD_API.has(entry.name)) {
        throw new Error(
          `${file}: env ${entry.name} comes from valueFrom; bench/shipped-operator.ts supplies only ${[...DOWNWARD_API].join(', ')}`,
        );
      }
      continue;
    }
    if (typeof value !== 'string') {
      throw new Error(`${file}: env ${entry.name} has no string value (${JSON.stringify(value)})`);
    }
    env[entry.name] = value;
  }
  return env;
}

/** The runtime the operator runs in: `dist` is the image's; `tsx` runs src/main.ts through tsx. */
export type OperatorRuntime = 'dist' | 'tsx';

export interface PreparedRuntime {
  readonly runtime: OperatorRuntime;
  /** For spawnOperator; undefined for tsx (its default). */
  readonly command: { readonly args: readonly string[]; readonly cwd: string } | undefined;
  /** Removes the runtime tree, if one was built. */
  dispose(): void;
}

/** Builds the runtime tree with scripts/runtime-tree (as the image's build stage does) for `dist`. */
export async function prepareRuntime(runtime: string | undefined): Promise<PreparedRuntime> {
  if (runtime === 'tsx') return { runtime, command: undefined, dispose: () => undefined };
  if (runtime !== undefined && runtime !== 'dist') throw new Error('--runtime must be dist or tsx');
  const tree = mkdtempSync(path.join(os.tmpdir(), 'gop-bench-runtime-'));
  const dispose = (): void => {
    rmSync(tree, { recursive: true, force: true });
    process.removeListener('exit', dispose);
  };
  // Also when the run ends without reaching its clean-up (process.exit, an uncaught error).
  process.once('exit', dispose);
  const built = await runCommand(`${REPO}scripts/runtime-tree`, [tree], {
    timeoutMs: 600_000,
  }).catch((error: unknown) => {
    dispose();
    throw error;
  });
  if (built.exitCode !== 0) {
    dispose();
    throw new Error(
      `scripts/runtime-tree failed (try --runtime tsx):\n${built.stdout.slice(-4_000)}\n${built.stderr.slice(-4_000)}`,
    );
  }
  return {
    runtime: 'dist',
    command: { args: ['--enable-source-maps', 'dist/main.js'], cwd: tree },
    dispose,
  };
}

/**
 * `kubectl apply -k deploy/` (namespace, service account, RBAC, CRD; the Deployment and the
 * PodDisruptionBudget are inert objects here: no controller-manager runs) and a kubeconfig for the
 * operator's service account, which then has exactly the permissions deploy/ grants it.
 */
export async function installOperatorIdentity(controlPlane: ControlPlane): Promise<string> {
  const applied = await controlPlane.kubectl(['apply', '-k', DEPLOY_DIR], { timeoutMs: 120_000 });
  if (applied.exitCode !== 0) throw new Error(`kubectl apply -k deploy/ failed: ${applied.stderr}`);
  return controlPlane.serviceAccountKubeconfig(OPERATOR_NAMESPACE, SERVICE_ACCOUNT);
}

export interface ShippedOperator {
  readonly process: OperatorProcess;
  /**
   * A token /metrics and /status accept when the shipped env protects them (HTTP_AUTH=kubernetes):
   * a service account bound to gluster-operator-metrics-reader, as Prometheus would be.
   */
  readonly metricsToken: string;
  /** The environment given to the child, the shipped part and the bench's part. */
  readonly shippedEnv: Readonly<Record<string, string>>;
  readonly benchEnv: Readonly<Record<string, string>>;
}

/**
 * Spawns the operator with the shipped environment and waits until it leads (the Lease in the
 * operator's namespace) and is ready (its watch is established).
 */
export async function startShippedOperator(options: {
  readonly kubeconfigPath: string;
  readonly controlPlane: ControlPlane;
  readonly watchNamespace: string;
  readonly runtime: PreparedRuntime;
  readonly podName?: string;
  readonly maxLogLines?: number;
  readonly maxOutputChars?: number;
  /** Variables the bench adds (after the shipped ones and its own, so they win); default none. */
  readonly extraEnv?: Readonly<Record<string, string>>;
}): Promise<ShippedOperator> {
  const shippedEnv = readShippedEnv();
  const metricsToken = await metricsReaderToken(options.controlPlane);
  const podName = options.podName ?? 'gluster-operator-bench';
  const httpPort = await freePort();
  const benchEnv: Record<string, string> = {
    KUBECONFIG: options.kubeconfigPath,
    WATCH_NAMESPACE: options.watchNamespace,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(httpPort),
    ...downwardApi(podName),
    ...(options.runtime.runtime === 'dist' ? { NODE_ENV: 'production' } : {}),
    ...options.extraEnv,
  };
  // baseEnv 'pod': PATH and HOME, nothing else inherited and no test settings; then the shipped
  // values, then the bench's (which win where both name a variable: HTTP_PORT, HTTP_HOST).
  const spawned = await spawnOperator({
    kubeconfigPath: options.kubeconfigPath,
    watchNamespace: options.watchNamespace,
    podName,
    httpPort,
    baseEnv: 'pod',
    env: { ...shippedEnv, ...benchEnv },
    maxLogLines: options.maxLogLines ?? 2_000,
    maxOutputChars: options.maxOutputChars ?? 512 * 1024,
    bearerToken: metricsToken,
    ...(options.runtime.command ? { command: options.runtime.command } : {}),
  }).catch((error: unknown) => {
    throw new Error('Could not start the operator', { cause: error });
  });
  try {
    const leaderElection = (shippedEnv['LEADER_ELECTION'] ?? 'true').toLowerCase() !== 'false';
    await spawned.waitForStatus(
      leaderElection ? 'lead and be ready' : 'be ready',
      (status) => status.ready && (!leaderElection || status.role === 'master'),
      { timeoutMs: 120_000, intervalMs: 200 },
    );
  } catch (error) {
    await spawned.stop();
    throw error;
  }
  return { process: spawned, shippedEnv, benchEnv, metricsToken };
}

/** The line every bench prints about the operator it measures. */
export function describeOperator(
  operator: ShippedOperator,
  runtime: PreparedRuntime,
  benchEnv?: string,
): string {
  return `operator: its own process (runtime ${runtime.runtime}, Node ${process.version}), as its service account, leading; shipped env: ${describeShippedEnv(operator.shippedEnv)}${benchEnv === undefined ? '' : `; the bench adds ${benchEnv}`}`;
}

/** After a failed run: the operator's last output, on stderr, to see why. */
export function printOperatorTail(operator: ShippedOperator | undefined): void {
  if (operator)
    console.error(`operator output (last lines):\n${operator.process.output().slice(-6_000)}`);
}

/** One line for the report: the shipped settings the operator ran with. */
export function describeShippedEnv(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .filter(([name]) => name !== 'HTTP_PORT' && name !== 'HTTP_HOST')
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}
