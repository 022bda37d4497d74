import type {
  GlusterCluster,
  GlusterClusterStatus,
  GlusterNodeSpec,
  NodeState,
} from '../api/gluster-cluster.js';
import { FINALIZER } from '../api/gluster-cluster.js';
import type { PassFailure } from '../core/compute-status.js';
import { computeStatus, describeAction } from '../core/compute-status.js';
import type { DesiredNodes } from '../core/desired-nodes.js';
import { resolveDesiredNodes } from '../core/desired-nodes.js';
import { parseDurationMs } from '../core/duration.js';
import type { Observation } from '../core/observation.js';
import { planReconcile } from '../core/plan-reconcile.js';
import type { Action, Plan } from '../core/plan-types.js';
import { NEEDS_A_PERSON } from '../core/plan-types.js';
import { TerminalError } from '../errors.js';
import { CouldNotRunError } from '../exec/exec-errors.js';
import { ClusterChangeRefusedError } from '../gluster/cluster-errors.js';
import { GlusterCli } from '../gluster/gluster-cli.js';
import type { GlusterCliOptions } from '../gluster/gluster-cli.js';
import {
  GlusterCliError,
  GlusterOperationError,
  PeerHostsBricksError,
} from '../gluster/gluster-errors.js';
import type { Resolver } from '../gluster/host-identity.js';
import type { GlusterClusterApi, ObjectKey } from '../kube/gluster-cluster-api.js';
import { NotFoundError } from '../kube/kube-errors.js';
import type { SshCredentialsSource } from '../kube/ssh-credentials.js';
import { SshSecretError } from '../kube/ssh-credentials.js';
import { writeStatusIfChanged } from '../kube/status-writer.js';
import type { Logger } from '../observability/logger.js';
import type { ExecutorSource } from './executor-cache.js';
import { gatherObservation } from './gather-observation.js';
import type { InventoryReader } from './inventory-reader.js';
import { performAction } from './perform-action.js';
import { formatKubeTime } from '../kube/kube-time.js';

export interface EventSink {
  record(
    object: GlusterCluster,
    event: { type: 'Normal' | 'Warning'; reason: string; message: string; action: string },
  ): Promise<void>;
}

export interface ReconcilerDeps {
  readonly api: Pick<
    GlusterClusterApi,
    'get' | 'replaceStatus' | 'addFinalizer' | 'removeFinalizer'
  >;
  readonly credentials: SshCredentialsSource;
  readonly executors: ExecutorSource;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly resolver?: Resolver;
  /** gluster's --timeout. */
  readonly glusterTimeoutSeconds: number;
  /** How long one remote command may run before it is ended on the node (COMMAND_TIMEOUT_MS). */
  readonly commandTimeoutMs: number;
  /** How soon to look again while changes are under way. */
  readonly progressRequeueMs: number;
  readonly defaultResyncMs: number;
  readonly onCommand?: GlusterCliOptions['onCommand'];
  /** Reads spec.inventory sources. */
  readonly inventory: Pick<InventoryReader, 'read' | 'forget'>;
}

export interface ReconcileResult {
  /** Look again after this long even without an event: peers drift without Kubernetes noticing. */
  readonly requeueAfterMs?: number;
  /** The state of each spec node this pass saw (for metrics); absent when nothing was gathered. */
  readonly nodeStates?: readonly NodeState[];
}

/**
 * One level-based pass over one GlusterCluster: gather every node's view → plan (pure) → make at
 * most one change → write the status if it changed. Errors from gluster and SSH become the
 * status's reasons here, the one place that classifies them; an error thrown from here (an API
 * server failure) means "retry with backoff".
 */
export async function reconcileGlusterCluster(
  deps: ReconcilerDeps,
  key: ObjectKey,
  signal: AbortSignal,
): Promise<ReconcileResult> {
  let cluster: GlusterCluster;
  try {
    cluster = await deps.api.get(key.namespace, key.name);
  } catch (error) {
    if (error instanceof NotFoundError) {
      await deps.executors.forget(clusterKey(key));
      deps.inventory.forget(clusterKey(key));
      return {};
    }
    throw error;
  }
  const logger = deps.logger.child({
    cluster: clusterKey(key),
    generation: cluster.metadata.generation,
  });
  const spec = cluster.spec;
  const isDeleting = cluster.metadata.deletionTimestamp !== undefined;
  const hasFinalizer = cluster.metadata.finalizers?.includes(FINALIZER) ?? false;
  const deletionPolicy = spec.deletionPolicy ?? 'Retain';
  if (isDeleting && !hasFinalizer) return {};
  // Only Dissolve needs to act on deletion; with Retain the resource goes at once.
  if (!isDeleting && deletionPolicy === 'Dissolve' && !hasFinalizer) {
    cluster = await deps.api.addFinalizer(key.namespace, key.name);
  } else if (!isDeleting && deletionPolicy === 'Retain' && hasFinalizer) {
    cluster = await deps.api.removeFinalizer(key.namespace, key.name);
  }
  let resyncMs = parseDurationMs(spec.resyncInterval ?? '') ?? deps.defaultResyncMs;
  const desired = await desiredNodes(deps, key, cluster, signal);
  if (desired.nextReadInMs !== undefined) resyncMs = Math.min(resyncMs, desired.nextReadInMs);
  const { nodes } = desired;
  if (desired.inventory?.condition.status === 'False') {
    logger.warn('Kept the last good node list', {
      reason: desired.inventory.condition.reason,
      error: desired.inventory.condition.message,
      nodes: nodes.length,
    });
    const before = cluster.status?.conditions?.find((c) => c.type === 'InventorySynced');
    if (before?.message !== desired.inventory.condition.message) {
      await deps.events.record(cluster, {
        type: 'Warning',
        reason: desired.inventory.condition.reason,
        message: desired.inventory.condition.message,
        action: 'ReadInventory',
      });
    }
  }

  let credentials;
  try {
    credentials = await deps.credentials.load(key.namespace, spec.ssh.secretRef.name);
  } catch (error) {
    if (!(error instanceof SshSecretError)) throw error;
    const failure: PassFailure = { reason: error.reason, message: error.message, isTerminal: true };
    await deps.events.record(cluster, {
      type: 'Warning',
      reason: error.reason,
      message: error.message,
      action: 'ReadSecret',
    });
    const notAsked = unaskedObservation(
      nodes.map((node) => node.address),
      error.message,
    );
    await writeStatus(deps, key, desired, notAsked, undefined, failure, isDeleting);
    logger.warn('Failed to read the SSH Secret', { reason: error.reason, error: error.message });
    return { requeueAfterMs: resyncMs };
  }
  const executor = await deps.executors.executorFor(clusterKey(key), spec.ssh, credentials);
  const cli = new GlusterCli(executor, {
    timeoutSeconds: deps.glusterTimeoutSeconds,
    commandTimeoutMs: deps.commandTimeoutMs,
    logger,
    ...(deps.onCommand ? { onCommand: deps.onCommand } : {}),
  });
  const options = { signal, ...(deps.resolver ? { resolver: deps.resolver } : {}) };

  const observation = await gatherObservation(cli, nodes, options);
  const plan = planFor(cluster, nodes, observation, isDeleting);
  let actionTaken: Action | undefined;
  let failure: PassFailure | undefined;
  const action = plan.action;
  if (action?.kind === 'removeFinalizer') {
    logger.info('Removed the finalizer', { deletionPolicy });
    await deps.api.removeFinalizer(key.namespace, key.name);
    await deps.executors.forget(clusterKey(key));
    deps.inventory.forget(clusterKey(key));
    return {};
  }
  if (action) {
    const started = deps.now().getTime();
    try {
      const outcome = await performAction(cli, action, options);
      actionTaken = action;
      logger.info(outcome.message, {
        verb: action.kind,
        host: 'node' in action ? action.node : action.target,
        durationMs: deps.now().getTime() - started,
      });
      await deps.events.record(cluster, {
        type: 'Normal',
        reason: outcome.reason,
        message: outcome.message,
        action: action.kind,
      });
    } catch (error) {
      signal.throwIfAborted();
      failure = classifyActionError(error);
      logger.warn(`Failed: ${describeAction(action)}`, {
        verb: action.kind,
        reason: failure.reason,
        error: failure.message,
      });
      await deps.events.record(cluster, {
        type: 'Warning',
        reason: `${capitalize(action.kind)}Failed`,
        message: `${describeAction(action)}: ${failure.message}`,
        action: action.kind,
      });
    }
  }
  for (const blocked of plan.blocked.filter((entry) => NEEDS_A_PERSON.has(entry.reason))) {
    await deps.events.record(cluster, {
      type: 'Warning',
      reason: blocked.reason,
      message: `${blocked.target}: ${blocked.message}`,
      action: blocked.change,
    });
  }

  // The status describes what was observed before the change; the next pass sees its effect.
  const written = await writeStatus(
    deps,
    key,
    desired,
    observation,
    plan,
    failure,
    isDeleting,
    actionTaken,
  );
  if (written)
    logger.debug('Wrote status', {
      nodes: plan.nodes.map((node) => `${node.address}=${node.state}`).join(' '),
    });
  // Look again soon only while something is moving: a change just made, a failure to retry, or
  // a probe spreading. A node that stays Pending because its probe is blocked (paused, volumes of
  // its own) waits for the resync like everything else.
  const busy =
    actionTaken !== undefined ||
    (failure !== undefined && !failure.isTerminal) ||
    plan.nodes.some((node) => node.state === 'Probing') ||
    plan.blocked.some((blocked) => blocked.reason === 'WaitingForProbe');
  return {
    requeueAfterMs: busy ? Math.min(deps.progressRequeueMs, resyncMs) : resyncMs,
    nodeStates: plan.nodes.map((node) => node.state),
  };
}

/** The nodes in force: spec.nodes, or the inventory's (the last good list when a read fails). */
async function desiredNodes(
  deps: ReconcilerDeps,
  key: ObjectKey,
  cluster: GlusterCluster,
  signal: AbortSignal,
): Promise<DesiredNodes & { readonly nextReadInMs?: number }> {
  const { spec } = cluster;
  if (!spec.inventory) return resolveDesiredNodes({ spec });
  const previous = cluster.status?.inventory;
  const reading = await deps.inventory.read(clusterKey(key), key.namespace, spec.inventory, signal);
  return {
    ...resolveDesiredNodes({
      spec,
      source: reading.source,
      read: reading.read,
      ...(previous ? { previous } : {}),
    }),
    nextReadInMs: reading.nextReadInMs,
  };
}

/** The planner's input for a pass over `cluster` with `nodes` in force (also the CLI's `plan`). */
export function planFor(
  cluster: GlusterCluster,
  nodes: readonly GlusterNodeSpec[],
  observation: Observation,
  isDeleting: boolean,
): Plan {
  return planReconcile({
    nodes,
    removalPolicy: cluster.spec.removalPolicy ?? 'Detach',
    deletionPolicy: cluster.spec.deletionPolicy ?? 'Retain',
    paused: cluster.spec.paused ?? false,
    isDeleting,
    observation,
  });
}

async function writeStatus(
  deps: ReconcilerDeps,
  key: ObjectKey,
  desired: DesiredNodes,
  observation: Observation,
  plan: Plan | undefined,
  failure: PassFailure | undefined,
  isDeleting: boolean,
  actionTaken?: Action,
): Promise<boolean> {
  const now = formatKubeTime(deps.now());
  const result = await writeStatusIfChanged(deps.api, key, (current): GlusterClusterStatus =>
    computeStatus({
      specNodes: nodesOf(current, desired),
      removalPolicy: current.spec.removalPolicy ?? 'Detach',
      generation: current.metadata.generation ?? 0,
      // Recomputed from the object as it is now: a conflict may have brought a new spec.
      plan:
        plan && sameNodes(nodesOf(current, desired), observation)
          ? plan
          : planFor(current, nodesOf(current, desired), observation, isDeleting),
      observation,
      actionTaken,
      failure,
      previous: current.status,
      now,
      ...(desired.inventory ? { inventory: desired.inventory } : {}),
    }),
  );
  return result.written;
}

/** The object as it is now may carry a new inline list; an inventory's is this pass's. */
function nodesOf(current: GlusterCluster, desired: DesiredNodes): readonly GlusterNodeSpec[] {
  return current.spec.inventory ? desired.nodes : (current.spec.nodes ?? []);
}

function sameNodes(nodes: readonly GlusterNodeSpec[], observation: Observation): boolean {
  return (
    nodes.length === observation.nodes.length &&
    nodes.every((node, index) => node.address === observation.nodes[index]?.address)
  );
}

function unaskedObservation(addresses: readonly string[], why: string): Observation {
  return {
    nodes: addresses.map((address) => ({
      address,
      failure: { kind: 'not-asked', message: why },
      uuid: undefined,
      glusterVersion: undefined,
      view: undefined,
      bricksInOwnPool: undefined,
      volumesInOwnPool: undefined,
    })),
    bricksByUuid: {},
    opVersion: undefined,
  };
}

/** The one place where an error of a change becomes a reason for status, events and retries. */
function classifyActionError(error: unknown): PassFailure {
  if (error instanceof GlusterOperationError) {
    return {
      reason: error.reason,
      message: `${error.opErrstr || error.message}. ${error.hint}`,
      isTerminal: false,
    };
  }
  if (error instanceof PeerHostsBricksError) {
    return { reason: error.reason, message: `${error.message}. ${error.hint}`, isTerminal: false };
  }
  if (error instanceof ClusterChangeRefusedError) {
    return { reason: 'ChangeRefused', message: error.message, isTerminal: false };
  }
  if (error instanceof GlusterCliError)
    return { reason: 'GlusterCliFailed', message: error.message, isTerminal: false };
  if (error instanceof CouldNotRunError)
    return { reason: 'NodeUnreachable', message: error.message, isTerminal: false };
  if (error instanceof TerminalError)
    return { reason: 'InvalidRequest', message: error.message, isTerminal: true };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: 'UnexpectedError', message, isTerminal: false };
}

function clusterKey(key: ObjectKey): string {
  return `${key.namespace}/${key.name}`;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
