import { stampCondition } from '../condition-timing.js';
import type {
  BrickStatus,
  GlusterVolumeSpec,
  GlusterVolumeStatus,
  TaskProgress,
  VolumeCondition,
} from '../../api/gluster-volume.js';
import { compact } from '../compact.js';
import type { PassFailure } from '../compute-status.js';
import { ACTION_REASON, describeVolumeAction } from './describe-volume-action.js';
import { REBALANCE_PENDING } from './rebalance-debt.js';
import { taskPhase } from './task-phase.js';
import { layoutOfReported, setSizeOf } from '../../api/volume-layout-counts.js';
import type { ObservedVolume, VolumeObservation } from './volume-observation.js';
import { healOf, optionOf, runtimeOf } from './volume-observation.js';
import type { VolumeBlocked, VolumePlan } from './volume-plan-types.js';
import { VOLUME_NEEDS_A_PERSON } from './volume-plan-types.js';

export interface VolumeStatusInput {
  readonly spec: GlusterVolumeSpec;
  readonly generation: number;
  readonly observation: VolumeObservation;
  readonly plan: VolumePlan;
  /** The pass's failure, as the one catch site classified it (CreateRefused, say). */
  readonly failure: PassFailure | undefined;
  readonly previous: GlusterVolumeStatus | undefined;
  /** RFC 3339; the core has no clock of its own. */
  readonly now: string;
}

type ConditionDraft = Omit<VolumeCondition, 'lastTransitionTime' | 'observedGeneration'>;

interface Cause {
  readonly reason: string;
  readonly message: string;
}

/** What the bricks say about the volume's health, when it runs and could be looked at. */
interface Health {
  readonly volume: ObservedVolume;
  readonly bricks: readonly BrickStatus[];
  /** Undefined when the brick status was not read. */
  readonly offline: readonly BrickStatus[] | undefined;
  /** Undefined when heal info was not read. */
  readonly healPending: number | undefined;
  readonly splitBrain: number | undefined;
  /** Replicated or dispersed: heal info is expected. */
  readonly heals: boolean;
}

/**
 * The status a pass writes, from the object, the observation and the plan of that one pass:
 * per-brick truth, sums for the printer columns, and kstatus conditions (Ready, Reconciling,
 * Stalled, Degraded) plus RebalancePending, the operator's memory of a rebalance it owes.
 */
export function computeVolumeStatus(input: VolumeStatusInput): GlusterVolumeStatus {
  const { observation, plan, previous } = input;
  const volume = observation.volume;
  const bricks = volume ? brickStatuses(volume, observation) : undefined;
  const health =
    volume?.state === 'Started' && bricks ? assessHealth(volume, bricks, observation) : undefined;
  const drafts: ConditionDraft[] = [
    readyCondition(input, health),
    reconcilingCondition(input),
    stalledCondition(input),
    degradedCondition(input, health),
    rebalancePendingCondition(input),
  ];
  return compact<GlusterVolumeStatus>({
    observedGeneration: input.generation,
    volumeName: plan.volumeName,
    volumeId: plan.volumeId,
    state: volume === undefined ? 'Unknown' : volume === null ? 'Absent' : volume.state,
    // Unread: the last known bricks stay (state Unknown says they are not fresh); a rebalance
    // owed after an add-brick is found by comparing with them.
    type: volume === undefined ? previous?.type : volume?.typeStr,
    commandNode: observation.commandNode,
    bricks: volume === undefined ? previous?.bricks : bricks,
    bricksOnline: bricks
      ? `${bricks.filter((brick) => brick.online).length}/${bricks.length}`
      : undefined,
    healPending: health?.healPending,
    splitBrainEntries: health?.splitBrain,
    // Unread, the last one recorded stays: its task ID is what tells a later rebalance apart.
    rebalance:
      volume === null
        ? undefined
        : volume === undefined || observation.rebalance === undefined
          ? previous?.rebalance
          : task(observation.rebalance),
    removeBrick:
      volume && observation.removeBrick && task(observation.removeBrick)
        ? observation.removeBrick
        : undefined,
    options: optionsInForce(input),
    conditions: drafts.map((draft) =>
      stampCondition(draft, {
        previous: input.previous?.conditions,
        generation: input.generation,
        now: input.now,
      }),
    ),
  });
}

/** A task worth showing: one that ever ran. */
function task<T extends TaskProgress>(status: T | undefined): T | undefined {
  return status && taskPhase(status.state) !== 'NotStarted' ? status : undefined;
}

function brickStatuses(volume: ObservedVolume, observation: VolumeObservation): BrickStatus[] {
  const layout = layoutOfReported(volume);
  const setSize = setSizeOf(layout);
  const hasArbiters = layout.type === 'Replicate' && layout.arbiter > 0;
  const byUuid = new Map(observation.members.map((member) => [member.uuid, member.address]));
  const started = volume.state === 'Started';
  return volume.bricks.map((brick, index) => {
    const runtime = runtimeOf(observation, brick.name);
    const heal = healOf(observation, brick.name);
    return compact<BrickStatus>({
      name: brick.name,
      node: byUuid.get(brick.hostUuid),
      path: brick.path,
      hostUuid: brick.hostUuid,
      index,
      set: Math.floor(index / setSize),
      isArbiter: hasArbiters ? brick.isArbiter : undefined,
      online: started && runtime?.online === true,
      port: runtime?.port,
      pid: runtime?.pid,
      freeBytes: runtime?.freeBytes,
      totalBytes: runtime?.totalBytes,
      heal: heal && {
        pending: heal.pending,
        splitBrain: heal.splitBrain,
        possiblyHealing: heal.possiblyHealing,
      },
    });
  });
}

function assessHealth(
  volume: ObservedVolume,
  bricks: readonly BrickStatus[],
  observation: VolumeObservation,
): Health {
  const healRead = observation.heal !== undefined;
  const sum = (pick: (heal: NonNullable<BrickStatus['heal']>) => number): number | undefined =>
    healRead
      ? bricks.reduce((total, brick) => total + (brick.heal ? pick(brick.heal) : 0), 0)
      : undefined;
  return {
    volume,
    bricks,
    offline: observation.brickStatus === undefined ? undefined : bricks.filter((b) => !b.online),
    healPending: sum((heal) => heal.pending),
    splitBrain: sum((heal) => heal.splitBrain),
    heals: layoutOfReported(volume).type !== 'Distribute',
  };
}

/**
 * The spec's keys with the values gluster has in force, plus keys of this resource that wait for
 * their reset: status.options is how the next pass knows which options are this resource's.
 */
function optionsInForce({
  spec,
  observation,
  plan,
  previous,
}: VolumeStatusInput): Readonly<Record<string, string>> | undefined {
  const volume = observation.volume;
  const managed =
    plan.ownership === 'Managed' || plan.ownership === 'Created' || plan.ownership === 'Adopted';
  if (!volume || !managed) {
    // Not read, gone or not ours: the memory of what was ours is kept as it was.
    return volume === null && plan.ownership === 'Absent' ? undefined : previous?.options;
  }
  const keys = new Set([
    ...Object.keys(spec.options ?? {}),
    ...(plan.ownership === 'Managed' ? Object.keys(previous?.options ?? {}) : []),
  ]);
  const entries = [...keys].flatMap((key) => {
    const value = optionOf(volume.options, key);
    return value === undefined ? [] : [[key, value] as const];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function needsAPerson(plan: VolumePlan): readonly VolumeBlocked[] {
  return plan.blocked.filter((blocked) => VOLUME_NEEDS_A_PERSON.has(blocked.reason));
}

function waiting(plan: VolumePlan): readonly VolumeBlocked[] {
  return plan.blocked.filter(
    (blocked) => blocked.reason !== 'Paused' && !VOLUME_NEEDS_A_PERSON.has(blocked.reason),
  );
}

function joined(blocked: readonly VolumeBlocked[]): Cause | undefined {
  const [first] = blocked;
  if (!first) return undefined;
  return { reason: first.reason, message: blocked.map((entry) => entry.message).join('; ') };
}

function nextChange(plan: VolumePlan): Cause | undefined {
  const [next] = plan.batch;
  if (!next || next.kind === 'removeFinalizer') return undefined;
  const more =
    plan.changes.length > plan.batch.length ? `; ${plan.changes.length} change(s) in all` : '';
  return {
    reason: ACTION_REASON[next.kind],
    message: `Next: ${plan.batch.map((action) => describeVolumeAction(action, plan.volumeName)).join('; ')}${more}`,
  };
}

function inFlight({ plan, observation }: VolumeStatusInput): Cause | undefined {
  if (plan.inFlight === 'RemovingBricks' && observation.removeBrick) {
    return {
      reason: 'RemovingBricks',
      message: `Removing ${observation.removeBrick.bricks.join(' ')}: ${describeProgress(observation.removeBrick)}`,
    };
  }
  if (plan.inFlight === 'Rebalancing' && observation.rebalance) {
    return {
      reason: 'Rebalancing',
      message: `Rebalancing: ${describeProgress(observation.rebalance)}`,
    };
  }
  return undefined;
}

function pausedCause(plan: VolumePlan): Cause | undefined {
  const paused = plan.blocked.filter((blocked) => blocked.reason === 'Paused');
  if (paused.length === 0) return undefined;
  return {
    reason: 'Paused',
    message: `Paused with ${paused.length} change(s) not made: ${paused.map((blocked) => blocked.message.replace(/^spec\.paused is true: reported, not made: /, '')).join('; ')}`,
  };
}

/** Why the bricks do not serve every file from every copy, when they do not. */
function unhealthy(health: Health): Cause | undefined {
  const causes: Cause[] = [];
  const { offline, volume } = health;
  if (offline && offline.length > 0) {
    causes.push({
      reason: 'BrickOffline',
      message: `${offline.length} of ${health.bricks.length} bricks offline: ${offline.map((brick) => `${brick.name} (set ${brick.set})`).join(', ')}`,
    });
  }
  if (health.splitBrain !== undefined && health.splitBrain > 0) {
    causes.push({
      reason: 'SplitBrain',
      message: `${health.splitBrain} entries in split-brain (${perBrick(health.bricks, (heal) => heal.splitBrain)}): a person must choose the good copy, see gluster volume heal ${volume.name} info split-brain`,
    });
  }
  if (health.healPending !== undefined && health.healPending > 0) {
    causes.push({
      reason: 'HealPending',
      message: `${health.healPending} entries pending heal (${perBrick(health.bricks, (heal) => heal.pending)})`,
    });
  }
  const [first] = causes;
  return (
    first && { reason: first.reason, message: causes.map((cause) => cause.message).join('; ') }
  );
}

function perBrick(
  bricks: readonly BrickStatus[],
  count: (heal: NonNullable<BrickStatus['heal']>) => number,
): string {
  return bricks
    .flatMap((brick) => {
      const n = brick.heal ? count(brick.heal) : 0;
      return n > 0 ? [`${brick.name}: ${n}`] : [];
    })
    .join(', ');
}

function readyCondition(input: VolumeStatusInput, health: Health | undefined): ConditionDraft {
  const { plan, observation, spec, failure } = input;
  const notReady = (cause: Cause): ConditionDraft => ({ type: 'Ready', status: 'False', ...cause });
  const volume = observation.volume;
  const name = plan.volumeName;
  const unknown = plan.blocked.find((blocked) => blocked.reason === 'IncompleteObservation');
  if (volume === undefined || plan.ownership === 'Unknown') {
    return notReady({
      reason: 'IncompleteObservation',
      message: unknown?.message ?? `Volume ${name} could not be read`,
    });
  }
  const cause =
    joined(needsAPerson(plan)) ??
    (failure && { reason: failure.reason, message: failure.message }) ??
    pausedCause(plan) ??
    nextChange(plan) ??
    inFlight(input) ??
    joined(waiting(plan));
  if (cause) return notReady(cause);
  if (volume === null) {
    return notReady({ reason: 'VolumeAbsent', message: `Volume ${name} does not exist` });
  }
  const wantStarted = (spec.state ?? 'Started') === 'Started';
  if (wantStarted !== (volume.state === 'Started')) {
    return notReady({
      reason: 'NotInDesiredState',
      message: `Volume ${name} is ${volume.state} where spec asks for ${spec.state ?? 'Started'}`,
    });
  }
  if (health) {
    if (health.offline === undefined) {
      return notReady({
        reason: 'IncompleteObservation',
        message: `The brick status of ${name} was not read`,
      });
    }
    const sick = unhealthy(health);
    if (sick) return notReady(sick);
    if (health.heals && health.healPending === undefined) {
      return notReady({
        reason: 'IncompleteObservation',
        message: `Heal info of ${name} was not read`,
      });
    }
  }
  if (plan.rebalanceOwed) {
    return notReady({
      reason: REBALANCE_PENDING,
      message: `Sets were added to ${name} and the rebalance that spreads data over them has not started`,
    });
  }
  return {
    type: 'Ready',
    status: 'True',
    reason: 'VolumeReady',
    message: health
      ? `Volume ${name} is Started with all ${health.bricks.length} bricks online${health.heals ? ' and nothing to heal' : ''}${plan.ownership === 'Adopted' ? '; adopted: it existed and matches spec' : ''}`
      : `Volume ${name} is ${volume.state}, as spec asks${plan.ownership === 'Adopted' ? '; adopted: it existed and matches spec' : ''}`,
  };
}

function reconcilingCondition(input: VolumeStatusInput): ConditionDraft {
  const { plan, failure } = input;
  const base = { type: 'Reconciling' };
  if (failure) {
    // A terminal failure is not retried: nothing is under way until spec or the world changes.
    return failure.isTerminal
      ? {
          ...base,
          status: 'False',
          reason: failure.reason,
          message: `Retried at the next resync or spec change, not before: ${failure.message}`,
        }
      : {
          ...base,
          status: 'True',
          reason: failure.reason,
          message: `Retrying: ${failure.message}`,
        };
  }
  const active = nextChange(plan) ?? inFlight(input) ?? joined(waiting(plan));
  if (active) return { ...base, status: 'True', ...active };
  const paused = pausedCause(plan);
  if (paused) return { ...base, status: 'False', ...paused };
  return {
    ...base,
    status: 'False',
    reason: 'Reconciled',
    message: 'No change is needed or possible now',
  };
}

function stalledCondition({ plan, failure }: VolumeStatusInput): ConditionDraft {
  if (failure?.isTerminal) {
    return { type: 'Stalled', status: 'True', reason: failure.reason, message: failure.message };
  }
  const stuck = joined(needsAPerson(plan));
  if (stuck) return { type: 'Stalled', status: 'True', ...stuck };
  return {
    type: 'Stalled',
    status: 'False',
    reason: 'NotStalled',
    message: 'Nothing needs a person',
  };
}

function degradedCondition(
  { observation }: VolumeStatusInput,
  health: Health | undefined,
): ConditionDraft {
  const base = { type: 'Degraded' };
  const volume = observation.volume;
  if (volume === undefined) {
    return {
      ...base,
      status: 'Unknown',
      reason: 'IncompleteObservation',
      message: 'The volume could not be read',
    };
  }
  if (volume === null) {
    return {
      ...base,
      status: 'False',
      reason: 'VolumeAbsent',
      message: 'There is no volume to degrade',
    };
  }
  if (!health) {
    return {
      ...base,
      status: 'False',
      reason: 'NotStarted',
      message: `The volume is ${volume.state}: no brick is expected to run`,
    };
  }
  if (health.offline === undefined) {
    return {
      ...base,
      status: 'Unknown',
      reason: 'IncompleteObservation',
      message: 'The brick status was not read',
    };
  }
  const sick = unhealthy(health);
  if (sick) return { ...base, status: 'True', ...sick };
  return {
    ...base,
    status: 'False',
    reason: 'Healthy',
    message: `All ${health.bricks.length} bricks online${health.heals && health.healPending !== undefined ? ', nothing to heal' : ''}`,
  };
}

function rebalancePendingCondition({ plan, failure, spec }: VolumeStatusInput): ConditionDraft {
  const base = { type: REBALANCE_PENDING };
  const started = plan.batch.some((action) => action.kind === 'rebalanceStart') && !failure;
  if (!plan.rebalanceOwed || started) {
    return { ...base, status: 'False', reason: 'NotPending', message: 'No rebalance is owed' };
  }
  const why = spec.paused
    ? ' (paused)'
    : (spec.state ?? 'Started') !== 'Started'
      ? ' (it starts once the volume is to be started)'
      : '';
  return {
    ...base,
    status: 'True',
    reason: 'BricksAdded',
    message: `Sets were added to ${plan.volumeName}; a rebalance spreads the existing data over them${why}`,
  };
}

function describeProgress(status: TaskProgress): string {
  return `${status.state}, ${status.filesMoved} files (${formatBytes(status.bytesMoved)}) moved of ${status.filesScanned} scanned, ${status.failures} failures, ${status.skipped} skipped, ${status.runtimeSeconds} s`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}
