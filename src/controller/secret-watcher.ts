import type { SecretMetadata } from '../kube/secret-watch-api.js';
import { ObjectWatcher, type ObjectWatcherOptions } from './object-watcher.js';

/** Any write to a Secret is news (its resourceVersion), and so is another Secret by that name. */
function newsOf(secret: SecretMetadata): string {
  const { uid, resourceVersion } = secret.metadata;
  return JSON.stringify([uid ?? '', resourceVersion ?? '']);
}

export type SecretWatcherOptions = Omit<
  ObjectWatcherOptions<SecretMetadata>,
  'noun' | 'newsOf' | 'queueInitialList' | 'resyncIntervalMs'
>;

/**
 * Hands the key (`namespace/name`) of every Secret in scope that changes after its first list to
 * its sink (a SecretChangeSink): added, modified, deleted, or changed while the watch was away.
 * The first list only records what exists; there is no resync.
 */
export class SecretWatcher extends ObjectWatcher<SecretMetadata> {
  constructor(options: SecretWatcherOptions) {
    super({ ...options, noun: 'Secrets', newsOf, queueInitialList: false });
  }
}
