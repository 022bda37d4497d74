import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeState } from '../api/gluster-cluster.js';
import type { WorkQueueObserver } from '../controller/work-queue.js';
import { REVISION, VERSION } from '../version.js';

import { METRIC_PREFIX } from './metric-names.js';
import { registerVolumeMetrics, type VolumeMetrics } from './volume-metrics.js';
import { registerEventMetrics, type EventMetrics } from './event-metrics.js';

export { METRIC_PREFIX } from './metric-names.js';

/** The `controller` label of controller-runtime's metrics and the `name` of the work queue's. */
export const CONTROLLER_NAME = 'glustercluster';

/**
 * How a reconcile pass ended, as controller-runtime counts it: `success` (done; looked at again
 * after the resync interval), `requeue` (looked at again at once: a change landed and the next
 * may follow), `requeue_after` (a change is under way; looked at again soon), `error` (it threw,
 * or a change failed: retried with backoff).
 */
export type ReconcileResult = 'success' | 'requeue' | 'requeue_after' | 'error';

/**
 * How a remote command ended: `ok` (exit 0), `failed` (it ran and exited non-zero),
 * `could_not_run` (no answer: SSH connect/auth/host key, timeout, abort; a CouldNotRunError).
 * gluster exits 0 when glusterd refuses an operation: that is `ok` here, a refusal elsewhere.
 */
export type CommandOutcome = 'ok' | 'failed' | 'could_not_run';

/** What a pass saw of one GlusterCluster, as its status says it. */
export interface ClusterHealth {
  /** The Ready condition is True. */
  readonly ready: boolean;
  /** Each spec node's state (status.nodes[].state). */
  readonly nodeStates: readonly NodeState[];
  /** The InventorySynced condition is True; undefined when the nodes come from spec.nodes. */
  readonly inventorySynced?: boolean;
}

/** The build this process runs, for `gluster_operator_build_info`. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
}

const RECONCILE_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const COMMAND_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** client-go's workqueue buckets: 10^-8 s to 10 s, by factors of 10. */
const QUEUE_BUCKETS_SECONDS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

/** What the work queue tells the metrics at each scrape; the WorkQueue satisfies it. */
export interface QueueGauges {
  depth(): number;
  inFlight(): number;
  unfinishedWork(): { readonly totalMs: number; readonly longestMs: number };
}

/**
 * The operator's metrics, in a Registry of their own (never prom-client's global one), with one
 * method per place that observes them, so each wiring is one line. Per-GlusterCluster series are
 * labelled `namespace` and `name` and removed when the resource goes; nothing is labelled per
 * node, so a pool adds at most 7 series plus one per distinct node state, whatever its size.
 */
export interface OperatorMetrics extends VolumeMetrics, EventMetrics {
  readonly registry: Registry;
  /** After each pass; `errorReason` with `error`: a change's typed reason or an error's class. */
  observeReconcile(result: ReconcileResult, durationMs: number, errorReason?: string): void;
  /** After each remote command, e.g. in GlusterCli with the verb it logs ("peer probe"). */
  observeCommand(verb: string, outcome: CommandOutcome, durationMs: number): void;
  /** After each status computed for a GlusterCluster. */
  setClusterHealth(clusterKey: string, health: ClusterHealth): void;
  /** When a GlusterCluster is gone: every series of its own goes. */
  forgetCluster(clusterKey: string): void;
  /**
   * When this replica stops reconciling (it lost the Lease, or stops): every GlusterCluster's
   * series go, so a standby never shows a picture it no longer keeps up to date.
   */
  forgetAllClusters(): void;
  /** After each pass over a GlusterCluster (not aborted), and whether it wrote the status. */
  countPass(clusterKey: string, statusWritten: boolean): void;
  /** After each remote command run for a GlusterCluster. */
  countCommand(clusterKey: string): void;
  /** Reads each GlusterCluster's SSH handshakes so far at each scrape. */
  trackHandshakes(source: () => ReadonlyMap<string, number>): void;
  /** Reads depth, in-flight and unfinished work at each scrape. */
  trackWorkQueue(queue: QueueGauges, workers: number): void;
  /** What the work queue calls as it goes (adds, waits, runs, retries). */
  readonly workQueueObserver: WorkQueueObserver;
  /** Reads leadership at each scrape (`gluster_operator_leader` is 1 while leading). */
  trackLeader(isLeader: () => boolean): void;
}

export interface OperatorMetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC, …), unprefixed. Default true. */
  readonly processMetrics?: boolean;
  /** `gluster_operator_build_info`'s labels; default: this build's (src/version.ts). */
  readonly build?: BuildInfo;
}

/** "namespace/name" → the two labels. */
function clusterLabels(clusterKey: string): { namespace: string; name: string } {
  const slash = clusterKey.indexOf('/');
  return { namespace: clusterKey.slice(0, slash), name: clusterKey.slice(slash + 1) };
}

export function createOperatorMetrics(options: OperatorMetricsOptions = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const build = options.build ?? { version: VERSION, revision: REVISION };
  new Gauge({
    name: `${METRIC_PREFIX}build_info`,
    help: 'Always 1; the labels say which build runs (version, git revision, Node.js version).',
    labelNames: ['version', 'revision', 'nodejs_version'] as const,
    registers: [registry],
  }).set({ ...build, nodejs_version: process.version }, 1);

  const controller = { controller: CONTROLLER_NAME };
  const reconciles = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller, by result.',
    labelNames: ['controller', 'result'] as const,
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller.',
    labelNames: ['controller'] as const,
    registers: [registry],
  });
  const errorsByReason = new Counter({
    name: `${METRIC_PREFIX}reconcile_errors_total`,
    help: 'Reconcile passes that ended in an error, by reason: the typed reason of a change that failed (NodeUnreachable, ChangeRefused, …) or the kind of error thrown (KubernetesApi, PassAborted, Unexpected).',
    labelNames: ['controller', 'reason'] as const,
    registers: [registry],
  });
  const reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller.',
    labelNames: ['controller'] as const,
    buckets: RECONCILE_BUCKETS_SECONDS,
    registers: [registry],
  });
  // Every result from the start, so that rate() and increase() see the first one.
  for (const result of ['success', 'requeue', 'requeue_after', 'error'] as const) {
    reconciles.inc({ ...controller, result }, 0);
  }
  reconcileErrors.inc(controller, 0);

  const commandDuration = new Histogram({
    name: `${METRIC_PREFIX}remote_command_duration_seconds`,
    help: 'How long a remote (gluster) command took, by verb and outcome (ok, failed, could_not_run).',
    labelNames: ['verb', 'result'] as const,
    buckets: COMMAND_BUCKETS_SECONDS,
    registers: [registry],
  });

  const healthByCluster = new Map<string, ClusterHealth>();
  new Gauge({
    name: `${METRIC_PREFIX}cluster_ready`,
    help: "1 while a GlusterCluster's Ready condition is True, else 0, as its last pass saw it.",
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, health] of healthByCluster) {
        this.set(clusterLabels(key), health.ready ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cluster_nodes`,
    help: "A GlusterCluster's spec nodes by state (status.nodes[].state), as its last pass saw them; a state no node is in has no series.",
    labelNames: ['namespace', 'name', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, health] of healthByCluster) {
        const counts = new Map<NodeState, number>();
        for (const state of health.nodeStates) counts.set(state, (counts.get(state) ?? 0) + 1);
        for (const [state, count] of counts) this.set({ ...clusterLabels(key), state }, count);
      }
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}cluster_inventory_synced`,
    help: "1 while a GlusterCluster's node inventory is read and applied (InventorySynced True), else 0; only for GlusterClusters with spec.inventory.",
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, health] of healthByCluster) {
        if (health.inventorySynced === undefined) continue;
        this.set(clusterLabels(key), health.inventorySynced ? 1 : 0);
      }
    },
  });

  const clusterPasses = new Counter({
    name: `${METRIC_PREFIX}cluster_reconciles_total`,
    help: 'Reconcile passes over a GlusterCluster (passes that were stopped not counted).',
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
  });
  const clusterStatusWrites = new Counter({
    name: `${METRIC_PREFIX}cluster_status_writes_total`,
    help: "Writes of a GlusterCluster's status.",
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
  });
  const clusterCommands = new Counter({
    name: `${METRIC_PREFIX}cluster_remote_commands_total`,
    help: 'Remote (gluster) commands run for a GlusterCluster.',
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
  });
  let handshakes: () => ReadonlyMap<string, number> = () => new Map();
  new Counter({
    name: `${METRIC_PREFIX}cluster_ssh_handshakes_total`,
    help: 'SSH connections opened for a GlusterCluster since the operator first saw it.',
    labelNames: ['namespace', 'name'] as const,
    registers: [registry],
    collect() {
      // Read from the executors at each scrape: the count lives with the connections.
      this.reset();
      for (const [cluster, count] of handshakes()) this.inc(clusterLabels(cluster), count);
    },
  });

  const queueName = { name: CONTROLLER_NAME };
  let queue: QueueGauges | undefined;
  let workers = 0;
  new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue.',
    labelNames: ['name'] as const,
    registers: [registry],
    collect() {
      this.set(queueName, queue?.depth() ?? 0);
    },
  });
  const adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue.',
    labelNames: ['name'] as const,
    registers: [registry],
  });
  adds.inc(queueName, 0);
  retries.inc(queueName, 0);
  const queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames: ['name'] as const,
    buckets: QUEUE_BUCKETS_SECONDS,
    registers: [registry],
  });
  const workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name'] as const,
    buckets: QUEUE_BUCKETS_SECONDS,
    registers: [registry],
  });
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration. Large values indicate stuck threads.',
    labelNames: ['name'] as const,
    registers: [registry],
    collect() {
      this.set(queueName, (queue?.unfinishedWork().totalMs ?? 0) / 1_000);
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames: ['name'] as const,
    registers: [registry],
    collect() {
      this.set(queueName, (queue?.unfinishedWork().longestMs ?? 0) / 1_000);
    },
  });
  new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller.',
    labelNames: ['controller'] as const,
    registers: [registry],
    collect() {
      this.set(controller, queue?.inFlight() ?? 0);
    },
  });
  new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller.',
    labelNames: ['controller'] as const,
    registers: [registry],
    collect() {
      this.set(controller, workers);
    },
  });

  let isLeader: () => boolean = () => false;
  new Gauge({
    name: `${METRIC_PREFIX}leader`,
    help: '1 while this replica is the leader (it reconciles), else 0.',
    registers: [registry],
    collect() {
      this.set(isLeader() ? 1 : 0);
    },
  });

  return {
    ...registerVolumeMetrics(registry),
    ...registerEventMetrics(registry),
    registry,
    observeReconcile(result, durationMs, errorReason) {
      reconciles.inc({ ...controller, result });
      reconcileTime.observe(controller, durationMs / 1_000);
      if (result === 'error') {
        reconcileErrors.inc(controller);
        errorsByReason.inc({ ...controller, reason: errorReason ?? 'Unexpected' });
      }
    },
    observeCommand(verb, outcome, durationMs) {
      commandDuration.observe({ verb, result: outcome }, durationMs / 1_000);
    },
    setClusterHealth(clusterKey, health) {
      healthByCluster.set(clusterKey, { ...health, nodeStates: [...health.nodeStates] });
    },
    forgetCluster(clusterKey) {
      healthByCluster.delete(clusterKey);
      for (const counter of [clusterPasses, clusterStatusWrites, clusterCommands]) {
        counter.remove(clusterLabels(clusterKey));
      }
    },
    forgetAllClusters() {
      healthByCluster.clear();
      for (const counter of [clusterPasses, clusterStatusWrites, clusterCommands]) counter.reset();
    },
    countPass(clusterKey, statusWritten) {
      clusterPasses.inc(clusterLabels(clusterKey));
      if (statusWritten) clusterStatusWrites.inc(clusterLabels(clusterKey));
    },
    countCommand(clusterKey) {
      clusterCommands.inc(clusterLabels(clusterKey));
    },
    trackHandshakes(source) {
      handshakes = source;
    },
    trackWorkQueue(source, workerCount) {
      queue = source;
      workers = workerCount;
    },
    workQueueObserver: {
      added() {
        adds.inc(queueName);
      },
      waited(ms) {
        queueDuration.observe(queueName, ms / 1_000);
      },
      worked(ms) {
        workDuration.observe(queueName, ms / 1_000);
      },
      retried() {
        retries.inc(queueName);
      },
    },
    trackLeader(source) {
      isLeader = source;
    },
  };
}
