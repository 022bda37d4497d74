import { VOLUME_FINALIZER, VOLUME_KIND, VOLUME_PLURAL } from '../api/gluster-volume.js';
import type { GlusterVolume } from '../api/gluster-volume.js';
import {
  createCustomResourceApi,
  type CustomResourceApi,
  type CustomResourceApiOptions,
} from './custom-resource-api.js';

/**
 * The operator's port to GlusterVolume objects: as for GlusterClusters, it never writes spec;
 * status goes through /status, the finalizer through a merge patch of metadata.finalizers.
 */
export type GlusterVolumeApi = CustomResourceApi<GlusterVolume>;

/** The client-node adapter of GlusterVolumeApi. */
export function createGlusterVolumeApi(
  kubeConfig: Parameters<typeof createCustomResourceApi>[0],
  options: CustomResourceApiOptions = {},
): GlusterVolumeApi {
  return createCustomResourceApi<GlusterVolume>(
    kubeConfig,
    { kind: VOLUME_KIND, plural: VOLUME_PLURAL, finalizer: VOLUME_FINALIZER },
    options,
  );
}
