import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../api/gluster-cluster.js';
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

export type { ObjectList, WatchEndReason, WatchEvent, WatchSession } from './watch-stream.js';

/** Names one namespaced object. */
export interface ObjectKey {
  readonly namespace: string;
  readonly name: string;
}

/** A namespaced object of one of the operator's custom resources, as far as this port needs it. */
export interface CustomObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
    readonly finalizers?: readonly string[];
  };
}

/** Which custom resource of the operator's API group a port serves. */
export interface CustomResourceDescriptor {
  /** e.g. GlusterCluster: in messages. */
  readonly kind: string;
  readonly plural: string;
  /** The operator's finalizer on objects of this kind. */
  readonly finalizer: string;
}

/**
 * The operator's port to the objects of one of its custom resources. It never writes spec: status goes through the
 * /status subresource only, and finalizers through a merge patch of metadata.finalizers.
 * Every method throws KubeApiError subclasses (kube-errors.ts).
 */
export interface CustomResourceApi<T extends CustomObject> {
  /** Throws NotFoundError when it does not exist. */
  get(namespace: string, name: string): Promise<T>;
  /** Every object in scope (all namespaces, or the one the adapter was made for). */
  list(): Promise<ObjectList<T>>;
  /**
   * Watches from `resourceVersion`. Resolves once the server has accepted the watch (rejects when
   * it refused it: GoneError for an expired resourceVersion, ForbiddenError, no answer...).
   * `onEvent` is called in order, synchronously with the stream; if it throws, the watch ends with
   * that error. Aborting `signal` ends the watch ('aborted').
   */
  watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchSession>;
  /**
   * Replaces the status of `object` through /status, conditional on
   * `object.metadata.resourceVersion` (required): ConflictError when the object changed since.
   * Anything but status in the body is ignored by the server. Returns the object as stored.
   */
  replaceStatus(object: T): Promise<T>;
  /** Adds the operator's finalizer unless present; re-reads and retries on conflict. */
  addFinalizer(namespace: string, name: string): Promise<T>;
  /** Removes the operator's finalizer if present; re-reads and retries on conflict. */
  removeFinalizer(namespace: string, name: string): Promise<T>;
}

export interface CustomResourceApiOptions {
  /** Watch and list only this namespace. Default: all namespaces. */
  readonly namespace?: string;
  /** The field manager recorded for every write. Default `gluster-operator`. */
  readonly fieldManager?: string;
  /** Attempts of a finalizer change that keeps meeting conflicts. Default 5. */
  readonly maxFinalizerAttempts?: number;
  /** Page size of list(). Default 500. */
  readonly listPageSize?: number;
}

/** The client-node adapter of CustomResourceApi for objects of `descriptor`'s kind. */
export function createCustomResourceApi<T extends CustomObject>(
  kubeConfig: KubeConfig,
  descriptor: CustomResourceDescriptor,
  options: CustomResourceApiOptions = {},
): CustomResourceApi<T> {
  return new ClientNodeCustomResourceApi<T>(kubeConfig, descriptor, options);
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

class ClientNodeCustomResourceApi<T extends CustomObject> implements CustomResourceApi<T> {
  private readonly objects: CustomObjectsApi;
  private readonly namespace: string | undefined;
  private readonly fieldManager: string;
  private readonly maxFinalizerAttempts: number;
  private readonly listPageSize: number;
  private readonly resource: {
    readonly group: string;
    readonly version: string;
    readonly plural: string;
  };

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly descriptor: CustomResourceDescriptor,
    options: CustomResourceApiOptions,
  ) {
    this.resource = { group: API_GROUP, version: API_VERSION, plural: descriptor.plural };
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.namespace = options.namespace;
    this.fieldManager = options.fieldManager ?? 'gluster-operator';
    this.maxFinalizerAttempts = options.maxFinalizerAttempts ?? 5;
    this.listPageSize = options.listPageSize ?? 500;
  }

  async get(namespace: string, name: string): Promise<T> {
    const action = `get ${this.descriptor.kind} ${namespace}/${name}`;
    try {
      return this.asObject(
        await this.objects.getNamespacedCustomObject({ ...this.resource, namespace, name }),
        action,
      );
    } catch (error) {
      throw toKubeError(error, action);
    }
  }

  list(): Promise<ObjectList<T>> {
    const action = `list ${this.descriptor.kind}s${this.scopeText()}`;
    return listAllPages(
      async (continueToken) => {
        const page = {
          ...this.resource,
          limit: this.listPageSize,
          ...(continueToken === undefined ? {} : { _continue: continueToken }),
        };
        const answer: unknown = await (this.namespace === undefined
          ? this.objects.listClusterCustomObject(page)
          : this.objects.listNamespacedCustomObject({ ...page, namespace: this.namespace }));
        return asListPage(answer, action);
      },
      (value, what) => this.asObject(value, what),
      action,
    );
  }

  watch(
    resourceVersion: string,
    onEvent: (event: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchSession> {
    return openWatchStream(
      {
        kubeConfig: this.kubeConfig,
        path: this.collectionPath(),
        resourceVersion,
        action: `watch ${this.descriptor.kind}s${this.scopeText()} from resourceVersion ${resourceVersion}`,
        toObject: (value, what) => this.asObject(value, what),
      },
      onEvent,
      signal,
    );
  }

  async replaceStatus(object: T): Promise<T> {
    const { namespace, name, resourceVersion } = object.metadata;
    if (resourceVersion === undefined || resourceVersion === '') {
      throw new InvalidArgumentError(
        `Refused to write the status of ${this.descriptor.kind} ${namespace}/${name} without a resourceVersion: it could overwrite a newer status`,
      );
    }
    const action = `replace the status of ${this.descriptor.kind} ${namespace}/${name}`;
    try {
      return this.asObject(
        await this.objects.replaceNamespacedCustomObjectStatus({
          ...this.resource,
          namespace,
          name,
          body: object,
          fieldManager: this.fieldManager,
        }),
        action,
      );
    } catch (error) {
      throw toKubeError(error, action);
    }
  }

  addFinalizer(namespace: string, name: string): Promise<T> {
    const { finalizer } = this.descriptor;
    return this.changeFinalizers(namespace, name, 'add', (finalizers) =>
      finalizers.includes(finalizer) ? undefined : [...finalizers, finalizer],
    );
  }

  removeFinalizer(namespace: string, name: string): Promise<T> {
    const { finalizer } = this.descriptor;
    return this.changeFinalizers(namespace, name, 'remove', (finalizers) =>
      finalizers.includes(finalizer) ? finalizers.filter((f) => f !== finalizer) : undefined,
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
  ): Promise<T> {
    const action = `${verb} finalizer ${this.descriptor.finalizer} ${verb === 'add' ? 'to' : 'from'} ${this.descriptor.kind} ${namespace}/${name}`;
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(namespace, name);
      const finalizers = change(current.metadata.finalizers ?? []);
      if (finalizers === undefined) return current;
      try {
        return this.asObject(
          await this.objects.patchNamespacedCustomObject(
            {
              ...this.resource,
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
      ? `${prefix}/${this.descriptor.plural}`
      : `${prefix}/namespaces/${encodeURIComponent(this.namespace)}/${this.descriptor.plural}`;
  }

  private scopeText(): string {
    return this.namespace === undefined ? '' : ` in namespace ${this.namespace}`;
  }

  private asObject(value: unknown, action: string): T {
    const metadata = metadataOf(value);
    if (typeof metadata?.['name'] !== 'string' || typeof metadata['namespace'] !== 'string') {
      throw unexpected('an object without metadata.name and metadata.namespace', action, value);
    }
    return value as T;
  }
}
