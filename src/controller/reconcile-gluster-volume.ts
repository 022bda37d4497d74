import type { GlusterCluster } from '../api/gluster-cluster.js';
import type { GlusterVolume, GlusterVolumeStatus } from '../api/gluster-volume.js';
import { VOLUME_FINALIZER } from '../api/gluster-volume.js';
import type { PassFailure } from '../core/compute-status.js';
import { parseDurationMs } from '../core/duration.js';
import { computeVolumeStatus } from '../core/volume/compute-volume-status.js';
import { describeVolumeAction, ACTION_REASON } from '../core/volume/describe-volume-action.js';
import { planVolume } from '../core/volume/plan-volume.js';
import type { VolumeObservation } from '../core/volume/volume-observation.js';
import type { VolumeAction, VolumePlan } from '../core/volume/volume-plan-types.js';
import { isDestructiveVolumeAction } from '../core/volume/volume-plan-types.js';
import { GlusterCli } from '../gluster/gluster-cli.js';
import type { GlusterCliOptions } from '../gluster/gluster-cli.js';
import type { CustomResourceApi, ObjectKey } from '../kube/custom-resource-api.js';
import { NotFoundError } from '../kube/kube-errors.js';
import { formatKubeTime } from '../kube/kube-time.js';
import type { SshCredentialsSource } from '../kube/ssh-credentials.js';
import { SshSecretError } from '../kube/ssh-credentials.js';
import { writeStatusIfChanged } from '../kube/status-writer.js';
import { applyBrickDownReports } from '../core/events/apply-down-reports.js';
import type { EventRouter } from './events/event-router.js';
import type { Logger } from '../observability/logger.js';
import { classifyVolumeActionError } from './classify-volume-action-error.js';
import type { EventSink } from './event-sink.js';
import type { ExecutorSource } from './executor-cache.js';
import { DEFAULT_READ_TIMEOUT_MS, readOptions } from './gather-observation.js';
import {
  chooseCommandNode,
  gatherVolumeObservation,
  membersOf,
} from './gather-volume-observation.js';
import type { ChangeFence } from './pass/change-fence.js';
import type { Leadership } from './pass/leadership.js';
import { ALWAYS_LEADING } from './pass/leadership.js';
import { PassAbortedError } from './pass/pass-aborted-error.js';
import type { PassOutcome, PassResource, PassResult } from './pass/reconcile-pass.js';
import { runReconcilePass } from './pass/reconcile-pass.js';
import { readUnlessGone } from './pass/read-unless-gone.js';
import type { VolumeCommands } from './volume-commands.js';
import { applyFinalizerPolicy } from './finalizer-policy.js';
import { volumeHealthOf } from './volume-health.js';
import type { VolumeHealth } from '../observability/volume-metrics.js';

/**
 * Rounds of act → look one pass makes: a create is followed by its options and start, an
 * add-brick by its rebalance, without waiting for another pass. Bounded, so one volume holds a
 * worker for seconds, not minutes.
 */
export const MAX_ROUNDS_PER_PASS = 4;
/** A volume read's deadline, in multiples of READ_TIMEOUT_MS (15 s with the default 5 s). */
export const VOLUME_READ_DEADLINE_FACTOR = 3;

export interface VolumeReconcilerDeps {
  readonly api: Pick<
    CustomResourceApi<GlusterVolume>,
    'get' | 'replaceStatus' | 'addFinalizer' | 'removeFinalizer'
  >;
  /** Reads the GlusterCluster a volume names. */
  readonly clusters: Pick<CustomResourceApi<GlusterCluster>, 'get'>;
  readonly credentials: SshCredentialsSource;
  /** Shared with the GlusterCluster passes: one pool of SSH connections per cluster. */
  readonly executors: ExecutorSource;
  /** The adapter from a GlusterCli to the volume reads and changes. */
  readonly commandsFor: (cli: GlusterCli) => VolumeCommands;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly glusterTimeoutSeconds: number;
  readonly commandTimeoutMs: number;
  readonly readTimeoutMs?: number;
  readonly defaultResyncMs: number;
  readonly onCommand?: (
    volumeKey: string,
    ...command: Parameters<NonNullable<GlusterCliOptions['onCommand']>>
  ) => void;
  readonly leadership?: Leadership;
  /** Brick reports from glusterd's events (spec.events of the volume's GlusterCluster). */
  readonly glusterdEvents?: {
    readonly router: Pick<EventRouter, 'brickReportsAfter' | 'settleBricks' | 'notePassWrote'>;
  };
}

export interface VolumeReconcileResult extends PassResult {
  readonly status?: GlusterVolumeStatus;
  /** What metrics show of the status this pass computed. */
  readonly health?: VolumeHealth;
  readonly failureReason?: string;
  readonly statusWritten?: boolean;
  readonly gone?: boolean;
}

/**
 * One level-based pass over one GlusterVolume on the shared pass skeleton: finalizer policy →
 * the referenced GlusterCluster (its members, their UUIDs and states, its SSH access) → look at
 * the volume on a connected member → plan (pure) → act behind the fence → look again, up to
 * MAX_ROUNDS_PER_PASS rounds, never past a destructive change → write the status of the last
 * look. A thrown error means retry with backoff; PassAbortedError: stopped, nothing written.
 */
export async function reconcileGlusterVolume(
  deps: VolumeReconcilerDeps,
  key: ObjectKey,
  signal: AbortSignal,
): Promise<VolumeReconcileResult> {
  const volumeKey = `${key.namespace}/${key.name}`;
  let status: GlusterVolumeStatus | undefined;
  let health: VolumeHealth | undefined;
  let failureReason: string | undefined;
  let statusWritten = false;
  let gone = false;
  /** When this pass's first look started: brick reports since then are laid over its status. */
  let lookStartedMs: number | undefined;
  const forget = (): Promise<void> => {
    gone = true;
    deps.events.forget?.(key.namespace, key.name);
    return Promise.resolve();
  };
  const resource: PassResource<GlusterVolume, GlusterVolumeStatus> = {
    read: () => readUnlessGone(() => deps.api.get(key.namespace, key.name)),
    forget,
    prepare: (volume) =>
      applyFinalizerPolicy(
        deps.api,
        volume,
        { finalizer: VOLUME_FINALIZER, actsOnDeletion: volume.spec.deletionPolicy === 'Delete' },
        forget,
      ),
    run: async (volume, fence) => {
      lookStartedMs = deps.now().getTime();
      const outcome = await runVolumePass(deps, volumeKey, volume, fence, signal, forget);
      status = outcome.status;
      health = outcome.status && volumeHealthOf(volume.spec, outcome.status);
      failureReason = outcome.failureReason;
      return outcome;
    },
    writeStatus: async (snapshot, computed) => {
      // What events reported since the look began stays until a later look settles it.
      const router = deps.glusterdEvents?.router;
      const clusterKey = `${snapshot.metadata.namespace}/${snapshot.spec.clusterRef.name}`;
      const volumeName = volumeNameOf(snapshot);
      const reports =
        router && lookStartedMs !== undefined
          ? router.brickReportsAfter(clusterKey, volumeName, lookStartedMs)
          : [];
      const status = applyBrickDownReports(computed, reports, formatKubeTime(deps.now()));
      const { outcome } = await writeStatusIfChanged(deps.api, snapshot, status);
      statusWritten = outcome === 'written';
      if (router && lookStartedMs !== undefined && outcome !== 'superseded') {
        router.settleBricks(clusterKey, volumeName, lookStartedMs);
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
    ...(status ? { status } : {}),
    ...(health ? { health } : {}),
    ...(failureReason === undefined ? {} : { failureReason }),
    statusWritten,
    gone,
  };
}

/** The gluster volume a GlusterVolume declares: spec.volumeName, else its own name. */
export function volumeNameOf(volume: GlusterVolume): string {
  return volume.spec.volumeName ?? volume.metadata.name;
}

async function runVolumePass(
  deps: VolumeReconcilerDeps,
  volumeKey: string,
  volume: GlusterVolume,
  fence: ChangeFence,
  signal: AbortSignal,
  forget: () => Promise<void>,
): Promise<PassOutcome<GlusterVolumeStatus> & { failureReason?: string }> {
  const logger = deps.logger.child({ volume: volumeKey, generation: fence.generation });
  const { spec } = volume;
  const volumeName = volumeNameOf(volume);
  const isDeleting = volume.metadata.deletionTimestamp !== undefined;
  const now = formatKubeTime(deps.now());
  const statusOf = (
    observation: VolumeObservation,
    plan: VolumePlan,
    failure: PassFailure | undefined,
    previous: GlusterVolumeStatus | undefined,
  ): GlusterVolumeStatus =>
    computeVolumeStatus({
      spec,
      generation: fence.generation,
      observation,
      plan,
      failure,
      previous,
      now,
    });
  const planFor = (observation: VolumeObservation, previous: GlusterVolumeStatus | undefined) =>
    planVolume({ volumeName, spec, isDeleting, observation, previous });

  // The pool comes from its GlusterCluster: members, UUIDs and states, and how to reach them.
  const clusterKey = `${volume.metadata.namespace}/${spec.clusterRef.name}`;
  let cluster: GlusterCluster | undefined;
  try {
    cluster = await deps.clusters.get(volume.metadata.namespace, spec.clusterRef.name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const unread = (members: VolumeObservation['members']): VolumeObservation => ({
    members,
    commandNode: undefined,
    volume: undefined,
    brickStatus: undefined,
    heal: undefined,
    rebalance: undefined,
    removeBrick: undefined,
  });
  const giveUp = (failure: PassFailure, members: VolumeObservation['members'] = []) => {
    const observation = unread(members);
    const plan = planFor(observation, volume.status);
    return {
      status: statusOf(observation, plan, failure, volume.status),
      result: { requeueAfterMs: resyncOf(cluster, deps) },
      failureReason: failure.reason,
    };
  };
  if (cluster === undefined) {
    // Deleting a volume of a pool that is gone: nothing can be done on it, let it go.
    if (isDeleting) return removeFinalizer(deps, volume, fence, forget, logger);
    return giveUp({
      reason: 'ClusterNotFound',
      message: `GlusterCluster ${clusterKey} named in spec.clusterRef does not exist`,
      isTerminal: true,
    });
  }
  const members = membersOf(cluster);
  let credentials;
  try {
    credentials = await deps.credentials.load(
      cluster.metadata.namespace,
      cluster.spec.ssh.secretRef.name,
    );
  } catch (error) {
    if (!(error instanceof SshSecretError)) throw error;
    return giveUp({ reason: error.reason, message: error.message, isTerminal: true }, members);
  }
  const executor = await deps.executors.executorFor(clusterKey, cluster.spec.ssh, credentials);
  const onCommand = deps.onCommand;
  const cli = new GlusterCli(executor, {
    timeoutSeconds: deps.glusterTimeoutSeconds,
    commandTimeoutMs: deps.commandTimeoutMs,
    logger,
    ...(onCommand
      ? {
          onCommand: (...command) => {
            onCommand(volumeKey, ...command);
          },
        }
      : {}),
  });
  const commands = deps.commandsFor(cli);
  // A volume's reads go to a member the pool pass saw connected, and `volume status detail`
  // asks every brick for its filesystem: on a busy pool it takes seconds. Their deadline is a
  // multiple of the pool's short read deadline (which exists to notice a node that stopped
  // answering, the pool pass's job), so a slow answer is not taken for no answer.
  const read = readOptions({
    signal,
    readTimeoutMs: VOLUME_READ_DEADLINE_FACTOR * (deps.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS),
  });
  const commandNode = chooseCommandNode(cluster, members);
  const look = async (previous: GlusterVolumeStatus | undefined) => {
    const observation = await gatherVolumeObservation(
      commands,
      { members, commandNode, volumeName, previous },
      read,
    );
    // An aborted look says nothing about the volume: nothing is decided or written from it.
    fence.throwIfAborted('plan');
    return { observation, plan: planFor(observation, previous) };
  };

  // Each round is what a pass would be: its status (computed from what it saw and did) is the
  // next round's "previous", as the planner's memory (volume ID, options, rebalance debt) needs.
  let previous = volume.status;
  let { observation, plan } = await look(previous);
  let failure: PassFailure | undefined;
  let madeAny = false;
  for (let round = 0; round < MAX_ROUNDS_PER_PASS; round++) {
    if (plan.batch[0]?.kind === 'removeFinalizer') {
      return removeFinalizer(deps, volume, fence, forget, logger);
    }
    if (plan.batch.length === 0 || plan.commandNode === undefined) break;
    // A destructive change is the only change of its pass, made on the pass's first look.
    if (madeAny && plan.batch.some(isDestructiveVolumeAction)) break;
    const acted = await act(deps, commands, volume, plan, fence, signal, logger);
    failure = acted.failure;
    if (acted.made.length === 0) break;
    madeAny = true;
    previous = statusOf(observation, plan, failure, previous);
    ({ observation, plan } = await look(previous));
    // One destructive change per pass, and a failure is retried with a backoff, not at once.
    if (failure || acted.made.some(isDestructiveVolumeAction)) break;
  }

  const status = statusOf(observation, plan, failure, previous);
  let result: PassResult;
  if (failure && !failure.isTerminal) {
    result = { retry: true };
  } else if (plan.batch.length > 0 && !failure) {
    // More can be done now (a destructive change waits for a pass of its own): at once.
    result = { requeueAfterMs: 0 };
  } else if (
    plan.inFlight !== undefined ||
    (madeAny && !isReady(status)) ||
    isPartlyRead(observation)
  ) {
    // A task runs (rebalance, remove-brick) or a change is settling: look again soon.
    result = { followUp: true };
  } else {
    result = { requeueAfterMs: resyncOf(cluster, deps) };
  }
  return { status, result, ...(failure ? { failureReason: failure.reason } : {}) };
}

/**
 * Makes the plan's batch in order, each change cleared by the fence right before it starts; the
 * first failure ends the batch (a start after a failed create would only fail again).
 */
async function act(
  deps: VolumeReconcilerDeps,
  commands: VolumeCommands,
  volume: GlusterVolume,
  plan: VolumePlan,
  fence: ChangeFence,
  signal: AbortSignal,
  logger: Logger,
): Promise<{ made: VolumeAction[]; failure: PassFailure | undefined }> {
  const made: VolumeAction[] = [];
  const node = plan.commandNode;
  if (node === undefined) return { made, failure: undefined };
  for (const action of plan.batch) {
    if (action.kind === 'removeFinalizer') continue;
    const what = describeVolumeAction(action, plan.volumeName);
    const timeoutMs = await fence.clear(what, {
      isDestructive: isDestructiveVolumeAction(action),
    });
    if (isSplitBrainProne(action)) {
      // Script mode answers gluster's "replica 2 volumes are prone to split-brain" prompt with
      // yes: the operator says it instead, where people look, and goes on as spec asks.
      await deps.events.record(volume, {
        type: 'Warning',
        reason: 'SplitBrainProne',
        message: `${plan.volumeName} is replica 2 without an arbiter: gluster warns such volumes are prone to split-brain; replica 3, or replica 3 with arbiter 1, avoids it`,
        action: action.kind,
      });
    }
    const started = performance.now();
    try {
      await commands.run(node, plan.volumeName, action, {
        signal,
        timeoutMs,
        expectedVolumeId: plan.volumeId,
      });
    } catch (error) {
      if (signal.aborted) {
        throw new PassAbortedError('Shutdown', `Stopped while: ${what}`, { cause: error });
      }
      const failed = classifyVolumeActionError(error);
      logger.warn(`Failed: ${what}`, {
        verb: action.kind,
        reason: failed.reason,
        error: failed.message,
      });
      await deps.events.record(volume, {
        type: 'Warning',
        reason: `${ACTION_REASON[action.kind]}Failed`,
        message: `${what}: ${failed.message}`,
        action: action.kind,
      });
      return { made, failure: failed };
    }
    made.push(action);
    logger.info(what, {
      verb: action.kind,
      host: node,
      durationMs: Math.round(performance.now() - started),
    });
    await deps.events.record(volume, {
      type: 'Normal',
      reason: ACTION_REASON[action.kind],
      message: what,
      action: action.kind,
    });
  }
  return { made, failure: undefined };
}

async function removeFinalizer(
  deps: VolumeReconcilerDeps,
  volume: GlusterVolume,
  fence: ChangeFence,
  forget: () => Promise<void>,
  logger: Logger,
): Promise<PassOutcome<GlusterVolumeStatus>> {
  fence.assertLeading('remove the finalizer');
  logger.info('Removed the finalizer', { deletionPolicy: volume.spec.deletionPolicy ?? 'Retain' });
  await deps.api.removeFinalizer(volume.metadata.namespace, volume.metadata.name);
  await forget();
  return { status: undefined, result: {} };
}

/** A create or add-brick of replica 2 sets without an arbiter, which gluster asks to confirm. */
function isSplitBrainProne(action: VolumeAction): boolean {
  return (
    (action.kind === 'create' || action.kind === 'addBricks') &&
    action.layout.type === 'Replicate' &&
    action.layout.replica === 2 &&
    action.layout.arbiter === 0
  );
}

/**
 * The volume runs, but a read of it failed this pass (glusterd busy with another transaction on
 * it, a timeout): look again soon rather than at the resync.
 */
function isPartlyRead(observation: VolumeObservation): boolean {
  const { volume } = observation;
  if (volume?.state !== 'Started') return false;
  return (
    observation.brickStatus === undefined ||
    observation.rebalance === undefined ||
    observation.removeBrick === undefined
  );
}

function isReady(status: GlusterVolumeStatus): boolean {
  return status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** A volume is looked at as often as its pool: the cluster's resyncInterval, else the default. */
function resyncOf(cluster: GlusterCluster | undefined, deps: VolumeReconcilerDeps): number {
  return parseDurationMs(cluster?.spec.resyncInterval ?? '') ?? deps.defaultResyncMs;
}
