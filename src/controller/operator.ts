import type { KubeConfig } from '@kubernetes/client-node';
import { CoreV1Api } from '@kubernetes/client-node';
import type { OperatorConfig } from '../config.js';
import type { Resolver } from '../gluster/host-identity.js';
import { createEventRecorder } from '../kube/event-recorder.js';
import { createGlusterClusterApi } from '../kube/gluster-cluster-api.js';
import { createInventoryObjects } from '../kube/inventory-objects.js';
import { createSshCredentialsSource } from '../kube/ssh-credentials.js';
import type { Logger } from '../observability/logger.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import { ExecutorCache } from './executor-cache.js';
import { GlusterClusterWatcher, parseQueueKey } from './gluster-cluster-watcher.js';
import { reconcileGlusterCluster } from './reconcile-gluster-cluster.js';
import { InventoryReader } from './inventory-reader.js';
import type { ReconcilerDeps } from './reconcile-gluster-cluster.js';
import { WorkQueue } from './work-queue.js';

export interface RunningOperator {
  /** The watch is established: changes reach the queue as they happen (for /readyz). */
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
}

/**
 * Wires the loop: watcher → keyed queue (dedupe, backoff, one pass per resource at a time,
 * bounded parallelism) → reconcile. A pass that throws is retried with per-key backoff; a pass
 * that ends asks to be looked at again after its requeue time.
 */
export function startOperator(options: OperatorOptions): RunningOperator {
  const { kubeConfig, config, logger } = options;
  const api = createGlusterClusterApi(
    kubeConfig,
    config.watchNamespace ? { namespace: config.watchNamespace } : {},
  );
  const executors = new ExecutorCache({
    connectTimeoutMs: config.sshConnectTimeoutMs,
    commandTimeoutMs: config.commandTimeoutMs,
    logger,
  });
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const now = (): Date => new Date();
  const deps: ReconcilerDeps = {
    api,
    credentials: createSshCredentialsSource(core),
    inventory: new InventoryReader({ objects: createInventoryObjects(core), now }),
    executors,
    events: createEventRecorder(kubeConfig, { logger }),
    logger,
    now,
    ...(options.resolver ? { resolver: options.resolver } : {}),
    glusterTimeoutSeconds: config.glusterTimeoutSeconds,
    commandTimeoutMs: config.commandTimeoutMs,
    progressRequeueMs: config.progressRequeueMs,
    defaultResyncMs: config.defaultResyncMs,
    ...(options.metrics ? { onCommand: options.metrics.observeCommand.bind(options.metrics) } : {}),
  };
  const queue = new WorkQueue({ workers: config.workers, logger });
  const metrics = options.metrics;
  metrics?.trackWorkQueue(queue);
  queue.start(async (key, signal) => {
    const started = performance.now();
    try {
      const result = await reconcileGlusterCluster(deps, parseQueueKey(key), signal);
      queue.forget(key);
      if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      if (result.nodeStates) metrics?.setPeerStates(key, result.nodeStates);
      else metrics?.forgetCluster(key);
      const durationMs = performance.now() - started;
      // A pass that asks to be looked at again soon is a change under way.
      const isRequeue =
        result.requeueAfterMs !== undefined && result.requeueAfterMs <= config.progressRequeueMs;
      metrics?.observeReconcile(isRequeue ? 'requeue' : 'success', durationMs);
      logger.debug('Reconciled', { cluster: key, durationMs: Math.round(durationMs) });
    } catch (error) {
      if (signal.aborted) return;
      metrics?.observeReconcile('error', performance.now() - started);
      const delayMs = queue.addRateLimited(key);
      logger.error('Failed to reconcile', {
        cluster: key,
        error: error instanceof Error ? error.message : String(error),
        retryInMs: delayMs,
      });
    }
  });
  const stopping = new AbortController();
  const watcher = new GlusterClusterWatcher({ api, queue, logger });
  const watching = watcher.run(stopping.signal);
  return {
    isLive: () => watcher.isLive(),
    async stop() {
      stopping.abort();
      await watching.catch(() => undefined);
      await queue.shutdown();
      await executors.closeAll();
    },
  };
}
