import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { KubeApiError, kubeErrorFromStatus, toKubeError } from './kube-errors.js';

/**
 * The list and the watch of one collection, as every adapter that feeds a watcher needs them:
 * a paged list that names its snapshot, and a watch stream from a resourceVersion, with
 * client-node's Watch turned into one settled outcome. Objects are made by the adapter
 * (`toObject`), so each decides what of an object it keeps.
 */

/**
 * Accept headers that ask the API server for metadata only (PartialObjectMetadata, as
 * controller-runtime's metadata-only watches do): for a list, and for a watch's objects.
 */
export const METADATA_ONLY_LIST =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
export const METADATA_ONLY_OBJECT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

/** One change in a watched collection. */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
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

/** Every object of a collection in scope, at one resourceVersion. */
export interface ObjectList<T> {
  readonly items: readonly T[];
  /** Watch from here to see every change after the list. */
  readonly resourceVersion: string;
}

/** What a watcher needs of an adapter: list, then watch from the list's resourceVersion. */
export interface ListWatchApi<T> {
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
}

/** One page of a chunked list, as an adapter reads it from its client. */
export interface ListPage {
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  /** Present while more pages follow. */
  readonly continueToken?: string;
}

/**
 * Reads every page (`fetchPage(undefined)` first, then each continue token) into one list. Every
 * page of a chunked list is the same snapshot; the first page's version names it. Whatever
 * fails is a KubeApiError saying `action`.
 */
export async function listAllPages<T>(
  fetchPage: (continueToken: string | undefined) => Promise<ListPage>,
  toObject: (value: unknown, action: string) => T,
  action: string,
): Promise<ObjectList<T>> {
  const items: T[] = [];
  let resourceVersion: string | undefined;
  let continueToken: string | undefined;
  try {
    do {
      const page = await fetchPage(continueToken);
      resourceVersion ??= page.resourceVersion;
      for (const item of page.items) items.push(toObject(item, action));
      continueToken = page.continueToken;
    } while (continueToken !== undefined);
  } catch (error) {
    throw toKubeError(error, action);
  }
  return { items, resourceVersion };
}

/** A plain-JSON list (as CustomObjectsApi returns it) as a ListPage. */
export function asListPage(value: unknown, action: string): ListPage {
  const metadata = metadataOf(value);
  const items: unknown = (value as { items?: unknown } | undefined)?.items;
  const resourceVersion = metadata?.['resourceVersion'];
  if (typeof resourceVersion !== 'string' || !Array.isArray(items)) {
    throw unexpected('a list without metadata.resourceVersion and items', action, value);
  }
  const continueToken = metadata?.['continue'];
  return {
    resourceVersion,
    items,
    ...(typeof continueToken === 'string' && continueToken !== '' ? { continueToken } : {}),
  };
}

export interface WatchStreamRequest<T> {
  readonly kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/api/v1/namespaces/ns/secrets`. */
  readonly path: string;
  readonly resourceVersion: string;
  /** What is being done, for errors: "watch Secrets from resourceVersion 12". */
  readonly action: string;
  /** Makes the object handed on from what the server sent; throws for one it cannot use. */
  readonly toObject: (value: unknown, action: string) => T;
  /**
   * The Accept header, e.g. `application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1` for
   * metadata only. Default: client-node's.
   */
  readonly accept?: string;
}

/**
 * Opens a watch (ListWatchApi.watch's contract) with client-node's Watch. The stream's own
 * errors never carry an object the server sent: it may be a Secret.
 */
export async function openWatchStream<T>(
  request: WatchStreamRequest<T>,
  onEvent: (event: WatchEvent<T>) => void,
  signal: AbortSignal,
): Promise<WatchSession> {
  const { action } = request;
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
      const event = toWatchEvent(type, object, request.toObject, action);
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
    const kubeConfig =
      request.accept === undefined
        ? request.kubeConfig
        : withAcceptHeader(request.kubeConfig, request.accept);
    controller = await new Watch(kubeConfig).watch(
      request.path,
      { resourceVersion: request.resourceVersion, allowWatchBookmarks: true },
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

/**
 * The KubeConfig as client-node's Watch uses it (the current cluster, and the request's
 * authentication), with `accept` as the request's Accept header: Watch has no option for it.
 */
function withAcceptHeader(kubeConfig: KubeConfig, accept: string): KubeConfig {
  const view: Pick<KubeConfig, 'getCurrentCluster' | 'applySecurityAuthentication'> = {
    getCurrentCluster: () => kubeConfig.getCurrentCluster(),
    applySecurityAuthentication: async (context) => {
      await kubeConfig.applySecurityAuthentication(context);
      context.setHeaderParam('Accept', accept);
    },
  };
  return view as KubeConfig;
}

function toWatchEvent<T>(
  type: unknown,
  object: unknown,
  toObject: (value: unknown, action: string) => T,
  action: string,
): WatchEvent<T> | undefined {
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type, object: toObject(object, action) };
    case 'BOOKMARK': {
      const resourceVersion = metadataOf(object)?.['resourceVersion'];
      if (typeof resourceVersion !== 'string') {
        throw unexpected('a BOOKMARK without a resourceVersion', action);
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

/** The object's metadata, when it has some. */
export function metadataOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata: unknown = (value as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null
    ? (metadata as Record<string, unknown>)
    : undefined;
}

/**
 * The API server sent something the operator cannot use. `value` is kept as the cause only when
 * given: an adapter of Secrets never gives it.
 */
export function unexpected(what: string, action: string, value?: unknown): KubeApiError {
  return new KubeApiError(`Failed to ${action}: the API server sent ${what}`, { cause: value });
}
