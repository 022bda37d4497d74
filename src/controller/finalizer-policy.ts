import type { GlusterCluster } from '../api/gluster-cluster.js';
import { FINALIZER } from '../api/gluster-cluster.js';
import type { GlusterClusterApi } from '../kube/gluster-cluster-api.js';

/**
 * Keeps the finalizer exactly when deleting the resource has work to do: only
 * `deletionPolicy: Dissolve` acts on deletion; with Retain the resource goes at once. Returns
 * the object as it now is, or 'let-go' for a resource being deleted without the finalizer
 * (nothing is left to do for it).
 */
export async function applyFinalizerPolicy(
  api: Pick<GlusterClusterApi, 'addFinalizer' | 'removeFinalizer'>,
  cluster: GlusterCluster,
): Promise<GlusterCluster | 'let-go'> {
  const { namespace, name } = cluster.metadata;
  const isDeleting = cluster.metadata.deletionTimestamp !== undefined;
  const hasFinalizer = cluster.metadata.finalizers?.includes(FINALIZER) ?? false;
  const policy = cluster.spec.deletionPolicy ?? 'Retain';
  if (isDeleting) return hasFinalizer ? cluster : 'let-go';
  if (policy === 'Dissolve' && !hasFinalizer) return api.addFinalizer(namespace, name);
  if (policy === 'Retain' && hasFinalizer) return api.removeFinalizer(namespace, name);
  return cluster;
}
