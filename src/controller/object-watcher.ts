import type { ObjectKey } from '../kube/gluster-cluster-api.js';
import { GoneError } from '../kube/kube-errors.js';
import type { ListWatchApi, WatchEndReason, WatchEvent } from '../kube/watch-stream.js';
import type { Logger } from '../observability/logger.js';
import { abortableSleep } from '../abortable-sleep.js';

/** Where the watcher puts keys: the work queue, or another sink of changes. */
export interface KeySink {
  /** `urgent`: a change someone made, to be looked at before keys that are only due. */
  add(key: string, options?: { readonly urgent?: boolean }): void;
}

/** What the watcher reads of an object: its key, and where the watch may resume from. */
export interface WatchedObject {
  readonly metadata: ObjectKey & { readonly resourceVersion?: string };
}

/** The queue key of a namespaced object: `namespace/name`. */
export function queueKeyOf(object: { readonly metadata: ObjectKey }): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}

/** The inverse of queueKeyOf (namespaces and names never contain '/'). */
export function parseQueueKey(key: string): ObjectKey {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1 || key.includes('/', slash + 1)) {
    throw new RangeError(`Not a namespace/name key: ${JSON.stringify(key)}`);
  }
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export interface ObjectWatcherOptions<T extends WatchedObject> {
  readonly api: ListWatchApi<T>;
  readonly queue: KeySink;
  readonly logger: Logger;
  /** The kind, plural, as log lines name it: "GlusterClusters", "Secrets". */
  readonly noun: string;
  /**
   * What of an object makes its change news: an event whose object's news equals the one known
   * for its key is not queued. (ADDED and DELETED always are.)
   */
  readonly newsOf: (object: T) => string;
  /**
   * Told of every object as the list and the watch show it, news or not, and with `undefined`
   * when it is gone (DELETED, or missing from a relist). Called before its key is queued; it must
   * not throw (a throw ends the watch).
   */
  readonly onObject?: (key: string, object: T | undefined) => void;
  /**
   * Whether the first list queues every key, as due work. Default true; false for a watcher
   * that reports changes only (then only what changes after the first list is queued).
   */
  readonly queueInitialList?: boolean;
  /** First delay before reconnecting after a failure. Default 500 ms. */
  readonly initialBackoffMs?: number;
  /** Longest delay between reconnection attempts. Default 30 s. */
  readonly maxBackoffMs?: number;
  /**
   * A watch that delivered nothing and ended sooner than this counts as a failure (so a server
   * that keeps closing watches at once is not hammered). Default 1 s.
   */
  readonly minHealthyWatchMs?: number;
  /** Every this often, every known key is queued again. Default: never (undefined). */
  readonly resyncIntervalMs?: number;
  /** Uniform in [0, 1): a reconnection delay is shortened by up to 20 %. Default Math.random. */
  readonly random?: () => number;
  /** Resolves after `delayMs`, or at once when `signal` aborts. Default: a real timer. */
  readonly sleep?: (delayMs: number, signal: AbortSignal) => Promise<void>;
  /** Milliseconds, monotonic enough to time a watch. Default performance.now. */
  readonly now?: () => number;
}

/**
 * Feeds the key (`namespace/name`) of every object that changes into the queue, the way
 * client-go's reflector does: list, then watch from the list's resourceVersion, following the
 * resourceVersion of every event and bookmark.
 * - A watch that ends normally (server timeout, idle stream) is resumed from the last
 *   resourceVersion seen.
 * - 410 Gone (an ERROR event with code 410, or the request refused with 410) means that
 *   resourceVersion has expired: list again. A relist queues the keys whose news changed or that
 *   are new, and the keys of objects that disappeared meanwhile (their DELETED event was never
 *   seen).
 * - Any other failure: wait (exponential backoff, capped, jittered), then watch again from the
 *   last resourceVersion (or list, if there never was one).
 * The watcher does not interpret objects beyond `newsOf`: reconciles read them fresh.
 */
export class ObjectWatcher<T extends WatchedObject> {
  private readonly api: ListWatchApi<T>;
  private readonly queue: KeySink;
  private readonly logger: Logger;
  private readonly noun: string;
  private readonly newsOf: (object: T) => string;
  private readonly onObject: ((key: string, object: T | undefined) => void) | undefined;
  private readonly queueInitialList: boolean;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly minHealthyWatchMs: number;
  private readonly resyncIntervalMs: number | undefined;
  private readonly random: () => number;
  private readonly sleep: (delayMs: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;

  /** Keys of the objects that exist, as far as the list and the events tell, with their news. */
  private readonly known = new Map<string, string>();
  private live = false;
  private synced = false;
  private running = false;

  constructor(options: ObjectWatcherOptions<T>) {
    this.api = options.api;
    this.queue = options.queue;
    this.logger = options.logger;
    this.noun = options.noun;
    this.newsOf = options.newsOf;
    this.onObject = options.onObject;
    this.queueInitialList = options.queueInitialList ?? true;
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.minHealthyWatchMs = options.minHealthyWatchMs ?? 1_000;
    this.resyncIntervalMs = options.resyncIntervalMs;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? (() => performance.now());
  }

  /** True while a watch is established: changes reach the queue as they happen. */
  isLive(): boolean {
    return this.live;
  }

  /** True once the first list has been queued. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Runs until `signal` aborts. Rejects only if it is already running; failures are retried. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error('The watcher is already running');
    this.running = true;
    const resync = this.resyncIntervalMs === undefined ? undefined : this.resync(signal);
    try {
      await this.listAndWatch(signal);
    } finally {
      this.live = false;
      this.running = false;
      await resync;
    }
  }

  private async listAndWatch(signal: AbortSignal): Promise<void> {
    let resourceVersion: string | undefined;
    /** Failures since the last healthy watch. */
    let failures = 0;
    while (!signal.aborted) {
      let startedAtMs: number | undefined;
      let delivered = 0;
      const healthy = (): boolean =>
        startedAtMs !== undefined &&
        (delivered > 0 || this.now() - startedAtMs >= this.minHealthyWatchMs);
      try {
        resourceVersion ??= await this.relist();
        const session = await this.api.watch(
          resourceVersion,
          (event) => {
            delivered++;
            resourceVersion = this.handle(event) ?? resourceVersion;
          },
          signal,
        );
        startedAtMs = this.now();
        this.live = true;
        this.logger.debug(`Started watching ${this.noun}`, { resourceVersion });
        const reason: WatchEndReason = await session.ended;
        this.live = false;
        if (isAborted(signal)) return;
        if (healthy()) {
          failures = 0;
          this.logger.debug('Watch ended, resuming', { kind: this.noun, reason, resourceVersion });
          continue;
        }
        failures++;
        const delayMs = this.backoffDelayMs(failures);
        this.logger.warn('Watch ended at once, resuming after a delay', {
          kind: this.noun,
          reason,
          resourceVersion,
          delayMs,
        });
        await this.sleep(delayMs, signal);
      } catch (error) {
        this.live = false;
        if (isAborted(signal)) return;
        if (healthy()) failures = 0;
        failures++;
        if (error instanceof GoneError) {
          resourceVersion = undefined;
          // The first expiry relists at once; expiring again before any healthy watch backs off.
          const delayMs = failures === 1 ? 0 : this.backoffDelayMs(failures - 1);
          this.logger.info('Watch expired, listing again', { kind: this.noun, delayMs });
          if (delayMs > 0) await this.sleep(delayMs, signal);
          continue;
        }
        const delayMs = this.backoffDelayMs(failures);
        this.logger.warn(`Failed to list or watch ${this.noun}, retrying`, {
          error: error instanceof Error ? error.message : String(error),
          delayMs,
          ...(resourceVersion === undefined ? {} : { resourceVersion }),
        });
        await this.sleep(delayMs, signal);
      }
    }
  }

  /**
   * Lists; queues every listed key the first time (unless queueInitialList is false), and
   * afterwards (after a watch expired) the keys whose news changed or that are new, and every
   * known key that vanished. Returns the version to watch from.
   */
  private async relist(): Promise<string> {
    const { items, resourceVersion } = await this.api.list();
    const before = new Map(this.known);
    const first = !this.synced;
    this.known.clear();
    let queued = 0;
    for (const item of items) {
      const key = queueKeyOf(item);
      const news = this.newsOf(item);
      this.known.set(key, news);
      const previous = before.get(key);
      before.delete(key);
      this.onObject?.(key, item);
      if (first) {
        if (this.queueInitialList) {
          this.queue.add(key);
          queued++;
        }
      } else if (previous !== news) {
        // Changed while the watch was down: as urgent as a watch event would have been.
        this.queue.add(key, { urgent: true });
        queued++;
      }
    }
    for (const key of before.keys()) {
      this.onObject?.(key, undefined);
      this.queue.add(key, { urgent: true });
    }
    this.synced = true;
    this.logger.info(`Listed ${this.noun}`, {
      count: items.length,
      queued,
      vanished: before.size,
      resourceVersion,
    });
    return resourceVersion;
  }

  /** Queues the event's key when the event is news; returns the resourceVersion to resume from. */
  private handle(event: WatchEvent<T>): string | undefined {
    if (event.type === 'BOOKMARK') return event.resourceVersion;
    const key = queueKeyOf(event.object);
    if (event.type === 'DELETED') {
      this.known.delete(key);
      this.onObject?.(key, undefined);
      this.queue.add(key, { urgent: true });
    } else {
      const news = this.newsOf(event.object);
      const previous = this.known.get(key);
      this.known.set(key, news);
      this.onObject?.(key, event.object);
      if (event.type === 'ADDED' || previous !== news) this.queue.add(key, { urgent: true });
    }
    return event.object.metadata.resourceVersion;
  }

  private async resync(signal: AbortSignal): Promise<void> {
    const intervalMs = this.resyncIntervalMs;
    if (intervalMs === undefined) return;
    for (;;) {
      await this.sleep(intervalMs, signal);
      if (isAborted(signal)) return;
      for (const key of this.known.keys()) this.queue.add(key);
      this.logger.debug(`Resynced ${this.noun}`, { count: this.known.size });
    }
  }

  private backoffDelayMs(failures: number): number {
    const capped = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (failures - 1));
    return Math.round(capped * (1 - 0.2 * this.random()));
  }
}

/** Read through a call: the compiler cannot see a signal abort across an await. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
