import type { Logger } from '../observability/logger.js';
import { parseQueueKey, type KeySink } from './object-watcher.js';
import type { SecretReferences } from './secret-references.js';

export interface SecretChangeSinkDeps {
  readonly references: Pick<SecretReferences, 'clustersNaming'>;
  /** The SSH Secrets cache (CredentialsCache). */
  readonly credentials: { invalidate(namespace: string, secretName: string): void };
  /** The inventory reads (InventoryReader): an API-key Secret's change reads the inventory again. */
  readonly inventory: { forget(clusterKey: string): void };
  /** The work queue of GlusterCluster keys. */
  readonly queue: KeySink;
  readonly logger: Logger;
}

/**
 * Where the Secret watcher puts the key of a Secret that changed (added, modified, deleted,
 * or found changed by a relist): the Secret is read afresh by the next pass that needs it, and
 * every GlusterCluster that names it is queued as urgent, so a rotated key or known_hosts takes
 * effect within seconds, not at the next resync. The watcher hands on changes only, never its
 * first list (clusters get their first passes from their own list).
 */
export class SecretChangeSink implements KeySink {
  readonly #deps: SecretChangeSinkDeps;

  constructor(deps: SecretChangeSinkDeps) {
    this.#deps = deps;
  }

  add(secretKey: string): void {
    const { namespace, name } = parseQueueKey(secretKey);
    this.#deps.credentials.invalidate(namespace, name);
    const naming = this.#deps.references.clustersNaming(secretKey);
    if (naming.length === 0) return;
    for (const { clusterKey, uses } of naming) {
      if (uses.includes('inventoryApiKey')) this.#deps.inventory.forget(clusterKey);
      this.#deps.queue.add(clusterKey, { urgent: true });
    }
    this.#deps.logger.info('Secret changed, reconciling the GlusterClusters that name it', {
      secret: secretKey,
      clusters: naming.map(({ clusterKey }) => clusterKey),
    });
  }
}
