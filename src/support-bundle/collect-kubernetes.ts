import {
  CoreV1Api,
  CustomObjectsApi,
  dumpYaml,
  type ConfigurationOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, KIND, PLURAL } from '../api/gluster-cluster.js';
import { VOLUME_PLURAL } from '../api/gluster-volume.js';
import { toKubeError } from '../kube/kube-errors.js';
import type { BundleSink } from './bundle-writer.js';
import { UniqueNames } from './bundle-paths.js';
import { describeFailure } from './describe-failure.js';
import { formatEvents } from './format-events.js';
import { withSignal } from '../kube/request-options.js';

export interface KubeSource {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** One GlusterCluster; absent: every GlusterCluster of the namespace. */
  readonly name?: string;
  /** Default `gluster-operator` (deploy/). */
  readonly operatorNamespace?: string;
  /** Default `app.kubernetes.io/name=gluster-operator` (deploy/). */
  readonly operatorLabelSelector?: string;
}

/** Where deploy/ puts the operator, and the label its pods carry. */
export const DEFAULT_OPERATOR_NAMESPACE = 'gluster-operator';
export const DEFAULT_OPERATOR_LABEL_SELECTOR = 'app.kubernetes.io/name=gluster-operator';

/** No API request of the bundle waits longer than this for an answer. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface KubeCollectOptions {
  readonly logTailLines: number;
  readonly signal?: AbortSignal;
  readonly onProgress: (step: string) => void;
}

interface ClusterObject {
  readonly metadata?: { readonly name?: string; managedFields?: unknown };
  readonly status?: unknown;
}

/** Runs one API request; on failure records a problem line and resolves to undefined. */
type TryRequest = <T>(
  action: string,
  request: (options: ConfigurationOptions) => Promise<T>,
) => Promise<T | undefined>;

/**
 * The Kubernetes side: the GlusterCluster (managedFields stripped), its status, its Events, and
 * the operator pods' recent logs. Reads no Secret: the resource names its Secret, that is all.
 * Every failed request is a problem line; only a failed write to the bundle throws.
 */
export async function collectKubernetes(
  source: KubeSource,
  sink: BundleSink,
  options: KubeCollectOptions,
): Promise<void> {
  const tryRequest: TryRequest = async (action, request) => {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      return await request(withSignal(signal));
    } catch (error) {
      sink.problem(describeFailure(toKubeError(error, action)));
      return undefined;
    }
  };
  const { namespace, name } = source;
  const what =
    name === undefined ? `GlusterClusters in ${namespace}` : `GlusterCluster ${namespace}/${name}`;

  options.onProgress(`Reading ${what}`);
  await collectClusters(source, sink, tryRequest, what);

  options.onProgress(`Reading the GlusterVolumes in ${namespace}`);
  await collectVolumes(source, sink, tryRequest);

  options.onProgress(`Reading the Events of ${what}`);
  const core = source.kubeConfig.makeApiClient(CoreV1Api);
  const fieldSelector = [
    `involvedObject.kind=${KIND}`,
    ...(name === undefined ? [] : [`involvedObject.name=${name}`]),
  ].join(',');
  const events = await tryRequest(`list the Events of ${what}`, (opts) =>
    core.listNamespacedEvent({ namespace, fieldSelector }, opts),
  );
  if (events) {
    await sink.write(
      'kubernetes/events.txt',
      events.items.length === 0
        ? `No Events for ${what} (the API server keeps Events for one hour by default).\n`
        : formatEvents(events.items),
    );
  }

  await collectOperatorLogs(source, sink, options, tryRequest);
}

async function collectClusters(
  source: KubeSource,
  sink: BundleSink,
  tryRequest: TryRequest,
  what: string,
): Promise<void> {
  const custom = source.kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace, name } = source;
  const where = { group: API_GROUP, version: API_VERSION, namespace, plural: PLURAL };
  const clusters =
    name === undefined
      ? await tryRequest(`list ${what}`, async (opts) => {
          const list = (await custom.listNamespacedCustomObject(where, opts)) as {
            items?: ClusterObject[];
          };
          return list.items ?? [];
        })
      : await tryRequest(`get ${what}`, async (opts) => [
          (await custom.getNamespacedCustomObject({ ...where, name }, opts)) as ClusterObject,
        ]);
  if (clusters === undefined) return;
  if (clusters.length === 0) {
    sink.problem(`No GlusterCluster found in namespace ${namespace}`);
    return;
  }
  // managedFields say which client last wrote which field: noise for a support engineer.
  const cleaned = clusters.map((cluster) => {
    const copy = structuredClone(cluster);
    if (copy.metadata) delete copy.metadata.managedFields;
    return copy;
  });
  await sink.write(
    'kubernetes/glustercluster.yaml',
    // lineWidth -1: no folding, so a value is never split across lines (redaction sees it whole).
    cleaned.map((cluster) => dumpYaml(cluster, { lineWidth: -1, noRefs: true })).join('---\n'),
  );
  // One named resource: its status as it is (for jq); several: keyed by name.
  const status =
    name === undefined
      ? Object.fromEntries(
          cleaned.map((cluster) => [cluster.metadata?.name ?? '', cluster.status ?? null]),
        )
      : (cleaned[0]?.status ?? null);
  await sink.write('kubernetes/status.json', `${JSON.stringify(status, null, 2)}\n`);
}

/**
 * Every GlusterVolume of the namespace (managedFields stripped), whichever cluster it names: a
 * volume of another pool is small and says what the pool is shared with. None is not a problem.
 */
async function collectVolumes(
  source: KubeSource,
  sink: BundleSink,
  tryRequest: TryRequest,
): Promise<void> {
  const custom = source.kubeConfig.makeApiClient(CustomObjectsApi);
  const { namespace } = source;
  const volumes = await tryRequest(`list GlusterVolumes in ${namespace}`, async (opts) => {
    const list = (await custom.listNamespacedCustomObject(
      { group: API_GROUP, version: API_VERSION, namespace, plural: VOLUME_PLURAL },
      opts,
    )) as { items?: ClusterObject[] };
    return list.items ?? [];
  });
  if (volumes === undefined || volumes.length === 0) return;
  const cleaned = volumes.map((volume) => {
    const copy = structuredClone(volume);
    if (copy.metadata) delete copy.metadata.managedFields;
    return copy;
  });
  await sink.write(
    'kubernetes/glustervolume.yaml',
    cleaned.map((volume) => dumpYaml(volume, { lineWidth: -1, noRefs: true })).join('---\n'),
  );
}

async function collectOperatorLogs(
  source: KubeSource,
  sink: BundleSink,
  options: KubeCollectOptions,
  tryRequest: TryRequest,
): Promise<void> {
  const core = source.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = source.operatorNamespace ?? DEFAULT_OPERATOR_NAMESPACE;
  const labelSelector = source.operatorLabelSelector ?? DEFAULT_OPERATOR_LABEL_SELECTOR;
  options.onProgress(`Reading the operator's logs (${labelSelector} in ${namespace})`);
  const pods = await tryRequest(`list operator pods (${labelSelector}) in ${namespace}`, (opts) =>
    core.listNamespacedPod({ namespace, labelSelector }, opts),
  );
  if (pods === undefined) return;
  if (pods.items.length === 0) {
    sink.problem(
      `No operator pod matched ${labelSelector} in namespace ${namespace}: no operator logs from Kubernetes`,
    );
    return;
  }
  const files = new UniqueNames();
  for (const pod of pods.items) {
    const podName = pod.metadata?.name ?? 'unnamed';
    const containers = pod.spec?.containers.map((container) => container.name) ?? [];
    for (const container of containers) {
      const file = files.claim(
        containers.length === 1 ? `operator-${podName}` : `operator-${podName}-${container}`,
        '.log',
      );
      const log = await tryRequest(
        `read the log of pod ${namespace}/${podName} (container ${container})`,
        (opts) =>
          core.readNamespacedPodLog(
            { name: podName, namespace, container, tailLines: options.logTailLines },
            opts,
          ),
      );
      if (log !== undefined) await sink.write(`kubernetes/${file}`, log);
    }
  }
}
