import type { GlusterVolume } from '../api/gluster-volume.js';
import { ObjectWatcher, type ObjectWatcherOptions } from './object-watcher.js';
import { newsOf } from './gluster-cluster-watcher.js';

export type GlusterVolumeWatcherOptions = Omit<
  ObjectWatcherOptions<GlusterVolume>,
  'noun' | 'newsOf' | 'queueInitialList'
>;

/**
 * Feeds the key (`namespace/name`) of every GlusterVolume that changes into the volume queue:
 * as for GlusterClusters, a new object, a spec edit or a deletion is news; the operator's own
 * status and finalizer writes are not.
 */
export class GlusterVolumeWatcher extends ObjectWatcher<GlusterVolume> {
  constructor(options: GlusterVolumeWatcherOptions) {
    super({ ...options, noun: 'GlusterVolumes', newsOf });
  }
}
