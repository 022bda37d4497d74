import { FINALIZER, KIND, PLURAL, type GlusterCluster } from '../api/gluster-cluster.js';
import {
  createCustomResourceApi,
  type CustomResourceApi,
  type CustomResourceApiOptions,
} from './custom-resource-api.js';
import type { ObjectList, WatchEvent } from './watch-stream.js';

export type { ObjectKey } from './custom-resource-api.js';
export type { WatchEndReason, WatchSession } from './watch-stream.js';

export type GlusterClusterList = ObjectList<GlusterCluster>;
export type GlusterClusterWatchEvent = WatchEvent<GlusterCluster>;
export type GlusterClusterApiOptions = CustomResourceApiOptions;

/**
 * The operator's port to GlusterCluster objects. It never writes spec: status goes through the
 * /status subresource only, and finalizers through a merge patch of metadata.finalizers.
 * Every method throws KubeApiError subclasses (kube-errors.ts).
 */
export type GlusterClusterApi = CustomResourceApi<GlusterCluster>;

/** The client-node adapter of GlusterClusterApi. */
export function createGlusterClusterApi(
  kubeConfig: Parameters<typeof createCustomResourceApi>[0],
  options: GlusterClusterApiOptions = {},
): GlusterClusterApi {
  return createCustomResourceApi<GlusterCluster>(
    kubeConfig,
    { kind: KIND, plural: PLURAL, finalizer: FINALIZER },
    options,
  );
}
