import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { OperatorConfig } from '../config.js';
import type { Resolver } from '../gluster/host-identity.js';
import { createEventRecorder } from '../kube/event-recorder.js';
import { createGlusterClusterApi } from '../kube/gluster-cluster-api.js';
import type { GlusterClusterApi } from '../kube/gluster-cluster-api.js';
import { createGlusterVolumeApi } from '../kube/gluster-volume-api.js';
import type { GlusterVolumeApi } from '../kube/gluster-volume-api.js';
import { createInventoryObjects } from '../kube/inventory-objects.js';
import { createSecretWatchApi } from '../kube/secret-watch-api.js';
import { createSshCredentialsSource } from '../kube/ssh-credentials.js';
import type { Logger } from '../observability/logger.js';
import type {
  OperatorMetrics,
  ReconcileResult as MetricsReconcileResult,
} from '../observability/metrics.js';
import { KubeApiError } from '../kube/kube-errors.js';
import { ExecutorCache } from './executor-cache.js';
import { GlusterClusterWatcher, parseQueueKey } from './gluster-cluster-watcher.js';
import { ClusterFacts, reconcileGlusterCluster } from './reconcile-gluster-cluster.js';
import { InventoryReader } from './inventory-reader.js';
import type {
  GlusterdEventsDeps,
  ReconcileResult,
  ReconcilerDeps,
} from './reconcile-gluster-cluster.js';
import { CredentialsCache } from './credentials-cache.js';
import { SecretChangeSink } from './secret-change-sink.js';
import { SecretReferences } from './secret-references.js';
import { SecretWatcher } from './secret-watcher.js';
import type { Leadership } from './pass/leadership.js';
import { PassAbortedError } from './pass/pass-aborted-error.js';
import type { CommandOutcome } from '../gluster/gluster-cli.js';
import { WorkQueue } from './work-queue.js';
import type { PassResult } from './pass/reconcile-pass.js';
import { GlusterVolumeWatcher } from './gluster-volume-watcher.js';
import { createVolumeCommands } from './gluster-volume-commands.js';
import { reconcileGlusterVolume } from './reconcile-gluster-volume.js';
import type { VolumeReconcilerDeps } from './reconcile-gluster-volume.js';
import { VolumeReferences } from './volume-references.js';
import type { GlusterCluster, GlusterClusterStatus } from '../api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeStatus } from '../api/gluster-volume.js';
import { applyBrickDownReports, applyPeerDownReports } from '../core/events/apply-down-reports.js';
import type { EventSinkPort } from '../events/webhook-receiver.js';
import { EventsKeyError, readOrCreateEventsKey } from '../kube/events-key-secret.js';
import { formatKubeTime } from '../kube/kube-time.js';
import { toKubeError, NotFoundError as KubeNotFoundError } from '../kube/kube-errors.js';
import { EventRouter } from './events/event-router.js';
import { EventsRegistrar } from './events/events-registrar.js';
import { EventTokenError, EventTokens } from './events/event-tokens.js';
import { writeWithReports } from './events/write-with-reports.js';

export interface RunningOperator {
  /**
   * The GlusterCluster watch is established: changes reach the queue as they happen (for
   * /readyz). The Secret watch is left out: it only makes Secret changes take effect sooner
   * (without it the next pass reads a Secret again once its copy is older than 60 s), so it is
   * no reason to be unready, nor to give up leadership.
   */
  isLive(): boolean;
  /** Where the webhook receiver hands events while this replica leads; absent with EVENTS_PORT=0. */
  readonly eventSink?: EventSinkPort;
  /** Stops watching, lets the passes in flight finish (or abort), closes SSH connections. */
  stop(): Promise<void>;
}

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly config: OperatorConfig;
  readonly logger: Logger;
  /** Injected in tests; the system resolver otherwise. */
  readonly resolver?: Resolver;
  readonly metrics?: OperatorMetrics;
  /** Asked right before every change and status write; default: always leading (no election). */
  readonly leadership?: Leadership;
}

/**
 * The real adapters a pass works through (API server, SSH, events, inventories, caches), built
 * from the configuration: for the operator, and for tests that drive single passes.
 */
export function createReconcilerDeps(
  options: OperatorOptions,
  volumeReferences: VolumeReferences = new VolumeReferences(),
  glusterdEvents?: GlusterdEventsDeps & { readonly router: EventRouter },
): {
  readonly api: GlusterClusterApi;
  readonly volumeApi: GlusterVolumeApi;
  readonly executors: ExecutorCache;
  readonly credentials: CredentialsCache;
  readonly inventory: InventoryReader;
  readonly deps: ReconcilerDeps;
  readonly volumeDeps: VolumeReconcilerDeps;
} {
  const { kubeConfig, config, logger } = options;
  const scope = config.watchNamespace ? { namespace: config.watchNamespace } : {};
  const api = createGlusterClusterApi(kubeConfig, scope);
  const volumeApi = createGlusterVolumeApi(kubeConfig, scope);
  const executors = new ExecutorCache({
    connectTimeoutMs: config.sshConnectTimeoutMs,
    commandTimeoutMs: config.commandTimeoutMs,
    // A node that does not answer is tried again at most about once per resync.
    connectBackoffMaxMs: config.defaultResyncMs,
    logger,
  });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const now = (): Date => new Date();
  const metrics = options.metrics;
  const credentials = new CredentialsCache(createSshCredentialsSource(core));
  const inventory = new InventoryReader({ objects: createInventoryObjects(core), now });
  const events = createEventRecorder(kubeConfig, { logger });
  const deps: ReconcilerDeps = {
    api,
    credentials,
    inventory,
    executors,
    events,
    volumeOwner: (clusterKey, volumeName) =>
      volumeReferences
        .volumesOf(clusterKey)
        .find((reference) => reference.volumeName === volumeName)?.volumeKey,
    facts: new ClusterFacts(),
    logger,
    now,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    ...(options.leadership ? { leadership: options.leadership } : {}),
    glusterTimeoutSeconds: config.glusterTimeoutSeconds,
    commandTimeoutMs: config.commandTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    defaultResyncMs: config.defaultResyncMs,
    ...(glusterdEvents ? { glusterdEvents } : {}),
    ...(metrics
      ? {
          onCommand: (clusterKey: string, verb: string, outcome: CommandOutcome, ms: number) => {
            metrics.observeCommand(verb, outcome, ms);
            metrics.countCommand(clusterKey);
          },
        }
      : {}),
  };
  const volumeDeps: VolumeReconcilerDeps = {
    api: volumeApi,
    clusters: api,
    credentials,
    executors,
    commandsFor: createVolumeCommands,
    events,
    logger,
    now,
    ...(options.leadership ? { leadership: options.leadership } : {}),
    glusterTimeoutSeconds: config.glusterTimeoutSeconds,
    commandTimeoutMs: config.commandTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    defaultResyncMs: config.defaultResyncMs,
    ...(glusterdEvents ? { glusterdEvents: { router: glusterdEvents.router } } : {}),
    ...(metrics
      ? {
          onCommand: (_volumeKey: string, verb: string, outcome: CommandOutcome, ms: number) => {
            metrics.observeCommand(verb, outcome, ms);
          },
        }
      : {}),
  };
  return { api, volumeApi, executors, credentials, inventory, deps, volumeDeps };
}

/** How controller-runtime would count a pass that returned `result`. */
function reconcileResultOf(result: ReconcileResult): MetricsReconcileResult {
  if (result.retry === true) return 'error';
  if (result.followUp === true) return 'requeue_after';
  if (result.requeueAfterMs === 0) return 'requeue';
  return 'success';
}

/** The kind of an error a pass threw, for the errors-by-reason metric: a small, fixed set. */
function errorKindOf(error: unknown): string {
  if (error instanceof PassAbortedError) return 'PassAborted';
  if (error instanceof KubeApiError) return 'KubernetesApi';
  return 'Unexpected';
}

/** The first delay of a follow-up look; it doubles per follow-up up to progressRequeueMs. */
const FIRST_FOLLOW_UP_MS = 250;

/**
 * What comes after a pass, the same for every kind of resource: a retry with per-key backoff, a
 * follow-up whose delay grows while a change stays on its way, or the requeue the pass asked
 * for (its resync, or at once).
 */
class PassScheduler {
  /** Consecutive follow-ups per key: their delay grows while a change stays on its way. */
  private readonly followUps = new Map<string, number>();

  constructor(
    private readonly queue: WorkQueue,
    private readonly progressRequeueMs: number,
  ) {}

  /** Schedules the next pass after `result`; returns the retry delay when it is a retry. */
  after(key: string, result: PassResult): number | undefined {
    let retryInMs: number | undefined;
    if (result.retry) retryInMs = this.queue.addRateLimited(key);
    else this.queue.forget(key);
    if (result.retry) {
      this.followUps.delete(key);
    } else if (result.followUp) {
      const count = this.followUps.get(key) ?? 0;
      this.followUps.set(key, count + 1);
      this.queue.addAfter(key, Math.min(this.progressRequeueMs, FIRST_FOLLOW_UP_MS * 2 ** count));
    } else {
      this.followUps.delete(key);
      if (result.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
    }
    return retryInMs;
  }

  /** The resource is gone: no resync timer, nothing kept. */
  gone(key: string): void {
    this.queue.forget(key);
    this.queue.cancel(key);
    this.followUps.delete(key);
  }
}

/**
 * Wires the loop: watcher → keyed queue (dedupe, backoff, one pass per resource at a time,
 * bounded parallelism, changes before resyncs) → the pass, for GlusterClusters and, on a queue
 * of their own, GlusterVolumes. What starts a pass: a change someone made to a resource (its
 * spec, its deletion; never a status write), a change to a Secret it names (seen by a second
 * watch, on Secrets' metadata only), its resync, a retry after an error, or a follow-up of a
 * change on its way; a GlusterVolume's pass also when its GlusterCluster's members, their
 * states or its command node change. A pass that throws is retried with per-key backoff; a pass
 * that was stopped (PassAbortedError) wrote nothing and is retried only while this replica
 * still runs.
 */
export function startOperator(options: OperatorOptions): RunningOperator {
  const { config, logger } = options;
  const volumeReferences = new VolumeReferences();
  // Closures below reach the queues and APIs made further down; they run only after start.
  const spacing = new EventPassSpacing();
  const glusterdEvents =
    config.eventsPort === 0
      ? undefined
      : createGlusterdEvents(options, {
          enqueueCluster: (key) => {
            spacing.enqueue(queue, key);
          },
          enqueueVolumes: (clusterKey, volumeName) => {
            for (const reference of volumeReferences.volumesOf(clusterKey)) {
              if (volumeName === undefined || reference.volumeName === volumeName) {
                spacing.enqueue(volumeQueue, reference.volumeKey);
              }
            }
          },
          reportPeersDown: async (clusterKey, reports) => {
            await writeWithReports<GlusterCluster, GlusterClusterStatus>(
              api,
              parseQueueKey(clusterKey),
              (status) => applyPeerDownReports(status, reports, formatKubeTime(new Date())),
              options.leadership,
            );
          },
          reportBricksDown: async (clusterKey, volumeName, reports) => {
            const volumes = volumeReferences
              .volumesOf(clusterKey)
              .filter((reference) => reference.volumeName === volumeName);
            await Promise.all(
              volumes.map((reference) =>
                writeWithReports<GlusterVolume, GlusterVolumeStatus>(
                  volumeApi,
                  parseQueueKey(reference.volumeKey),
                  (status) => applyBrickDownReports(status, reports, formatKubeTime(new Date())),
                  options.leadership,
                ),
              ),
            );
          },
        });
  const { api, volumeApi, executors, credentials, inventory, deps, volumeDeps } =
    createReconcilerDeps(options, volumeReferences, glusterdEvents);
  const metrics = options.metrics;
  const queue = new WorkQueue({
    workers: config.workers,
    logger,
    ...(metrics ? { observer: metrics.workQueueObserver } : {}),
  });
  metrics?.trackWorkQueue(queue, config.workers);
  metrics?.trackHandshakes(() => executors.handshakes());
  const scheduler = new PassScheduler(queue, config.progressRequeueMs);
  const failed = (key: string, error: unknown, retryInMs: number, noun: string): void => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PassAbortedError) {
      logger.warn('Stopped a pass before it acted or wrote', {
        [noun]: key,
        reason: error.reason,
        error: message,
        retryInMs,
      });
      return;
    }
    logger.error('Failed to reconcile', { [noun]: key, error: message, retryInMs });
  };
  queue.start(async (key, signal) => {
    const started = performance.now();
    try {
      const result = await reconcileGlusterCluster(deps, parseQueueKey(key), signal);
      const retryInMs = scheduler.after(key, result);
      if (retryInMs !== undefined) {
        logger.debug('Retrying a failed change', { cluster: key, retryInMs });
      }
      const durationMs = performance.now() - started;
      if (result.gone) {
        // Nothing is kept for a resource that is gone: no resync timer, no counters.
        scheduler.gone(key);
        metrics?.forgetCluster(key);
        return;
      }
      metrics?.countPass(key, result.statusWritten ?? false);
      if (result.health) metrics?.setClusterHealth(key, result.health);
      metrics?.observeReconcile(reconcileResultOf(result), durationMs, result.failureReason);
      logger.debug('Reconciled', { cluster: key, durationMs: Math.round(durationMs) });
    } catch (error) {
      if (signal.aborted) return;
      metrics?.observeReconcile('error', performance.now() - started, errorKindOf(error));
      failed(key, error, queue.addRateLimited(key), 'cluster');
    }
  });

  // GlusterVolumes: a queue of their own, so a slow volume never holds a pool's pass back.
  const volumeQueue = new WorkQueue({ workers: config.workers, logger });
  const volumeScheduler = new PassScheduler(volumeQueue, config.progressRequeueMs);
  volumeQueue.start(async (key, signal) => {
    const started = performance.now();
    try {
      const result = await reconcileGlusterVolume(volumeDeps, parseQueueKey(key), signal);
      volumeScheduler.after(key, result);
      if (result.gone) {
        volumeScheduler.gone(key);
        metrics?.forgetVolume(key);
        return;
      }
      metrics?.countVolumePass(key, result.statusWritten ?? false);
      if (result.health) metrics?.setVolumeHealth(key, result.health);
      logger.debug('Reconciled', {
        volume: key,
        durationMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      if (signal.aborted) return;
      failed(key, error, volumeQueue.addRateLimited(key), 'volume');
    }
  });

  const stopping = new AbortController();
  const references = new SecretReferences();
  /** Per GlusterCluster, what its volumes' passes read of it: a change wakes them. */
  const poolPictures = new Map<string, string>();
  const watcher = new GlusterClusterWatcher({
    api,
    queue,
    logger,
    onObject: (key, cluster) => {
      references.update(key, cluster);
      const picture = cluster && poolPictureOf(cluster);
      if (picture === poolPictures.get(key)) return;
      if (picture === undefined) poolPictures.delete(key);
      else poolPictures.set(key, picture);
      for (const { volumeKey } of volumeReferences.volumesOf(key)) {
        volumeQueue.add(volumeKey, { urgent: true });
      }
    },
  });
  const volumeWatcher = new GlusterVolumeWatcher({
    api: volumeApi,
    queue: volumeQueue,
    logger,
    onObject: (key, volume) => {
      volumeReferences.update(key, volume);
    },
  });
  const secretWatcher = new SecretWatcher({
    api: createSecretWatchApi(
      options.kubeConfig,
      config.watchNamespace ? { namespace: config.watchNamespace } : {},
    ),
    queue: new SecretChangeSink({ references, credentials, inventory, queue, logger }),
    logger,
  });
  const watching = Promise.allSettled([
    watcher.run(stopping.signal),
    volumeWatcher.run(stopping.signal),
    secretWatcher.run(stopping.signal),
  ]);
  return {
    isLive: () => watcher.isLive() && volumeWatcher.isLive(),
    ...(glusterdEvents ? { eventSink: glusterdEvents.router } : {}),
    async stop() {
      stopping.abort();
      await watching;
      await Promise.all([queue.shutdown(), volumeQueue.shutdown()]);
      await executors.closeAll();
      // What this replica saw goes stale the moment it stops: a standby shows no pool.
      metrics?.forgetAllClusters();
      metrics?.forgetAllVolumes();
    },
  };
}

/**
 * What a GlusterVolume pass reads of its GlusterCluster: the members' addresses, UUIDs and
 * states, the command node, and how to reach them. When it changes (a pool became Ready, a node
 * went down), the pool's volumes are looked at again at once rather than at their resync.
 */
function poolPictureOf(cluster: GlusterCluster): string {
  return JSON.stringify([
    cluster.metadata.uid ?? '',
    cluster.spec.ssh,
    cluster.status?.commandNode ?? '',
    (cluster.status?.nodes ?? []).map((node) => [node.address, node.uuid ?? '', node.state]),
  ]);
}

/** The events side of the operator: the router the receiver hands to, the nodes' registration. */
function createGlusterdEvents(
  options: OperatorOptions,
  routes: Pick<
    ConstructorParameters<typeof EventRouter>[0],
    'enqueueCluster' | 'enqueueVolumes' | 'reportPeersDown' | 'reportBricksDown'
  >,
): GlusterdEventsDeps & { readonly router: EventRouter } {
  const { config, logger, metrics } = options;
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const router = new EventRouter({
    logger,
    ...routes,
    ...(metrics
      ? {
          onEvent: (event: string, result: string) => {
            metrics.countGlusterdEvent(event, result);
          },
          onReported: (event: string, latencyMs: number) => {
            metrics.observeEventToStatus(event, latencyMs);
          },
        }
      : {}),
  });
  const tokens = new EventTokens({
    readKey: async () => {
      if (config.podNamespace === undefined) {
        throw new EventTokenError(
          'POD_NAMESPACE is not set: the operator has no namespace for its events key Secret; set it, or give the GlusterCluster spec.events.tokenSecretRef',
        );
      }
      try {
        return await readOrCreateEventsKey(core, config.podNamespace, config.eventsKeySecret);
      } catch (error) {
        if (error instanceof EventsKeyError)
          throw new EventTokenError(error.message, { cause: error });
        throw error;
      }
    },
    readSecret: async (namespace, name) => {
      try {
        return (await core.readNamespacedSecret({ namespace, name })).data ?? {};
      } catch (error) {
        const failure = toKubeError(error);
        if (failure instanceof KubeNotFoundError) return undefined;
        throw failure;
      }
    },
  });
  const registrar = new EventsRegistrar({
    defaultUrl: config.eventsUrl,
    tokens,
    router,
    logger,
    now: () => new Date(),
  });
  return { router, registrar, fallbackResyncMs: config.eventsFallbackResyncMs };
}

/** The least time between two passes events start for one resource. */
const EVENT_PASS_SPACING_MS = 2_000;

/**
 * Events start a pass at once, but not more than one per resource every 2 s: a burst (N−1
 * members reporting, a volume's bricks starting) is one pass, and should some event ever follow
 * from the operator's own reads, the loop it makes stays slow. The status writes of down reports
 * are not held back by this.
 */
class EventPassSpacing {
  private readonly last = new Map<string, number>();

  enqueue(queue: WorkQueue, key: string): void {
    const now = performance.now();
    const since = now - (this.last.get(key) ?? Number.NEGATIVE_INFINITY);
    if (since >= EVENT_PASS_SPACING_MS) {
      this.last.set(key, now);
      queue.add(key, { urgent: true });
      return;
    }
    const waitMs = EVENT_PASS_SPACING_MS - since;
    queue.addAfter(key, waitMs);
    this.last.set(key, now + waitMs);
    if (this.last.size > 10_000) this.last.clear();
  }
}
