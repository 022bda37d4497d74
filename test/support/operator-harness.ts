import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { GlusterCluster, GlusterClusterSpec } from '../../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, PLURAL } from '../../src/api/gluster-cluster.js';
import { loadConfig } from '../../src/config.js';
import type { RunningOperator } from '../../src/controller/operator.js';
import { startOperator } from '../../src/controller/operator.js';
import type { Resolver } from '../../src/gluster/host-identity.js';
import { createLogger } from '../../src/observability/logger.js';
import type { OperatorMetrics } from '../../src/observability/metrics.js';
import type { Leadership } from '../../src/controller/pass/leadership.js';
import type { GlusterTestPool } from '../../testbed/gluster-test-pool.js';
import { getControlPlane } from './control-plane-fixture.js';
import { createTestNamespace, loadKubeConfig } from './kube-test-helpers.js';
import type { PoolHandle } from './test-pool.js';

/** Everything an end-to-end test needs to drive the operator through the API server. */
export interface OperatorHarness {
  readonly namespace: string;
  readonly objects: CustomObjectsApi;
  readonly core: CoreV1Api;
  apply(name: string, spec: GlusterClusterSpec): Promise<void>;
  get(name: string): Promise<GlusterCluster>;
  /** Polls the resource until `done` holds, or fails with the last status after `timeoutMs`. */
  waitFor(
    name: string,
    what: string,
    done: (cluster: GlusterCluster) => boolean,
    timeoutMs?: number,
  ): Promise<GlusterCluster>;
  /** Deletes `name` and waits until the API server no longer has it. */
  deleteAndWait(name: string, timeoutMs?: number): Promise<void>;
  /** Events recorded for `name`, oldest first, as "reason: message". */
  events(name: string): Promise<string[]>;
  start(options?: HarnessStartOptions): void;
  stop(): Promise<void>;
  /** The running operator (its event sink, say), while started. */
  running(): RunningOperator | undefined;
}

export interface HarnessStartOptions {
  readonly metrics?: OperatorMetrics;
  readonly leadership?: Leadership;
  /** Environment entries over the harness's own (quick) settings. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The harness's settings: quicker than the shipped ones, so tests wait less. */
export function harnessConfig(namespace: string, env: Readonly<Record<string, string>> = {}) {
  return loadConfig({
    WATCH_NAMESPACE: namespace,
    PROGRESS_REQUEUE_MS: '500',
    GLUSTER_TIMEOUT_SECONDS: '10',
    SSH_CONNECT_TIMEOUT_MS: '3000',
    COMMAND_TIMEOUT_MS: '30000',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

export async function createOperatorHarness(options: {
  kubeConfig: KubeConfig;
  namespace: string;
  pool: GlusterTestPool;
  resolver: Resolver;
}): Promise<OperatorHarness> {
  const { kubeConfig, namespace, pool } = options;
  const objects = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name: 'gluster-ssh' },
      type: 'Opaque',
      stringData: {
        'ssh-privatekey': readFileSync(pool.ed25519KeyPath, 'utf8'),
        known_hosts: readFileSync(pool.knownHostsPath, 'utf8'),
      },
    },
  });
  let operator: RunningOperator | undefined;
  const get = async (name: string): Promise<GlusterCluster> =>
    (await objects.getNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: PLURAL,
      name,
    })) as GlusterCluster;
  return {
    namespace,
    objects,
    core,
    async apply(name, spec) {
      const body = {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'GlusterCluster',
        metadata: { name },
        spec,
      };
      // A replace meets 409 when the operator wrote metadata (its finalizer) since the read:
      // read again and replace again, as kubectl apply would.
      for (let attempt = 1; ; attempt++) {
        const current = await get(name).catch(() => undefined);
        try {
          if (current === undefined) {
            await objects.createNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural: PLURAL,
              body,
            });
          } else {
            await objects.replaceNamespacedCustomObject({
              group: API_GROUP,
              version: API_VERSION,
              namespace,
              plural: PLURAL,
              name,
              body: { ...body, metadata: { ...current.metadata } },
            });
          }
          return;
        } catch (error) {
          const code = (error as { code?: number }).code;
          if (code !== 409 || attempt >= 5) throw error;
        }
      }
    },
    get,
    async waitFor(name, what, done, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      let last: GlusterCluster | undefined;
      for (;;) {
        try {
          last = await get(name);
          if (done(last)) return last;
        } catch {
          last = undefined;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out waiting for ${name} to ${what}; last status: ${JSON.stringify(last?.status, null, 2)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async deleteAndWait(name, timeoutMs = 90_000) {
      await objects.deleteNamespacedCustomObject({
        group: API_GROUP,
        version: API_VERSION,
        namespace,
        plural: PLURAL,
        name,
      });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const gone = await get(name).then(
          () => false,
          () => true,
        );
        if (gone) return;
        if (Date.now() > deadline)
          throw new Error(`${name} was not deleted within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async events(name) {
      const list = await core.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.name=${name}`,
      });
      return list.items
        .sort((a, b) =>
          String(a.lastTimestamp ?? a.eventTime).localeCompare(
            String(b.lastTimestamp ?? b.eventTime),
          ),
        )
        .map((event) => `${event.reason ?? ''}: ${event.message ?? ''}`);
    },
    start(startOptions = {}) {
      operator = startOperator({
        kubeConfig,
        config: harnessConfig(namespace, startOptions.env),
        logger: createLogger({
          level: process.env['E2E_LOG_LEVEL'] === 'debug' ? 'debug' : 'error',
        }),
        resolver: options.resolver,
        ...(startOptions.metrics ? { metrics: startOptions.metrics } : {}),
        ...(startOptions.leadership ? { leadership: startOptions.leadership } : {}),
      });
    },
    async stop() {
      await operator?.stop();
      operator = undefined;
    },
    running: () => operator,
  };
}

/**
 * The usual end-to-end set-up: a harness, as admin, in a fresh namespace (`namespacePrefix-…`) of
 * the run's shared control plane, for one test pool. The operator is not started.
 */
export async function createPoolHarness(
  namespacePrefix: string,
  pool: PoolHandle,
): Promise<OperatorHarness> {
  const kubeConfig = loadKubeConfig((await getControlPlane()).kubeconfigPath);
  return createOperatorHarness({
    kubeConfig,
    namespace: await createTestNamespace(kubeConfig, namespacePrefix),
    pool: pool.pool,
    resolver: pool.resolver,
  });
}

export function condition(cluster: GlusterCluster, type: string): string | undefined {
  const found = cluster.status?.conditions?.find((entry) => entry.type === type);
  return found ? `${found.status} ${found.reason}` : undefined;
}

export function isReadyAt(cluster: GlusterCluster, nodes: number): boolean {
  return (
    cluster.status?.observedGeneration === cluster.metadata.generation &&
    condition(cluster, 'Ready') === 'True PoolReady' &&
    cluster.status?.connected === nodes &&
    cluster.status.members === nodes
  );
}
