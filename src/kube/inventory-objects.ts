import type { CoreV1Api } from '@kubernetes/client-node';
import { toKubeError } from './kube-errors.js';

/** The Kubernetes objects an inventory source can name: a ConfigMap key and an API-key Secret. */
export interface InventoryObjects {
  /** The key's text, or undefined when the ConfigMap lacks the key. NotFoundError if no ConfigMap. */
  readConfigMapKey(namespace: string, name: string, key: string): Promise<string | undefined>;
  /** The key's value, or undefined when the Secret lacks it. NotFoundError if no Secret. */
  readSecretKey(namespace: string, name: string, key: string): Promise<string | undefined>;
}

/** Reads them through client-node. Secret values are returned, never logged or put in errors. */
export function createInventoryObjects(core: CoreV1Api): InventoryObjects {
  return {
    async readConfigMapKey(namespace, name, key) {
      try {
        const configMap = await core.readNamespacedConfigMap({ namespace, name });
        return configMap.data?.[key];
      } catch (error) {
        throw toKubeError(error, `read ConfigMap ${namespace}/${name}`);
      }
    },
    async readSecretKey(namespace, name, key) {
      try {
        const secret = await core.readNamespacedSecret({ namespace, name });
        const value = secret.data?.[key];
        return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
      } catch (error) {
        throw toKubeError(error, `read Secret ${namespace}/${name}`);
      }
    },
  };
}
