/**
 * GlusterClusters of one namespace as a WATCH sees them (list, then watch from the list's
 * resourceVersion; list and watch again whenever the watch ends), with the moment each version
 * arrived, so a bench can time a change to the event that shows it instead of polling.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { CustomObjectsApi, Watch } from '@kubernetes/client-node';
import type { GlusterCluster } from '../src/api/gluster-cluster.js';
import { API_GROUP, API_VERSION, PLURAL } from '../src/api/gluster-cluster.js';

/** One version of an object (or its absence) and when this process received it. */
export interface Seen {
  readonly cluster: GlusterCluster | undefined;
  /** performance.now() when the event (or the list) that carried it arrived. */
  readonly atMs: number;
}

interface Waiter {
  readonly name: string;
  readonly done: (cluster: GlusterCluster | undefined) => boolean;
  readonly resolve: (seen: Seen) => void;
}

export class ClusterWatch {
  readonly #objects: CustomObjectsApi;
  readonly #watch: Watch;
  readonly #namespace: string;
  readonly #fieldSelector: string | undefined;
  readonly #seen = new Map<string, Seen>();
  readonly #waiters = new Set<Waiter>();
  #abort: AbortController | undefined;
  #stopped = false;
  #restarts = 0;

  private constructor(kubeConfig: KubeConfig, namespace: string, name: string | undefined) {
    this.#objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#watch = new Watch(kubeConfig);
    this.#namespace = namespace;
    this.#fieldSelector = name === undefined ? undefined : `metadata.name=${name}`;
  }

  /** Resolves once the first list has been read and the watch is open. */
  static async start(
    kubeConfig: KubeConfig,
    namespace: string,
    options: { readonly name?: string } = {},
  ): Promise<ClusterWatch> {
    const watch = new ClusterWatch(kubeConfig, namespace, options.name);
    await watch.#listAndWatch();
    return watch;
  }

  /** The latest version seen of `name`, and when it arrived. */
  latest(name: string): Seen {
    return this.#seen.get(name) ?? { cluster: undefined, atMs: performance.now() };
  }

  /** How often the watch had to be opened again (it ended or failed). */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Resolves with the first version of `name` (already seen or to come) for which `done` holds,
   * with its arrival time; fails after `timeoutMs` with the last status seen.
   */
  async until(
    name: string,
    what: string,
    done: (cluster: GlusterCluster | undefined) => boolean,
    timeoutMs: number,
  ): Promise<Seen> {
    const current = this.latest(name);
    if (done(current.cluster)) return current;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      return await new Promise<Seen>((resolve, reject) => {
        waiter = { name, done, resolve };
        this.#waiters.add(waiter);
        timer = setTimeout(() => {
          const last = this.latest(name).cluster;
          reject(
            new Error(
              `${name} did not ${what} within ${timeoutMs / 1000} s; last status seen: ${JSON.stringify(last?.status)}`,
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
      if (waiter) this.#waiters.delete(waiter);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  #record(name: string, cluster: GlusterCluster | undefined, atMs: number): void {
    const seen = { cluster, atMs };
    this.#seen.set(name, seen);
    for (const waiter of this.#waiters) {
      if (waiter.name === name && waiter.done(cluster)) {
        this.#waiters.delete(waiter);
        waiter.resolve(seen);
      }
    }
  }

  async #listAndWatch(): Promise<void> {
    const list = (await this.#objects.listNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace: this.#namespace,
      plural: PLURAL,
      ...(this.#fieldSelector === undefined ? {} : { fieldSelector: this.#fieldSelector }),
    })) as { items: GlusterCluster[]; metadata?: { resourceVersion?: string } };
    const atMs = performance.now();
    const listed = new Set(list.items.map((item) => item.metadata.name));
    for (const name of this.#seen.keys())
      if (!listed.has(name)) this.#record(name, undefined, atMs);
    for (const item of list.items) this.#record(item.metadata.name, item, atMs);
    const resourceVersion = list.metadata?.resourceVersion;
    this.#abort = await this.#watch.watch(
      `/apis/${API_GROUP}/${API_VERSION}/namespaces/${this.#namespace}/${PLURAL}`,
      {
        allowWatchBookmarks: true,
        ...(resourceVersion === undefined ? {} : { resourceVersion }),
        ...(this.#fieldSelector === undefined ? {} : { fieldSelector: this.#fieldSelector }),
      },
      (phase: string, object: unknown) => {
        const arrivedMs = performance.now();
        const cluster = object as Partial<GlusterCluster>;
        // BOOKMARK and ERROR (a Status) carry no object to record; an ERROR ends the watch.
        if (cluster.metadata?.name === undefined) return;
        if (phase === 'ADDED' || phase === 'MODIFIED') {
          this.#record(cluster.metadata.name, cluster as GlusterCluster, arrivedMs);
        } else if (phase === 'DELETED') {
          this.#record(cluster.metadata.name, undefined, arrivedMs);
        }
      },
      () => {
        // The watch ended (timeout, error, 410 Gone): list and watch again, unless stopped.
        if (this.#stopped) return;
        this.#restarts++;
        setTimeout(() => {
          if (!this.#stopped)
            void this.#listAndWatch().catch(() => {
              this.#retryLater();
            });
        }, 200);
      },
    );
  }

  #retryLater(): void {
    if (this.#stopped) return;
    setTimeout(() => {
      if (!this.#stopped)
        void this.#listAndWatch().catch(() => {
          this.#retryLater();
        });
    }, 1_000);
  }
}
