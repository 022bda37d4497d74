import type { GlusterVolume } from '../api/gluster-volume.js';
import { VOLUME_FINALIZER } from '../api/gluster-volume.js';
import type { CustomResourceApi } from '../kube/custom-resource-api.js';

/**
 * Keeps the finalizer exactly when deleting the resource has work to do: only
 * `deletionPolicy: Delete` acts on deletion (stop, then delete the volume's definition); with
 * Retain the resource goes at once and the volume stays. Returns the object as it now is, or
 * 'let-go' for a resource being deleted without the finalizer.
 */
export async function applyVolumeFinalizerPolicy(
  api: Pick<CustomResourceApi<GlusterVolume>, 'addFinalizer' | 'removeFinalizer'>,
  volume: GlusterVolume,
): Promise<GlusterVolume | 'let-go'> {
  const { namespace, name } = volume.metadata;
  const isDeleting = volume.metadata.deletionTimestamp !== undefined;
  const hasFinalizer = volume.metadata.finalizers?.includes(VOLUME_FINALIZER) ?? false;
  const policy = volume.spec.deletionPolicy ?? 'Retain';
  if (isDeleting) return hasFinalizer ? volume : 'let-go';
  if (policy === 'Delete' && !hasFinalizer) return api.addFinalizer(namespace, name);
  if (policy === 'Retain' && hasFinalizer) return api.removeFinalizer(namespace, name);
  return volume;
}
