import type { GlusterCluster } from '../api/gluster-cluster.js';
import { ObjectWatcher, type ObjectWatcherOptions } from './object-watcher.js';

export { parseQueueKey, queueKeyOf, type KeySink } from './object-watcher.js';

/**
 * What makes an object's change news for a pass: its identity, its spec (generation) and its
 * deletion. A write of status or of metadata alone (the operator's own status writes, its
 * finalizer) is not news, as with controller-runtime's GenerationChangedPredicate.
 */
export function newsOf(object: {
  readonly metadata: {
    readonly uid?: string;
    readonly generation?: number;
    readonly deletionTimestamp?: string;
  };
}): string {
  const { uid, generation, deletionTimestamp } = object.metadata;
  return JSON.stringify([uid ?? '', generation ?? 0, deletionTimestamp ?? '']);
}

export type GlusterClusterWatcherOptions = Omit<
  ObjectWatcherOptions<GlusterCluster>,
  'noun' | 'newsOf' | 'queueInitialList'
>;

/**
 * Feeds the key (`namespace/name`) of every GlusterCluster that changes into the queue (see
 * ObjectWatcher): the first list queues every key, then a change is queued as urgent when it is
 * news (a new object, a spec edit, a deletion), never for a status or metadata write.
 */
export class GlusterClusterWatcher extends ObjectWatcher<GlusterCluster> {
  constructor(options: GlusterClusterWatcherOptions) {
    super({ ...options, noun: 'GlusterClusters', newsOf });
  }
}
