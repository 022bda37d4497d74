import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeState } from '../api/gluster-cluster.js';

/** Every metric of the operator starts with this, the process metrics included. */
export const METRIC_PREFIX = 'gluster_operator_';

/**
 * How a reconcile pass ended: `success` (done; looked at again after the resync interval),
 * `requeue` (a change is under way; looked at again soon), `error` (threw; retried with backoff).
 */
export type ReconcileResult = 'success' | 'requeue' | 'error';

/**
 * How a remote command ended: `ok` (exit 0), `failed` (it ran and exited non-zero),
 * `could_not_run` (no answer: SSH connect/auth/host key, timeout, abort; a CouldNotRunError).
 * gluster exits 0 when glusterd refuses an operation: that is `ok` here, a refusal elsewhere.
 */
export type CommandOutcome = 'ok' | 'failed' | 'could_not_run';

/** Each value once, so the peers gauge reports 0 for states nobody is in; the compiler keeps it complete. */
const NODE_STATES = Object.keys({
  Connected: true,
  Disconnected: true,
  Probing: true,
  Pending: true,
  Unreachable: true,
  GlusterdDown: true,
  Rejected: true,
  InOtherPool: true,
  StaleView: true,
  Detaching: true,
  Unknown: true,
} satisfies Record<NodeState, true>) as NodeState[];

const RECONCILE_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const COMMAND_BUCKETS_SECONDS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the work queue tells the metrics; the WorkQueue satisfies it. */
export interface QueueGauges {
  depth(): number;
  inFlight(): number;
}

/**
 * The operator's metrics, in a Registry of their own (never prom-client's global one), with one
 * method per place that observes them, so each wiring is one line.
 */
export interface OperatorMetrics {
  readonly registry: Registry;
  /** After each reconcile pass. */
  observeReconcile(result: ReconcileResult, durationMs: number): void;
  /** After each remote command, e.g. in GlusterCli with the verb it logs ("peer probe"). */
  observeCommand(verb: string, outcome: CommandOutcome, durationMs: number): void;
  /** After each status computed for a GlusterCluster: its nodes' states (status.nodes[].state). */
  setPeerStates(clusterKey: string, states: readonly NodeState[]): void;
  /** When a GlusterCluster is gone: its nodes and its per-pool counters no longer count. */
  forgetCluster(clusterKey: string): void;
  /** After each pass over a GlusterCluster (not aborted), and whether it wrote the status. */
  countPass(clusterKey: string, statusWritten: boolean): void;
  /** After each remote command run for a GlusterCluster. */
  countCommand(clusterKey: string): void;
  /** Reads each GlusterCluster's SSH handshakes so far at each scrape. */
  trackHandshakes(source: () => ReadonlyMap<string, number>): void;
  /** Reads depth and in-flight at each scrape. */
  trackWorkQueue(queue: QueueGauges): void;
  /** Reads leadership at each scrape (`gluster_operator_leader` is 1 while leading). */
  trackLeader(isLeader: () => boolean): void;
}

export interface OperatorMetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC, …), prefixed. Default true. */
  readonly processMetrics?: boolean;
}

export function createOperatorMetrics(options: OperatorMetricsOptions = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  }
  const reconciles = new Counter({
    name: `${METRIC_PREFIX}reconcile_total`,
    help: 'Reconcile passes, by how they ended (success, requeue, error).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: `${METRIC_PREFIX}reconcile_duration_seconds`,
    help: 'How long a reconcile pass took.',
    buckets: RECONCILE_BUCKETS_SECONDS,
    registers: [registry],
  });
  const commandDuration = new Histogram({
    name: `${METRIC_PREFIX}remote_command_duration_seconds`,
    help: 'How long a remote (gluster) command took, by verb and outcome (ok, failed, could_not_run).',
    labelNames: ['verb', 'result'] as const,
    buckets: COMMAND_BUCKETS_SECONDS,
    registers: [registry],
  });

  const statesByCluster = new Map<string, readonly NodeState[]>();
  new Gauge({
    name: `${METRIC_PREFIX}peers`,
    help: 'Nodes of all GlusterClusters by state, as last written to their status.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = new Map<NodeState, number>(NODE_STATES.map((state) => [state, 0]));
      for (const states of statesByCluster.values()) {
        for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });

  const poolPasses = new Counter({
    name: `${METRIC_PREFIX}pool_reconciles_total`,
    help: 'Reconcile passes per GlusterCluster (namespace/name).',
    labelNames: ['cluster'] as const,
    registers: [registry],
  });
  const poolStatusWrites = new Counter({
    name: `${METRIC_PREFIX}pool_status_writes_total`,
    help: 'Status writes per GlusterCluster (namespace/name).',
    labelNames: ['cluster'] as const,
    registers: [registry],
  });
  const poolCommands = new Counter({
    name: `${METRIC_PREFIX}pool_remote_commands_total`,
    help: 'Remote (gluster) commands run per GlusterCluster (namespace/name).',
    labelNames: ['cluster'] as const,
    registers: [registry],
  });
  let handshakes: () => ReadonlyMap<string, number> = () => new Map();
  new Counter({
    name: `${METRIC_PREFIX}pool_ssh_handshakes_total`,
    help: 'SSH connections opened per GlusterCluster (namespace/name) since it was first seen.',
    labelNames: ['cluster'] as const,
    registers: [registry],
    collect() {
      // Read from the executors at each scrape: the count lives with the connections.
      this.reset();
      for (const [cluster, count] of handshakes()) this.inc({ cluster }, count);
    },
  });

  let queue: QueueGauges | undefined;
  new Gauge({
    name: `${METRIC_PREFIX}work_queue_depth`,
    help: 'GlusterClusters waiting in the work queue.',
    registers: [registry],
    collect() {
      this.set(queue?.depth() ?? 0);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}work_queue_in_flight`,
    help: 'GlusterClusters being reconciled right now.',
    registers: [registry],
    collect() {
      this.set(queue?.inFlight() ?? 0);
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
    registry,
    observeReconcile(result, durationMs) {
      reconciles.inc({ result });
      reconcileDuration.observe(durationMs / 1_000);
    },
    observeCommand(verb, outcome, durationMs) {
      commandDuration.observe({ verb, result: outcome }, durationMs / 1_000);
    },
    setPeerStates(clusterKey, states) {
      statesByCluster.set(clusterKey, [...states]);
    },
    forgetCluster(clusterKey) {
      statesByCluster.delete(clusterKey);
      for (const counter of [poolPasses, poolStatusWrites, poolCommands]) {
        counter.remove({ cluster: clusterKey });
      }
    },
    countPass(clusterKey, statusWritten) {
      poolPasses.inc({ cluster: clusterKey });
      if (statusWritten) poolStatusWrites.inc({ cluster: clusterKey });
    },
    countCommand(clusterKey) {
      poolCommands.inc({ cluster: clusterKey });
    },
    trackHandshakes(source) {
      handshakes = source;
    },
    trackWorkQueue(source) {
      queue = source;
    },
    trackLeader(source) {
      isLeader = source;
    },
  };
}
