import type {
  GlusterCluster,
  GlusterClusterStatus,
  GlusterNodeSpec,
  NodeState,
} from '../api/gluster-cluster.js';
import { FINALIZER } from '../api/gluster-cluster.js';
import type { PassFailure } from '../core/compute-status.js';
import { computeStatus, describeAction } from '../core/compute-status.js';
import { parseDurationMs } from '../core/duration.js';
import type { Observation } from '../core/observation.js';
import { planReconcile } from '../core/plan-reconcile.js';
import type { Action, Plan } from '../core/plan-types.js';
import { isDestructive, NEEDS_A_PERSON } from '../core/plan-types.js';
import { GlusterCli } from '../gluster/gluster-cli.js';
import { GlusterOperationError } from '../gluster/gluster-errors.js';
import { getVolumeInfo } from '../gluster/volume-info.js';
import type { CallOptions, GlusterCliOptions } from '../gluster/gluster-cli.js';
import type { Resolver } from '../gluster/host-identity.js';
import type { GlusterClusterApi, ObjectKey } from '../kube/gluster-cluster-api.js';
import { formatKubeTime } from '../kube/kube-time.js';
import type { SshCredentialsSource } from '../kube/ssh-credentials.js';
import { SshSecretError } from '../kube/ssh-credentials.js';
import { writeStatusIfChanged } from '../kube/status-writer.js';
import type { Logger } from '../observability/logger.js';
import type { ClusterHealth } from '../observability/metrics.js';
import { classifyActionError } from './classify-action-error.js';
import { readDesiredNodes } from './desired-node-list.js';
import type { DesiredNodeList } from './desired-node-list.js';
import type { EventSink } from './event-sink.js';
import type { ExecutorSource } from './executor-cache.js';
import { applyFinalizerPolicy } from './finalizer-policy.js';
import { followChanges } from './follow-changes.js';
import type { GatherOptions } from './gather-observation.js';
import { gatherObservation, readOptions, readPlanNeeds } from './gather-observation.js';
import type { InventoryReader } from './inventory-reader.js';
import { NodeFacts } from './node-facts.js';
import type { ChangeFence } from './pass/change-fence.js';
import type { Leadership } from './pass/leadership.js';
import { ALWAYS_LEADING } from './pass/leadership.js';
import { PassAbortedError } from './pass/pass-aborted-error.js';
import type { PassOutcome, PassResource, PassResult } from './pass/reconcile-pass.js';
import { runReconcilePass } from './pass/reconcile-pass.js';
import { readUnlessGone } from './pass/read-unless-gone.js';
import { performAction } from './perform-action.js';
import type { EventRouter } from './events/event-router.js';
import type { EventsRegistrar } from './events/events-registrar.js';
import { applyPeerDownReports } from '../core/events/apply-down-reports.js';
import type { EventsDeliveryReport } from '../core/events/events-delivery.js';

export type { EventSink } from './event-sink.js';

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
  /** How long one remote change may run before it is ended on the node (COMMAND_TIMEOUT_MS). */
  readonly commandTimeoutMs: number;
  /** How long one read of a node may take before the node counts as not answering. */
  readonly readTimeoutMs?: number;
  /** How long a pass follows its changes before it leaves them to a later pass. */
  readonly followTimeoutMs?: number;
  readonly defaultResyncMs: number;
  /** Told of every gluster command, with the cluster it was run for. */
  readonly onCommand?: (
    clusterKey: string,
    ...command: Parameters<NonNullable<GlusterCliOptions['onCommand']>>
  ) => void;
  /** Reads spec.inventory sources. */
  readonly inventory: Pick<InventoryReader, 'read' | 'forget'>;
  /** Versions and op-version per cluster, kept between passes. */
  readonly facts: ClusterFacts;
  /** Asked right before every change and status write. Default: always leading. */
  readonly leadership?: Leadership;
  /** The GlusterVolume (`namespace/name`) declaring a gluster volume of a cluster, if any. */
  readonly volumeOwner?: (clusterKey: string, volumeName: string) => string | undefined;
  /** glusterd's events (spec.events): absent when the operator has no events receiver. */
  readonly glusterdEvents?: GlusterdEventsDeps;
}

/** What a pass needs for spec.events: the nodes' registration, and the reports events made. */
export interface GlusterdEventsDeps {
  readonly registrar: Pick<EventsRegistrar, 'check' | 'release'>;
  readonly router: Pick<
    EventRouter,
    'peerReportsAfter' | 'settlePeers' | 'notePassWrote' | 'forget'
  >;
  /** The resync while EventsDelivery is False: the poll stands in for the events. */
  readonly fallbackResyncMs: number;
}

/** The facts kept per GlusterCluster, released when it goes. */
export class ClusterFacts {
  private readonly byCluster = new Map<string, NodeFacts>();

  constructor(private readonly create: () => NodeFacts = () => new NodeFacts()) {}

  of(clusterKey: string): NodeFacts {
    let facts = this.byCluster.get(clusterKey);
    if (!facts) {
      facts = this.create();
      this.byCluster.set(clusterKey, facts);
    }
    return facts;
  }

  forget(clusterKey: string): void {
    this.byCluster.delete(clusterKey);
  }

  get size(): number {
    return this.byCluster.size;
  }
}

export interface ReconcileResult extends PassResult {
  /** What the status this pass computed says (for metrics); absent when it computed none. */
  readonly health?: ClusterHealth;
  /** The typed reason of the change that failed, with `retry`. */
  readonly failureReason?: string;
  /** The pass wrote the resource's status. */
  readonly statusWritten?: boolean;
  /** The resource is gone (or let go): everything kept for it was released. */
  readonly gone?: boolean;
}

/**
 * One level-based pass over one GlusterCluster on the shared pass skeleton: finalizer policy →
 * desired nodes → gather every node's view → plan (pure) → every probe at once, or one
 * destructive change, each behind the fence → follow the changes until they land → write the
 * status this pass saw. Errors from gluster and SSH become the status's reasons here; an error
 * thrown from here (an API server failure) means "retry with backoff"; a PassAbortedError means
 * the pass stopped and wrote nothing.
 */
export async function reconcileGlusterCluster(
  deps: ReconcilerDeps,
  key: ObjectKey,
  signal: AbortSignal,
): Promise<ReconcileResult> {
  const clusterKey = `${key.namespace}/${key.name}`;
  let health: ClusterHealth | undefined;
  let failureReason: string | undefined;
  let statusWritten = false;
  let gone = false;
  const forget = async (): Promise<void> => {
    gone = true;
    try {
      // Before the SSH connections close: the webhook goes from the nodes with the resource.
      await deps.glusterdEvents?.registrar.release(clusterKey, signal);
    } finally {
      await deps.executors.forget(clusterKey);
      deps.inventory.forget(clusterKey);
      deps.facts.forget(clusterKey);
      deps.events.forget?.(key.namespace, key.name);
      deps.glusterdEvents?.router.forget(clusterKey);
    }
  };
  /** When this pass's first look started: down reports since then are laid over its status. */
  let lookStartedMs: number | undefined;
  const resource: PassResource<GlusterCluster, GlusterClusterStatus> = {
    read: () => readUnlessGone(() => deps.api.get(key.namespace, key.name)),
    forget,
    prepare: (cluster) =>
      applyFinalizerPolicy(
        deps.api,
        cluster,
        { finalizer: FINALIZER, actsOnDeletion: cluster.spec.deletionPolicy === 'Dissolve' },
        forget,
      ),
    run: async (cluster, fence) => {
      const outcome = await runPass(deps, clusterKey, cluster, fence, signal, forget, (ms) => {
        lookStartedMs = ms;
      });
      health = outcome.status && healthOf(outcome.status);
      failureReason = outcome.failureReason;
      return outcome;
    },
    writeStatus: async (snapshot, computed) => {
      // What events reported since the look began stays until a later look settles it.
      const router = deps.glusterdEvents?.router;
      const reports =
        router && lookStartedMs !== undefined
          ? router.peerReportsAfter(clusterKey, lookStartedMs)
          : [];
      const status = applyPeerDownReports(computed, reports, formatKubeTime(deps.now()));
      const { outcome } = await writeStatusIfChanged(deps.api, snapshot, status);
      statusWritten = outcome === 'written';
      if (router && lookStartedMs !== undefined && outcome !== 'superseded') {
        router.settlePeers(clusterKey, lookStartedMs);
        router.notePassWrote(clusterKey, reports);
      }
      return outcome;
    },
  };
  const result = await runReconcilePass(resource, {
    leadership: deps.leadership ?? ALWAYS_LEADING,
    signal,
    maxChangeMs: deps.commandTimeoutMs,
  });
  return {
    ...result,
    ...(health ? { health } : {}),
    ...(failureReason === undefined ? {} : { failureReason }),
    statusWritten,
    gone,
  };
}

async function runPass(
  deps: ReconcilerDeps,
  clusterKey: string,
  cluster: GlusterCluster,
  fence: ChangeFence,
  signal: AbortSignal,
  forget: () => Promise<void>,
  onLookStarted: (ms: number) => void,
): Promise<PassOutcome<GlusterClusterStatus> & { failureReason?: string }> {
  const logger = deps.logger.child({ cluster: clusterKey, generation: fence.generation });
  const { spec } = cluster;
  const isDeleting = cluster.metadata.deletionTimestamp !== undefined;
  const desired = await readDesiredNodes(deps, clusterKey, cluster, signal);
  let resyncMs = parseDurationMs(spec.resyncInterval ?? '') ?? deps.defaultResyncMs;
  if (desired.nextReadInMs !== undefined) resyncMs = Math.min(resyncMs, desired.nextReadInMs);
  const { nodes } = desired;
  const statusOf = (
    observation: Observation,
    plan: Plan,
    failure?: PassFailure,
    events?: EventsDeliveryReport,
  ) =>
    computeStatus({
      specNodes: nodes,
      removalPolicy: spec.removalPolicy ?? 'Detach',
      generation: fence.generation,
      plan,
      observation,
      failure,
      previous: cluster.status,
      now: formatKubeTime(deps.now()),
      ...(desired.inventory ? { inventory: desired.inventory } : {}),
      ...(events ? { events } : {}),
    });

  let credentials;
  try {
    credentials = await deps.credentials.load(cluster.metadata.namespace, spec.ssh.secretRef.name);
  } catch (error) {
    if (!(error instanceof SshSecretError)) throw error;
    logger.warn('Failed to read the SSH Secret', { reason: error.reason, error: error.message });
    await deps.events.record(cluster, {
      type: 'Warning',
      reason: error.reason,
      message: error.message,
      action: 'ReadSecret',
    });
    const observation = unaskedObservation(nodes, error.message);
    const plan = planFor(cluster, nodes, observation, isDeleting);
    const failure = { reason: error.reason, message: error.message, isTerminal: true };
    // No node can be asked: the events condition says so rather than vanishing.
    const eventsReport = await deps.glusterdEvents?.registrar.check(
      clusterKey,
      cluster,
      undefined,
      observation,
      { resyncMs, signal },
    );
    fence.throwIfAborted('write the status');
    return {
      status: statusOf(observation, plan, failure, eventsReport),
      result: { requeueAfterMs: resyncMs },
    };
  }
  const executor = await deps.executors.executorFor(clusterKey, spec.ssh, credentials);
  const onCommand = deps.onCommand;
  const cli = new GlusterCli(executor, {
    timeoutSeconds: deps.glusterTimeoutSeconds,
    commandTimeoutMs: deps.commandTimeoutMs,
    logger,
    ...(onCommand
      ? {
          onCommand: (...command) => {
            onCommand(clusterKey, ...command);
          },
        }
      : {}),
  });
  const volumeOwner = deps.volumeOwner;
  const gatherOptions: GatherOptions = {
    signal,
    facts: deps.facts.of(clusterKey),
    ...(volumeOwner
      ? { volumeOwner: (volumeName: string) => volumeOwner(clusterKey, volumeName) }
      : {}),
    ...(deps.resolver ? { resolver: deps.resolver } : {}),
    ...(deps.readTimeoutMs === undefined ? {} : { readTimeoutMs: deps.readTimeoutMs }),
  };
  const look = (options: GatherOptions) =>
    lookAtPool(cli, cluster, nodes, options, () => {
      // An aborted look says nothing about the pool: nothing is decided or written from it.
      fence.throwIfAborted('plan');
    });

  onLookStarted(deps.now().getTime());
  // Probably-lone nodes are asked their glusterd store first (no CLI, ~0.1 s less each): not
  // through sudo, whose least-privilege rule allows the gluster CLI only.
  let { observation, plan } = await look({ ...gatherOptions, storeReads: spec.ssh.sudo !== true });
  if (readFromStore(observation) && !plan.batch.some((action) => action.kind === 'probe')) {
    // A store read may lead to a probe and nothing else: anything else is decided on glusterd's
    // own answer.
    ({ observation, plan } = await look(gatherOptions));
  }
  if (plan.batch[0]?.kind === 'removeFinalizer') {
    fence.assertLeading('remove the finalizer');
    logger.info('Removed the finalizer', { deletionPolicy: spec.deletionPolicy ?? 'Retain' });
    await deps.api.removeFinalizer(cluster.metadata.namespace, cluster.metadata.name);
    await forget();
    return { status: undefined, result: {} };
  }
  await recordNewBlockers(deps.events, cluster, plan);

  const { made, failure } = await act(deps, cli, cluster, plan.batch, fence, signal, logger, {
    observation,
    facts: deps.facts.of(clusterKey),
  });
  let landed = true;
  if (made.length > 0) {
    const before = observation;
    const followed = await followChanges(made, {
      look: () => look({ ...gatherOptions, poolListsOnly: true }),
      signal,
      ...(deps.followTimeoutMs === undefined ? {} : { timeoutMs: deps.followTimeoutMs }),
    });
    fence.throwIfAborted('write the status');
    ({ plan, landed } = followed);
    observation = withFactsOf(before, followed.observation);
  } else if (readFromStore(observation)) {
    // Every probe failed: the status comes from glusterd's own answer, never from the store.
    ({ observation, plan } = await look(gatherOptions));
  }

  const eventsReport = await deps.glusterdEvents?.registrar.check(
    clusterKey,
    cluster,
    cli,
    observation,
    { resyncMs, signal },
  );
  fence.throwIfAborted('write the status');
  if (eventsReport?.condition.status === 'False') {
    resyncMs = Math.min(resyncMs, deps.glusterdEvents?.fallbackResyncMs ?? resyncMs);
  }
  const status = statusOf(observation, plan, failure, eventsReport);
  const probing = plan.nodes.filter((node) => node.state === 'Probing');
  deps.facts.of(clusterKey).noteProbing(probing.map((node) => node.address));
  // A handshake that has not finished for minutes waits for a person (Stalled), not a poll.
  const stuck = new Set(plan.blocked.filter((b) => b.reason === 'ProbeStuck').map((b) => b.target));
  const stillMoving = probing.some((node) => !stuck.has(node.address));
  let result: PassResult;
  if (failure && !failure.isTerminal) {
    // Retried with a backoff that grows per failure (up to minutes), not polled.
    result = { retry: true };
  } else if (!landed || (made.length === 0 && stillMoving)) {
    // Something is on its way: look again soon, less soon each time.
    result = { followUp: true };
  } else if (made.length > 0) {
    // Changes landed: the next pass follows at once, for the next changes (a detach after
    // probes, the next detach) and the versions a pass that changes things does not read.
    result = { requeueAfterMs: 0 };
  } else {
    result = { requeueAfterMs: resyncMs };
  }
  return { status, result, ...(failure ? { failureReason: failure.reason } : {}) };
}

/** Some node's view came from its glusterd store, not from glusterd. */
function readFromStore(observation: Observation): boolean {
  return observation.nodes.some((node) => node.fromStore === true);
}

/** What metrics show of a status: Ready, the nodes' states, InventorySynced. */
function healthOf(status: GlusterClusterStatus): ClusterHealth {
  const isTrue = (type: string): boolean | undefined => {
    const condition = status.conditions?.find((c) => c.type === type);
    return condition && condition.status === 'True';
  };
  const inventorySynced = isTrue('InventorySynced');
  return {
    ready: isTrue('Ready') ?? false,
    nodeStates: (status.nodes ?? []).map((node) => node.state),
    ...(inventorySynced === undefined ? {} : { inventorySynced }),
  };
}

/**
 * Makes the batch's changes, each cleared by the fence right before it starts. Probes run side
 * by side (glusterd takes concurrent probes; the executor runs at most 4 commands per node at
 * once); a destructive change is alone in its batch.
 */
async function act(
  deps: ReconcilerDeps,
  cli: GlusterCli,
  cluster: GlusterCluster,
  batch: readonly Action[],
  fence: ChangeFence,
  signal: AbortSignal,
  logger: Logger,
  seen: { readonly observation: Observation; readonly facts: NodeFacts },
): Promise<{ made: Action[]; failure: PassFailure | undefined }> {
  const made: Action[] = [];
  let failure: PassFailure | undefined;
  const events: Promise<void>[] = [];
  // Explaining a refused probe is a read: it has the reads' deadline, not a change's.
  const read = readOptions({
    signal,
    ...(deps.readTimeoutMs === undefined ? {} : { readTimeoutMs: deps.readTimeoutMs }),
  });
  const makeOne = async (action: Exclude<Action, { kind: 'removeFinalizer' }>): Promise<void> => {
    const what = describeAction(action);
    const timeoutMs = await fence.clear(what, { isDestructive: isDestructive(action) });
    const started = deps.now().getTime();
    try {
      const outcome = await performAction(cli, action, {
        signal,
        timeoutMs,
        ...(deps.resolver ? { resolver: deps.resolver } : {}),
      });
      made.push(action);
      logger.info(outcome.message, {
        verb: action.kind,
        host: 'node' in action ? action.node : action.target,
        durationMs: deps.now().getTime() - started,
      });
      events.push(
        deps.events.record(cluster, {
          type: 'Normal',
          reason: outcome.reason,
          message: outcome.message,
          action: action.kind,
        }),
      );
    } catch (error) {
      if (signal.aborted) {
        throw new PassAbortedError('Shutdown', `Stopped while: ${what}`, { cause: error });
      }
      const failed =
        (await explainRefusedProbe(cli, action, error, seen, read)) ?? classifyActionError(error);
      failure ??= failed;
      logger.warn(`Failed: ${what}`, {
        verb: action.kind,
        reason: failed.reason,
        error: failed.message,
      });
      events.push(
        deps.events.record(cluster, {
          type: 'Warning',
          reason: `${capitalize(action.kind)}Failed`,
          message: `${what}: ${failed.message}`,
          action: action.kind,
        }),
      );
      // A failed probe does not stop the others.
    }
  };
  const changes = batch.filter((action) => action.kind !== 'removeFinalizer');
  try {
    const probes = changes.filter((action) => action.kind === 'probe');
    const others = changes.filter((action) => action.kind !== 'probe');
    // A fence refusal (PassAbortedError) stops the pass; the probes already started finish.
    const settled = await Promise.allSettled(probes.map(makeOne));
    const refused = settled.find((outcome) => outcome.status === 'rejected');
    if (refused) throw refused.reason;
    for (const action of others) await makeOne(action);
  } finally {
    await Promise.all(events);
  }
  return { made, failure };
}

/**
 * gluster refuses to probe a lone node that has volumes of its own, with the same answer as for
 * a node in another pool. The volumes are read only then, to say which, and remembered, so the
 * next passes report NodeHasVolumes (Stalled) instead of probing again.
 */
async function explainRefusedProbe(
  cli: GlusterCli,
  action: Action,
  error: unknown,
  seen: { readonly observation: Observation; readonly facts: NodeFacts },
  read: CallOptions,
): Promise<PassFailure | undefined> {
  if (action.kind !== 'probe') return undefined;
  if (!(error instanceof GlusterOperationError) || error.reason !== 'PeerInOtherPool') {
    return undefined;
  }
  const target = seen.observation.nodes.find((node) => node.address === action.target);
  if (target?.uuid === undefined || target.view?.length !== 1) return undefined;
  const volumes = await getVolumeInfo(cli, action.target, read).catch(() => undefined);
  if (!volumes || volumes.length === 0) return undefined;
  const names = volumes.map((volume) => volume.name);
  seen.facts.rememberVolumes(action.target, target.uuid, names);
  return {
    reason: 'NodeHasVolumes',
    message: `${action.target} has volumes of its own (${names.join(', ')}), and gluster refuses to probe such a node; delete them or remove the node from spec`,
    isTerminal: false,
  };
}

/**
 * A Warning Event for each blocker a person must clear, and each destructive change held back
 * for an incomplete picture, when the status does not say it already (so a blocker that lasts
 * costs one Event, not one per pass).
 */
async function recordNewBlockers(events: EventSink, cluster: GlusterCluster, plan: Plan) {
  const said = (cluster.status?.conditions ?? []).map((condition) => condition.message).join('\n');
  for (const blocked of plan.blocked) {
    if (!NEEDS_A_PERSON.has(blocked.reason) && blocked.reason !== 'IncompleteObservation') continue;
    if (said.includes(blocked.message)) continue;
    await events.record(cluster, {
      type: 'Warning',
      reason: blocked.reason,
      message: `${blocked.target}: ${blocked.message}`,
      action: blocked.change,
    });
  }
}

/**
 * One look at the pool and the plan for it: every node's view, then, when the plan asks for it,
 * the narrow second read (bricks before a detach, a release candidate's volumes) and the plan
 * again. The pass's look, and the CLI's `plan`.
 */
export async function lookAtPool(
  cli: GlusterCli,
  cluster: GlusterCluster,
  nodes: readonly GlusterNodeSpec[],
  options: GatherOptions,
  checkpoint: () => void = () => undefined,
): Promise<{ observation: Observation; plan: Plan }> {
  const isDeleting = cluster.metadata.deletionTimestamp !== undefined;
  const observation = await gatherObservation(cli, nodes, {
    rememberedUuids: rememberedUuids(cluster, nodes),
    probablyLone: probablyLone(cluster, nodes),
    ...options,
  });
  checkpoint();
  const stuck = options.facts?.stuckProbing();
  const plan = planFor(cluster, nodes, observation, isDeleting, stuck);
  const { needs } = plan;
  if (!needs.bricks && needs.volumesOf.length === 0) return { observation, plan };
  const completed = await readPlanNeeds(cli, observation, needs, plan.commandNode, options);
  checkpoint();
  return { observation: completed, plan: planFor(cluster, nodes, completed, isDeleting, stuck) };
}

/** The planner's input for a pass over `cluster` with `nodes` in force (also the CLI's `plan`). */
export function planFor(
  cluster: GlusterCluster,
  nodes: readonly GlusterNodeSpec[],
  observation: Observation,
  isDeleting: boolean,
  stuckProbing?: ReadonlySet<string>,
): Plan {
  return planReconcile({
    nodes,
    removalPolicy: cluster.spec.removalPolicy ?? 'Detach',
    deletionPolicy: cluster.spec.deletionPolicy ?? 'Retain',
    paused: cluster.spec.paused ?? false,
    isDeleting,
    observation,
    ...(stuckProbing && stuckProbing.size > 0 ? { stuckProbing } : {}),
  });
}

/** The UUID each spec node answered with in earlier passes, from the status. */
function rememberedUuids(
  cluster: GlusterCluster,
  nodes: readonly GlusterNodeSpec[],
): Map<string, string> {
  const wanted = new Set(nodes.map((node) => node.address));
  const remembered = new Map<string, string>();
  for (const node of cluster.status?.nodes ?? []) {
    if (node.uuid !== undefined && wanted.has(node.address))
      remembered.set(node.address, node.uuid);
  }
  return remembered;
}

const MEMBER_STATES: ReadonlySet<NodeState> = new Set([
  'Connected',
  'Disconnected',
  'Probing',
  'Rejected',
]);

/** Spec nodes the last status did not show in the pool: probably lone, about to be probed. */
function probablyLone(cluster: GlusterCluster, nodes: readonly GlusterNodeSpec[]): Set<string> {
  const members = new Set(
    (cluster.status?.nodes ?? [])
      .filter((node) => MEMBER_STATES.has(node.state))
      .map((node) => node.address),
  );
  return new Set(nodes.map((node) => node.address).filter((address) => !members.has(address)));
}

function unaskedObservation(nodes: DesiredNodeList['nodes'], why: string): Observation {
  return {
    nodes: nodes.map((node) => ({
      address: node.address,
      failure: { kind: 'not-asked', message: why },
      uuid: undefined,
      rememberedUuid: undefined,
      glusterVersion: undefined,
      view: undefined,
      bricksInOwnPool: undefined,
      volumesInOwnPool: undefined,
    })),
    bricksByUuid: undefined,
    opVersion: undefined,
  };
}

/** A quick look (pool lists only) with the versions and op-version the full look read. */
function withFactsOf(full: Observation, quick: Observation): Observation {
  const versions = new Map(full.nodes.map((node) => [node.address, node.glusterVersion]));
  return {
    ...quick,
    opVersion: quick.opVersion ?? full.opVersion,
    nodes: quick.nodes.map((node) => ({
      ...node,
      glusterVersion: node.glusterVersion ?? versions.get(node.address),
    })),
  };
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
