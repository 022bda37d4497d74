/** The API objects a bench creates, as `kubectl apply` / `kubectl create secret` would. */
import { readFileSync } from 'node:fs';
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { GlusterClusterSpec } from '../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, KIND, PLURAL } from '../src/api/gluster-cluster.js';
import type { GlusterTestPool } from '../testbed/gluster-test-pool.js';

/** The Secret spec.ssh.secretRef names: the pool's key and known_hosts. */
export async function createSshSecret(
  core: CoreV1Api,
  namespace: string,
  name: string,
  pool: GlusterTestPool,
): Promise<void> {
  await core.createNamespacedSecret({
    namespace,
    body: {
      metadata: { name },
      type: 'Opaque',
      stringData: {
        'ssh-privatekey': readFileSync(pool.ed25519KeyPath, 'utf8'),
        known_hosts: readFileSync(pool.knownHostsPath, 'utf8'),
      },
    },
  });
}

export async function createGlusterCluster(
  objects: CustomObjectsApi,
  namespace: string,
  name: string,
  spec: GlusterClusterSpec,
  labels: Readonly<Record<string, string>> = {},
): Promise<void> {
  await objects.createNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: PLURAL,
    body: {
      apiVersion: `${API_GROUP}/${API_VERSION}`,
      kind: KIND,
      metadata: { name, labels },
      spec,
    },
  });
}

/** Asks for deletion; the object goes once the operator has removed its finalizer, if any. */
export async function deleteGlusterCluster(
  objects: CustomObjectsApi,
  namespace: string,
  name: string,
): Promise<void> {
  await objects.deleteNamespacedCustomObject({
    group: API_GROUP,
    version: API_VERSION,
    namespace,
    plural: PLURAL,
    name,
  });
}
