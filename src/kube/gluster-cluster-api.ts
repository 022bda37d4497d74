import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  API_GROUP,
  API_VERSION,
  FINALIZER,
  PLURAL,
  type GlusterCluster,
} from '../api/gluster-cluster.js';
import { InvalidArgumentError } from '../errors.js';
import { ConflictError, toKubeError } from './kube-errors.js';
import {
  asListPage,
  listAllPages,
  metadataOf,
  openWatchStream,
  unexpected,
  type ObjectList,
  type WatchEvent,
  type WatchSession,
} from './watch-stream.js';

export type { WatchEndReason, WatchSession } from './watch-stream.js';

/** Names one namespaced object. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export type GlusterClusterList = ObjectList<GlusterCluster>;

export type GlusterClusterWatchEvent = WatchEvent<GlusterCluster>;

/**
 * The operator's port to GlusterCluster objects. It never writes spec: status goes through the
 * /status subresource only, and finalizers through a merge patch of metadata.finalizers.
 * Every method throws KubeApiError subclasses (kube-errors.ts).
 */
export interface GlusterClusterApi {
  /** Throws NotFoundError when it does not exist. */
  get(namespace: string, name: string): Promise<GlusterCluster>;
  /** Every GlusterCluster in scope (all namespaces, or the one the adapter was made for). */
  list(): Promise<GlusterClusterList>;
  /**
   * Watches from `resourceVersion`. Resolves once the server has accepted the watch (rejects when
   * it refused it: GoneError for an expired resourceVersion, ForbiddenError, no answer...).
   * `onEvent` is called in order, synchronously with the stream; if it throws, the watch ends with
   * that error. Aborting `signal` ends the watch ('aborted').
   */
  watch(
    resourceVersion: string,
    onEvent: (event: GlusterClusterWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchSession>;
  /**
   * Replaces the status of `cluster` through /status, conditional on
   * `cluster.metadata.resourceVersion` (required): ConflictError when the object changed since.
   * Anything but status in the body is ignored by the server. Returns the object as stored.
   */
  replaceStatus(cluster: GlusterCluster): Promise<GlusterCluster>;
  /** Adds the operator's FINALIZER unless present; re-reads and retries on conflict. */
  addFinalizer(namespace: string, name: string): Promise<GlusterCluster>;
  /** Removes the operator's FINALIZER if present; re-reads and retries on conflict. */
  removeFinalizer(namespace: string, name: string): Promise<GlusterCluster>;
}

export interface GlusterClusterApiOptions {
  /** Watch and list only this namespace. Default: all namespaces. */
  readonly namespace?: string;
  /** The field manager recorded for every write. Default `gluster-operator`. */
  readonly fieldManager?: string;
  /** Attempts of a finalizer change that keeps meeting conflicts. Default 5. */
  readonly maxFinalizerAttempts?: number;
  /** Page size of list(). Default 500. */
  readonly listPageSize?: number;
}

/** The client-node adapter of GlusterClusterApi. */
export function createGlusterClusterApi(
  kubeConfig: KubeConfig,
  options: GlusterClusterApiOptions = {},
): GlusterClusterApi {
  return new ClientNodeGlusterClusterApi(kubeConfig, options);
}

const RESOURCE = { group: API_GROUP, version: API_VERSION, plural: PLURAL } as const;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

class ClientNodeGlusterClusterApi implements GlusterClusterApi {
  private readonly objects: CustomObjectsApi;
  private readonly namespace: string | undefined;
  private readonly fieldManager: string;
  private readonly maxFinalizerAttempts: number;
  private readonly listPageSize: number;

  constructor(
    private readonly kubeConfig: KubeConfig,
    options: GlusterClusterApiOptions,
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.namespace = options.namespace;
    this.fieldManager = options.fieldManager ?? 'gluster-operator';
    this.maxFinalizerAttempts = options.maxFinalizerAttempts ?? 5;
    this.listPageSize = options.listPageSize ?? 500;
  }

  async get(namespace: string, name: string): Promise<GlusterCluster> {
    const action = `get GlusterCluster ${namespace}/${name}`;
    try {
      return asGlusterCluster(
        await this.objects.getNamespacedCustomObject({ ...RESOURCE, namespace, name }),
        action,
      );
    } catch (error) {
      throw toKubeError(error, action);
    }
  }

  list(): Promise<GlusterClusterList> {
    const action = `list GlusterClusters${this.scopeText()}`;
    return listAllPages(
      async (continueToken) => {
        const page = {
          ...RESOURCE,
          limit: this.listPageSize,
          ...(continueToken === undefined ? {} : { _continue: continueToken }),
        };
        const answer: unknown = await (this.namespace === undefined
          ? this.objects.listClusterCustomObject(page)
          : this.objects.listNamespacedCustomObject({ ...page, namespace: this.namespace }));
        return asListPage(answer, action);
      },
      asGlusterCluster,
      action,
    );
  }

  watch(
    resourceVersion: string,
    onEvent: (event: GlusterClusterWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    return openWatchStream(
      {
        kubeConfig: this.kubeConfig,
        path: this.collectionPath(),
        resourceVersion,
        action: `watch GlusterClusters${this.scopeText()} from resourceVersion ${resourceVersion}`,
        toObject: asGlusterCluster,
      },
      onEvent,
      signal,
    );
  }

  async replaceStatus(cluster: GlusterCluster): Promise<GlusterCluster> {
    const { namespace, name, resourceVersion } = cluster.metadata;
    if (resourceVersion === undefined || resourceVersion === '') {
      throw new InvalidArgumentError(
        `Refused to write the status of GlusterCluster ${namespace}/${name} without a resourceVersion: it could overwrite a newer status`,
      );
    }
    const action = `replace the status of GlusterCluster ${namespace}/${name}`;
    try {
      return asGlusterCluster(
        await this.objects.replaceNamespacedCustomObjectStatus({
          ...RESOURCE,
          namespace,
          name,
          body: cluster,
          fieldManager: this.fieldManager,
        }),
        action,
      );
    } catch (error) {
      throw toKubeError(error, action);
    }
  }

  addFinalizer(namespace: string, name: string): Promise<GlusterCluster> {
    return this.changeFinalizers(namespace, name, 'add', (finalizers) =>
      finalizers.includes(FINALIZER) ? undefined : [...finalizers, FINALIZER],
    );
  }

  removeFinalizer(namespace: string, name: string): Promise<GlusterCluster> {
    return this.changeFinalizers(namespace, name, 'remove', (finalizers) =>
      finalizers.includes(FINALIZER) ? finalizers.filter((f) => f !== FINALIZER) : undefined,
    );
  }

  /**
   * Reads the object, and when `change` returns a new finalizer list, writes it with a merge
   * patch of metadata only, conditional on the resourceVersion read (a merge patch carrying
   * metadata.resourceVersion is refused with 409 if the object moved on). Other finalizers, set
   * by others meanwhile, are never lost: a conflict means read again and redo the change.
   */
  private async changeFinalizers(
    namespace: string,
    name: string,
    verb: 'add' | 'remove',
    change: (finalizers: readonly string[]) => readonly string[] | undefined,
  ): Promise<GlusterCluster> {
    const action = `${verb} finalizer ${FINALIZER} ${verb === 'add' ? 'to' : 'from'} GlusterCluster ${namespace}/${name}`;
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(namespace, name);
      const finalizers = change(current.metadata.finalizers ?? []);
      if (finalizers === undefined) return current;
      try {
        return asGlusterCluster(
          await this.objects.patchNamespacedCustomObject(
            {
              ...RESOURCE,
              namespace,
              name,
              body: {
                metadata: { finalizers, resourceVersion: current.metadata.resourceVersion },
              },
              fieldManager: this.fieldManager,
            },
            MERGE_PATCH,
          ),
          action,
        );
      } catch (error) {
        const kubeError = toKubeError(error, action);
        if (!(kubeError instanceof ConflictError) || attempt >= this.maxFinalizerAttempts) {
          throw kubeError;
        }
      }
    }
  }

  private collectionPath(): string {
    const prefix = `/apis/${API_GROUP}/${API_VERSION}`;
    return this.namespace === undefined
      ? `${prefix}/${PLURAL}`
      : `${prefix}/namespaces/${encodeURIComponent(this.namespace)}/${PLURAL}`;
  }

  private scopeText(): string {
    return this.namespace === undefined ? '' : ` in namespace ${this.namespace}`;
  }
}

function asGlusterCluster(value: unknown, action: string): GlusterCluster {
  const metadata = metadataOf(value);
  if (typeof metadata?.['name'] !== 'string' || typeof metadata['namespace'] !== 'string') {
    throw unexpected('an object without metadata.name and metadata.namespace', action, value);
  }
  return value as GlusterCluster;
}
