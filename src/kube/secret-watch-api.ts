import { CoreV1Api, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import {
  listAllPages,
  METADATA_ONLY_LIST,
  METADATA_ONLY_OBJECT,
  metadataOf,
  openWatchStream,
  unexpected,
  type ListWatchApi,
  type ObjectList,
  type WatchEvent,
  type WatchSession,
} from './watch-stream.js';

/**
 * A Secret as the watch hands it on: which Secret, and which version of it. Never what it holds.
 */
export interface SecretMetadata {
  readonly metadata: {
    readonly namespace: string;
    readonly name: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
  };
}

/** List and watch of the Secrets in scope, metadata only. */
export type SecretWatchApi = ListWatchApi<SecretMetadata>;

export interface SecretWatchApiOptions {
  /** List and watch only this namespace. Default: all namespaces. */
  readonly namespace?: string;
  /** Page size of list(). Default 500. */
  readonly listPageSize?: number;
}

/**
 * The client-node adapter of SecretWatchApi. The server is asked for metadata only, so no
 * Secret's data or stringData is ever sent to the operator. Of each Secret it keeps namespace,
 * name, uid and resourceVersion, nothing else: not annotations (kubectl's
 * last-applied-configuration annotation of a Secret holds its data), not labels. Its errors never
 * carry a Secret.
 */
export function createSecretWatchApi(
  kubeConfig: KubeConfig,
  options: SecretWatchApiOptions = {},
): SecretWatchApi {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const { namespace } = options;
  const listPageSize = options.listPageSize ?? 500;
  const scopeText = namespace === undefined ? '' : ` in namespace ${namespace}`;
  const metadataOnly = setHeaderOptions('Accept', METADATA_ONLY_LIST);
  return {
    list(): Promise<ObjectList<SecretMetadata>> {
      const action = `list Secrets${scopeText}`;
      return listAllPages(
        async (continueToken) => {
          const page = {
            limit: listPageSize,
            ...(continueToken === undefined ? {} : { _continue: continueToken }),
          };
          const list = await (namespace === undefined
            ? core.listSecretForAllNamespaces(page, metadataOnly)
            : core.listNamespacedSecret({ ...page, namespace }, metadataOnly));
          const resourceVersion = list.metadata?.resourceVersion;
          if (resourceVersion === undefined) {
            throw unexpected('a list without metadata.resourceVersion', action);
          }
          const next = list.metadata?._continue;
          return {
            items: list.items,
            resourceVersion,
            ...(next === undefined || next === '' ? {} : { continueToken: next }),
          };
        },
        toSecretMetadata,
        action,
      );
    },
    watch(
      resourceVersion: string,
      onEvent: (event: WatchEvent<SecretMetadata>) => void,
      signal: AbortSignal,
    ): Promise<WatchSession> {
      return openWatchStream(
        {
          kubeConfig,
          path:
            namespace === undefined
              ? '/api/v1/secrets'
              : `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
          resourceVersion,
          action: `watch Secrets${scopeText} from resourceVersion ${resourceVersion}`,
          toObject: toSecretMetadata,
          accept: METADATA_ONLY_OBJECT,
        },
        onEvent,
        signal,
      );
    },
  };
}

/** Keeps who the Secret is; whatever else came (data, if a server sent it anyway) is dropped. */
function toSecretMetadata(value: unknown, action: string): SecretMetadata {
  const metadata = metadataOf(value);
  const { name, namespace, uid, resourceVersion } = metadata ?? {};
  if (typeof name !== 'string' || typeof namespace !== 'string') {
    // Not the value itself in the error: it may hold the Secret's data.
    throw unexpected('a Secret without metadata.name and metadata.namespace', action);
  }
  return {
    metadata: {
      namespace,
      name,
      ...(typeof uid === 'string' ? { uid } : {}),
      ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    },
  };
}
