import {
  CustomObjectsApi,
  PatchStrategy,
  Watch,
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
import { ConflictError, KubeApiError, kubeErrorFromStatus, toKubeError } from './kube-errors.js';

/** Names one namespaced object. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

export interface GlusterClusterList {
  readonly items: readonly GlusterCluster[];
  /** Watch from here to see every change after the list. */
  readonly resourceVersion: string;
}

export type GlusterClusterWatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: GlusterCluster }
  /** The server's progress mark: nothing changed up to here (watch from it next time). */
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/**
 * Why a watch ended without an error: the server closed the stream (its timeout), the stream was
 * idle for longer than client-node's inactivity limit (30 s), or the caller aborted.
 */
export type WatchEndReason = 'closed' | 'idle' | 'aborted';

/** A watch the API server has accepted (it answered 200). */
export interface WatchSession {
  /**
   * Settles when the stream ends: resolves on a normal end (watch again from the last
   * resourceVersion seen), rejects with a GoneError when the server says the resourceVersion has
   * expired (list again), or with another KubeApiError when the stream failed.
   */
  readonly ended: Promise<WatchEndReason>;
}

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

  async list(): Promise<GlusterClusterList> {
    const action = `list GlusterClusters${this.scopeText()}`;
    const items: GlusterCluster[] = [];
    let resourceVersion: string | undefined;
    let continueToken: string | undefined;
    try {
      do {
        const page: unknown = await (this.namespace === undefined
          ? this.objects.listClusterCustomObject({
              ...RESOURCE,
              limit: this.listPageSize,
              ...(continueToken === undefined ? {} : { _continue: continueToken }),
            })
          : this.objects.listNamespacedCustomObject({
              ...RESOURCE,
              namespace: this.namespace,
              limit: this.listPageSize,
              ...(continueToken === undefined ? {} : { _continue: continueToken }),
            }));
        const { metadata, items: pageItems } = asList(page, action);
        // Every page of a chunked list is the same snapshot; the first page's version names it.
        resourceVersion ??= metadata.resourceVersion;
        for (const item of pageItems) items.push(asGlusterCluster(item, action));
        continueToken = metadata.continue;
      } while (continueToken !== undefined);
    } catch (error) {
      throw toKubeError(error, action);
    }
    return { items, resourceVersion };
  }

  async watch(
    resourceVersion: string,
    onEvent: (event: GlusterClusterWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    const action = `watch GlusterClusters${this.scopeText()} from resourceVersion ${resourceVersion}`;
    if (signal.aborted) return { ended: Promise.resolve('aborted') };

    let settled = false;
    let resolveEnded!: (reason: WatchEndReason) => void;
    let rejectEnded!: (error: KubeApiError) => void;
    const ended = new Promise<WatchEndReason>((resolve, reject) => {
      resolveEnded = resolve;
      rejectEnded = reject;
    });
    // The session may end before anyone awaits `ended` (e.g. an ERROR event in the first chunk).
    ended.catch(() => undefined);
    let controller: AbortController | undefined;
    // A function, not the variable: the compiler cannot see callbacks settle it across an await.
    const isSettled = (): boolean => settled;
    const settle = (outcome: WatchEndReason | KubeApiError): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      controller?.abort();
      if (outcome instanceof KubeApiError) rejectEnded(outcome);
      else resolveEnded(outcome);
    };
    const onAbort = (): void => {
      settle('aborted');
    };
    signal.addEventListener('abort', onAbort, { once: true });

    const onLine = (type: unknown, object: unknown): void => {
      if (settled) return;
      try {
        const event = toWatchEvent(type, object, action);
        if (event !== undefined) onEvent(event);
      } catch (error) {
        // client-node's Watch swallows whatever its callback throws; end the watch instead.
        settle(toKubeError(error, action));
      }
    };
    const onDone = (error: unknown): void => {
      if (signal.aborted) settle('aborted');
      else if (error === null || error === undefined) settle('closed');
      else if (error instanceof Error && error.name === 'TimeoutError') settle('idle');
      else settle(toKubeError(error, action));
    };

    try {
      controller = await new Watch(this.kubeConfig).watch(
        this.collectionPath(),
        { resourceVersion, allowWatchBookmarks: true },
        onLine,
        onDone,
      );
    } catch (error) {
      // Before any request was made (no current cluster, credentials that cannot be loaded).
      const kubeError = toKubeError(error, action);
      settle(kubeError);
      throw kubeError;
    }
    if (isSettled()) {
      // Ended before the session was handed out: a refused request fails the call itself.
      controller.abort();
      const outcome = await ended.then(
        (reason) => reason,
        (error: unknown) => error as KubeApiError,
      );
      if (outcome instanceof KubeApiError) throw outcome;
    }
    return { ended };
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

function toWatchEvent(
  type: unknown,
  object: unknown,
  action: string,
): GlusterClusterWatchEvent | undefined {
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type, object: asGlusterCluster(object, action) };
    case 'BOOKMARK': {
      const resourceVersion = metadataOf(object)?.['resourceVersion'];
      if (typeof resourceVersion !== 'string') {
        throw unexpected(`a BOOKMARK without a resourceVersion`, object, action);
      }
      return { type, resourceVersion };
    }
    case 'ERROR':
      // A Status: 410 Expired when the resourceVersion is too old, anything else is a failure.
      throw kubeErrorFromStatus(object, action);
    default:
      // A type this client does not know: not ours to interpret.
      return undefined;
  }
}

function asGlusterCluster(value: unknown, action: string): GlusterCluster {
  const metadata = metadataOf(value);
  if (typeof metadata?.['name'] !== 'string' || typeof metadata['namespace'] !== 'string') {
    throw unexpected('an object without metadata.name and metadata.namespace', value, action);
  }
  return value as GlusterCluster;
}

function asList(
  value: unknown,
  action: string,
): { metadata: { resourceVersion: string; continue?: string }; items: readonly unknown[] } {
  const metadata = metadataOf(value);
  const items: unknown = (value as { items?: unknown } | undefined)?.items;
  const resourceVersion = metadata?.['resourceVersion'];
  if (typeof resourceVersion !== 'string' || !Array.isArray(items)) {
    throw unexpected('a list without metadata.resourceVersion and items', value, action);
  }
  const continueToken = metadata?.['continue'];
  return {
    metadata: {
      resourceVersion,
      ...(typeof continueToken === 'string' && continueToken !== ''
        ? { continue: continueToken }
        : {}),
    },
    items,
  };
}

function metadataOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata: unknown = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, unknown>)
    : undefined;
}

function unexpected(what: string, value: unknown, action: string): KubeApiError {
  return new KubeApiError(`Failed to ${action}: the API server sent ${what}`, { cause: value });
}
