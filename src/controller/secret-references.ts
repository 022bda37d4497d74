import type { GlusterCluster } from '../api/gluster-cluster.js';

/** What a GlusterCluster uses a Secret for. */
export type SecretUse = 'ssh' | 'inventoryApiKey';

export interface SecretReference {
  /** `namespace/name` of the Secret: always in the GlusterCluster's own namespace. */
  readonly secretKey: string;
  readonly use: SecretUse;
}

/**
 * The Secrets a GlusterCluster names: spec.ssh.secretRef, and spec.inventory.apiKeySecretRef.
 * Read without trusting the type: a stored object may predate the CRD's validation, and the
 * watch that calls this must not fail on it (its pass reports the invalid spec).
 */
export function secretsNamedBy(cluster: GlusterCluster): readonly SecretReference[] {
  const { namespace } = cluster.metadata;
  const spec: unknown = cluster.spec;
  const named: SecretReference[] = [];
  const ssh = stringAt(spec, ['ssh', 'secretRef', 'name']);
  if (ssh !== undefined) named.push({ secretKey: `${namespace}/${ssh}`, use: 'ssh' });
  const apiKey = stringAt(spec, ['inventory', 'apiKeySecretRef', 'name']);
  if (apiKey !== undefined) {
    named.push({ secretKey: `${namespace}/${apiKey}`, use: 'inventoryApiKey' });
  }
  return named;
}

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'string' && at !== '' ? at : undefined;
}

/** A GlusterCluster that names a Secret, and what for. */
export interface SecretNaming {
  readonly clusterKey: string;
  readonly uses: readonly SecretUse[];
}

/**
 * Which GlusterClusters name which Secret, kept from the GlusterCluster watcher's view of every
 * object (its onObject hook): so that a changed Secret can be traced to the resources it
 * affects without reading them.
 */
export class SecretReferences {
  readonly #byCluster = new Map<string, readonly SecretReference[]>();
  /** Secret key → cluster key → what that cluster uses it for. */
  readonly #bySecret = new Map<string, Map<string, Set<SecretUse>>>();

  /** Records `cluster` as it is now under `clusterKey`; undefined: it is gone. */
  update(clusterKey: string, cluster: GlusterCluster | undefined): void {
    for (const { secretKey } of this.#byCluster.get(clusterKey) ?? []) {
      const clusters = this.#bySecret.get(secretKey);
      clusters?.delete(clusterKey);
      if (clusters?.size === 0) this.#bySecret.delete(secretKey);
    }
    if (cluster === undefined) {
      this.#byCluster.delete(clusterKey);
      return;
    }
    const references = secretsNamedBy(cluster);
    this.#byCluster.set(clusterKey, references);
    for (const { secretKey, use } of references) {
      let clusters = this.#bySecret.get(secretKey);
      if (clusters === undefined) {
        clusters = new Map();
        this.#bySecret.set(secretKey, clusters);
      }
      let uses = clusters.get(clusterKey);
      if (uses === undefined) {
        uses = new Set();
        clusters.set(clusterKey, uses);
      }
      uses.add(use);
    }
  }

  /** The GlusterClusters that name the Secret `secretKey` (`namespace/name`), by key. */
  clustersNaming(secretKey: string): readonly SecretNaming[] {
    return [...(this.#bySecret.get(secretKey) ?? new Map<string, Set<SecretUse>>())]
      .map(([clusterKey, uses]) => ({ clusterKey, uses: [...uses].sort() }))
      .sort((a, b) => a.clusterKey.localeCompare(b.clusterKey));
  }

  /** How many Secrets are named by some GlusterCluster. */
  namedSecrets(): number {
    return this.#bySecret.size;
  }
}
