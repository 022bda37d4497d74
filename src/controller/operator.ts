import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { OperatorConfig } from '../config.js';
import type { Resolver } from '../gluster/host-identity.js';
import { createEventRecorder } from '../kube/event-recorder.js';
import { createGlusterClusterApi } from '../kube/gluster-cluster-api.js';
import type { GlusterClusterApi } from '../kube/gluster-cluster-api.js';
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
import type { ReconcileResult, ReconcilerDeps } from './reconcile-gluster-cluster.js';
import { CredentialsCache } from './credentials-cache.js';
import { SecretChangeSink } from './secret-change-sink.js';
import { SecretReferences } from './secret-references.js';
import { SecretWatcher } from './secret-watcher.js';
import type { Leadership } from './pass/leadership.js';
import { PassAbortedError } from './pass/pass-aborted-error.js';
import type { CommandOutcome } from '../gluster/gluster-cli.js';
import { WorkQueue } from './work-queue.js';

export interface RunningOperator {
  /**
   * The GlusterCluster watch is established: changes reach the queue as they happen (for
   * /readyz). The Secret watch is left out: it only makes Secret changes take effect sooner
   * (without it the next pass reads a Secret again once its copy is older than 60 s), so it is
   * no reason to be unready, nor to give up leadership.
   */
  isLive(): boolean;
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
export function createReconcilerDeps(options: OperatorOptions): {
  readonly api: GlusterClusterApi;
  readonly executors: ExecutorCache;
  readonly credentials: CredentialsCache;
  readonly inventory: InventoryReader;
  readonly deps: ReconcilerDeps;
} {
  const { kubeConfig, config, logger } = options;
  const api = createGlusterClusterApi(
    kubeConfig,
    config.watchNamespace ? { namespace: config.watchNamespace } : {},
  );
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
  const deps: ReconcilerDeps = {
    api,
    credentials,
    inventory,
    executors,
    events: createEventRecorder(kubeConfig, { logger }),
    facts: new ClusterFacts(),
    logger,
    now,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    ...(options.leadership ? { leadership: options.leadership } : {}),
    glusterTimeoutSeconds: config.glusterTimeoutSeconds,
    commandTimeoutMs: config.commandTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    defaultResyncMs: config.defaultResyncMs,
    ...(metrics
      ? {
          onCommand: (clusterKey: string, verb: string, outcome: CommandOutcome, ms: number) => {
            metrics.observeCommand(verb, outcome, ms);
            metrics.countCommand(clusterKey);
          },
        }
      : {}),
  };
  return { api, executors, credentials, inventory, deps };
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
 * Wires the loop: watcher → keyed queue (dedupe, backoff, one pass per resource at a time,
 * bounded parallelism, changes before resyncs) → the pass. What starts a pass: a change someone
 * made to a resource (its spec, its deletion; never a status write), a change to a Secret it
 * names (seen by a second watch, on Secrets' metadata only), its resync, a retry after an
 * error, or a follow-up of a change on its way. A pass that throws is retried with per-key
 * backoff; a pass that was stopped (PassAbortedError) wrote nothing and is retried only while
 * this replica still runs.
 */
export function startOperator(options: OperatorOptions): RunningOperator {
  const { config, logger } = options;
  const { api, executors, credentials, inventory, deps } = createReconcilerDeps(options);
  const metrics = options.metrics;
  const queue = new WorkQueue({
    workers: config.workers,
    logger,
    ...(metrics ? { observer: metrics.workQueueObserver } : {}),
  });
  metrics?.trackWorkQueue(queue, config.workers);
  metrics?.trackHandshakes(() => executors.handshakes());
  /** Consecutive follow-ups per key: their delay grows while a change stays on its way. */
  const followUps = new Map<string, number>();
  queue.start(async (key, signal) => {
    const started = performance.now();
    try {
      const result = await reconcileGlusterCluster(deps, parseQueueKey(key), signal);
      if (result.retry) {
        const delayMs = queue.addRateLimited(key);
        logger.debug('Retrying a failed change', { cluster: key, retryInMs: delayMs });
      } else {
        queue.forget(key);
      }
      const durationMs = performance.now() - started;
      if (result.gone) {
        // Nothing is kept for a resource that is gone: no resync timer, no counters.
        queue.cancel(key);
        followUps.delete(key);
        metrics?.forgetCluster(key);
        return;
      }
      metrics?.countPass(key, result.statusWritten ?? false);
      if (result.retry) {
        followUps.delete(key);
      } else if (result.followUp) {
        const count = followUps.get(key) ?? 0;
        followUps.set(key, count + 1);
        queue.addAfter(key, Math.min(config.progressRequeueMs, FIRST_FOLLOW_UP_MS * 2 ** count));
      } else {
        followUps.delete(key);
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      }
      if (result.health) metrics?.setClusterHealth(key, result.health);
      metrics?.observeReconcile(reconcileResultOf(result), durationMs, result.failureReason);
      logger.debug('Reconciled', { cluster: key, durationMs: Math.round(durationMs) });
    } catch (error) {
      if (signal.aborted) return;
      const message = error instanceof Error ? error.message : String(error);
      metrics?.observeReconcile('error', performance.now() - started, errorKindOf(error));
      const delayMs = queue.addRateLimited(key);
      if (error instanceof PassAbortedError) {
        logger.warn('Stopped a pass before it acted or wrote', {
          cluster: key,
          reason: error.reason,
          error: message,
          retryInMs: delayMs,
        });
        return;
      }
      logger.error('Failed to reconcile', { cluster: key, error: message, retryInMs: delayMs });
    }
  });
  const stopping = new AbortController();
  const references = new SecretReferences();
  const watcher = new GlusterClusterWatcher({
    api,
    queue,
    logger,
    onObject: (key, cluster) => {
      references.update(key, cluster);
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
    secretWatcher.run(stopping.signal),
  ]);
  return {
    isLive: () => watcher.isLive(),
    async stop() {
      stopping.abort();
      await watching;
      await queue.shutdown();
      await executors.closeAll();
      // What this replica saw goes stale the moment it stops: a standby shows no pool.
      metrics?.forgetAllClusters();
    },
  };
}
