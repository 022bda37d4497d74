import type { GlusterVolumeSpec, GlusterVolumeStatus } from '../../api/gluster-volume.js';
import type { DesiredBrick, DesiredBricks } from './desired-bricks.js';
import { brickName, normalizeBrickPath, resolveDesiredBricks } from './desired-bricks.js';
import { ACTION_REASON, describeVolumeAction } from './describe-volume-action.js';
import { isRebalanceOwed } from './rebalance-debt.js';
import type { TaskPhase } from './task-phase.js';
import { taskPhase } from './task-phase.js';
import type { LayoutCounts } from '../../api/volume-layout-counts.js';
import { describeLayout, layoutOfReported } from '../../api/volume-layout-counts.js';
import { sameLayout } from './volume-layout.js';
import type {
  ObservedBrick,
  ObservedVolume,
  VolumeClusterMember,
  VolumeObservation,
} from './volume-observation.js';
import { healOf, isConnectedMember, optionOf, runtimeOf } from './volume-observation.js';
import type {
  VolumeAction,
  VolumeBlocked,
  VolumeBlockReason,
  VolumeChange,
  VolumeOwnership,
  VolumePlan,
} from './volume-plan-types.js';
import { isDestructiveVolumeAction } from './volume-plan-types.js';

export interface PlanVolumeInput {
  /** The gluster volume name: spec.volumeName, else metadata.name. */
  readonly volumeName: string;
  readonly spec: GlusterVolumeSpec;
  /** metadata.deletionTimestamp is set. */
  readonly isDeleting: boolean;
  readonly observation: VolumeObservation;
  /** The status the last pass wrote: the volume ID, options and rebalance debt it recorded. */
  readonly previous: GlusterVolumeStatus | undefined;
}

/** What every check of one pass shares. */
interface Picture {
  readonly input: PlanVolumeInput;
  readonly desired: DesiredBricks;
  readonly byAddress: ReadonlyMap<string, VolumeClusterMember>;
  readonly byUuid: ReadonlyMap<string, VolumeClusterMember>;
  /** Why no brick change or stop can start now (a task runs), if so. */
  readonly busy: string | undefined;
  readonly rebalancePhase: TaskPhase | undefined;
  readonly removePhase: TaskPhase | undefined;
}

interface Ownership {
  readonly ownership: VolumeOwnership;
  readonly volumeId: string | undefined;
  /** How an existing volume that is not ours differs from spec. */
  readonly differences: readonly string[];
}

interface Planned {
  /** Additive changes first, in their fixed order, then destructive ones. */
  readonly changes: readonly VolumeAction[];
  readonly blocked: readonly VolumeBlocked[];
  readonly rebalanceOwed: boolean;
}

const NOTHING: Planned = { changes: [], blocked: [], rebalanceOwed: false };

/**
 * Desired (spec) against observed (gluster's view of the volume from the command node) → the
 * changes of this pass and every change that is needed but blocked, with the reason. Pure: it
 * never throws and never does I/O; the same input always gives the same plan.
 *
 * Additive changes (create, options, add-brick, start, rebalance) are batched in that order.
 * Destructive ones (stop, replace-brick, remove-brick start and commit, delete) go alone, one per
 * pass, each on a fresh look. A volume that differs from spec in a way that is not one supported
 * change is never "fixed" by a guess: the difference is reported for a person.
 */
export function planVolume(input: PlanVolumeInput): VolumePlan {
  const { observation, spec, volumeName } = input;
  const desired = resolveDesiredBricks({
    spec,
    volumeName,
    clusterNodes: observation.members.map((member) => member.address),
  });
  const exists = observation.volume !== undefined && observation.volume !== null;
  // A task status that could not be read is Unknown, and Unknown counts as running: no brick
  // change or stop is planned on top of a task nobody could see.
  const rebalancePhase = exists ? taskPhase(observation.rebalance?.state) : undefined;
  const removePhase = exists ? taskPhase(observation.removeBrick?.state) : undefined;
  const picture: Picture = {
    input,
    desired,
    byAddress: new Map(observation.members.map((member) => [member.address, member])),
    byUuid: new Map(
      observation.members.flatMap((member) =>
        member.uuid === undefined ? [] : [[member.uuid, member] as const],
      ),
    ),
    busy: describeBusy(observation, rebalancePhase, removePhase),
    rebalancePhase,
    removePhase,
  };
  const owner = assessOwnership(picture);
  const planned = input.isDeleting ? planDeletion(picture, owner) : planChanges(picture, owner);
  const common = {
    volumeName,
    commandNode: observation.commandNode,
    desiredBricks: desired.bricks,
    ownership: owner.ownership,
    volumeId: owner.volumeId,
    inFlight:
      removePhase === 'InProgress'
        ? ('RemovingBricks' as const)
        : rebalancePhase === 'InProgress'
          ? ('Rebalancing' as const)
          : undefined,
    rebalanceOwed: planned.rebalanceOwed,
  };
  if (spec.paused) {
    const finalizer = planned.changes.filter((change) => change.kind === 'removeFinalizer');
    const paused = planned.changes.flatMap((change): VolumeBlocked[] =>
      change.kind === 'removeFinalizer'
        ? []
        : [
            {
              change: change.kind,
              target: targetOf(change, volumeName),
              reason: 'Paused',
              message: `spec.paused is true: reported, not made: ${describeVolumeAction(change, volumeName)}`,
            },
          ],
    );
    return {
      ...common,
      batch: finalizer,
      changes: finalizer,
      remainingChanges: 0,
      blocked: [...paused, ...planned.blocked],
    };
  }
  const batch = batchOf(planned.changes);
  return {
    ...common,
    batch,
    changes: planned.changes,
    remainingChanges: planned.changes.length - batch.length,
    blocked: planned.blocked,
  };
}

/** Every additive change at once; otherwise the first change alone. */
function batchOf(changes: readonly VolumeAction[]): VolumeAction[] {
  const additive = changes.filter(
    (change) => !isDestructiveVolumeAction(change) && change.kind !== 'removeFinalizer',
  );
  return additive.length > 0 ? additive : changes.slice(0, 1);
}

function targetOf(action: VolumeAction, volumeName: string): string {
  if (action.kind === 'replaceBrick') return action.from;
  if (action.kind === 'resetOption') return action.key;
  return volumeName;
}

function blocked(
  change: VolumeChange,
  target: string,
  reason: VolumeBlockReason,
  message: string,
): VolumeBlocked {
  return { change, target, reason, message };
}

function describeBusy(
  observation: VolumeObservation,
  rebalance: TaskPhase | undefined,
  remove: TaskPhase | undefined,
): string | undefined {
  // Unknown counts as running: nothing is started on top of a task of unknown state.
  if (remove === 'InProgress') {
    return `a remove-brick of ${observation.removeBrick?.bricks.join(' ') ?? 'some bricks'} is in progress`;
  }
  if (rebalance === 'InProgress') return 'a rebalance is in progress';
  if (remove === 'Unknown') {
    return `the remove-brick status is "${observation.removeBrick?.state ?? ''}", which the operator does not know`;
  }
  if (rebalance === 'Unknown') {
    return `the rebalance status is "${observation.rebalance?.state ?? ''}", which the operator does not know`;
  }
  return undefined;
}

// The last status says the volume was absent and its create was the next change: it appeared
// because of that create, so it is ours whatever spec says now.
function wasCreatedHere(previous: GlusterVolumeStatus | undefined): boolean {
  return (
    previous?.state === 'Absent' &&
    previous.conditions?.some(
      (condition) =>
        condition.type === 'Reconciling' &&
        condition.status === 'True' &&
        condition.reason === ACTION_REASON.create,
    ) === true
  );
}

function assessOwnership(picture: Picture): Ownership {
  const { observation, previous } = picture.input;
  const recorded = previous?.volumeId;
  const { volume } = observation;
  const none: readonly string[] = [];
  if (volume === undefined || observation.commandNode === undefined) {
    return { ownership: 'Unknown', volumeId: recorded, differences: none };
  }
  if (volume === null) {
    return {
      ownership: recorded === undefined ? 'Absent' : 'Missing',
      volumeId: recorded,
      differences: none,
    };
  }
  if (recorded === volume.id) {
    return { ownership: 'Managed', volumeId: volume.id, differences: none };
  }
  if (recorded !== undefined) {
    return { ownership: 'Replaced', volumeId: recorded, differences: none };
  }
  if (wasCreatedHere(previous)) {
    return { ownership: 'Created', volumeId: volume.id, differences: none };
  }
  // An invalid spec cannot vouch for a volume: it stays unadopted until spec is fixed.
  if (picture.desired.layout === undefined || picture.desired.errors.length > 0) {
    return { ownership: 'NotAdopted', volumeId: undefined, differences: none };
  }
  const differences = differencesFromSpec(picture, volume, picture.desired.layout);
  return differences.length === 0
    ? { ownership: 'Adopted', volumeId: volume.id, differences }
    : { ownership: 'NotAdopted', volumeId: undefined, differences };
}

/** Adoption compares what create fixes: layout, bricks, transport (options and state are routine). */
function differencesFromSpec(
  picture: Picture,
  volume: ObservedVolume,
  layout: LayoutCounts,
): string[] {
  const differences: string[] = [];
  const observedLayout = layoutOfReported(volume);
  if (!sameLayout(observedLayout, layout)) {
    differences.push(
      `it is ${describeLayout(observedLayout)} where spec asks for ${describeLayout(layout)}`,
    );
  }
  const transport = picture.input.spec.transport ?? 'tcp';
  if (volume.transport !== transport) {
    differences.push(`its transport is ${volume.transport} where spec asks for ${transport}`);
  }
  if (diffBricks(picture, volume.bricks).kind !== 'same') {
    differences.push(
      `its bricks are ${volume.bricks.map((brick) => describeObserved(picture, brick)).join(' ')} where spec asks for ${picture.desired.bricks.map(brickName).join(' ')}`,
    );
  }
  return differences;
}

/** The brick as `node:/path`, naming its host by spec address when it is a member. */
function describeObserved(picture: Picture, brick: ObservedBrick): string {
  const member = picture.byUuid.get(brick.hostUuid);
  return member ? brickName({ node: member.address, path: brick.path }) : brick.name;
}

/** Identity is the host's glusterd UUID; the host name only while the cluster lacks the UUID. */
function isSameBrick(picture: Picture, observed: ObservedBrick, desired: DesiredBrick): boolean {
  const member = picture.byAddress.get(desired.node);
  const sameHost =
    member?.uuid !== undefined ? observed.hostUuid === member.uuid : observed.host === desired.node;
  return sameHost && normalizeBrickPath(observed.path) === desired.path;
}

type BrickDiff =
  | { readonly kind: 'same' }
  | { readonly kind: 'expand'; readonly added: readonly DesiredBrick[] }
  | { readonly kind: 'shrink'; readonly removed: readonly ObservedBrick[] }
  | {
      readonly kind: 'replace';
      readonly index: number;
      readonly from: ObservedBrick;
      readonly to: DesiredBrick;
    }
  | { readonly kind: 'mismatch'; readonly message: string };

/**
 * The one supported change that turns the observed bricks into the desired ones, if any: add
 * whole sets at the end, remove whole sets from the end, or replace one brick in place.
 */
function diffBricks(picture: Picture, observed: readonly ObservedBrick[]): BrickDiff {
  const desired = picture.desired.bricks;
  const differing: { index: number; from: ObservedBrick; to: DesiredBrick }[] = [];
  for (let index = 0; index < Math.min(observed.length, desired.length); index++) {
    const from = observed[index];
    const to = desired[index];
    if (from && to && !isSameBrick(picture, from, to)) differing.push({ index, from, to });
  }
  const listed = differing
    .map(
      ({ index, from, to }) => `[${index}] ${describeObserved(picture, from)} → ${brickName(to)}`,
    )
    .join(', ');
  if (observed.length === desired.length) {
    const [only] = differing;
    if (only === undefined) return { kind: 'same' };
    if (differing.length === 1) return { kind: 'replace', ...only };
    return {
      kind: 'mismatch',
      message: `${differing.length} bricks differ from spec (${listed}). The operator replaces one brick at a time, waiting for the heal in between: change one brick in spec, and the next once the volume is Ready again`,
    };
  }
  if (differing.length > 0) {
    return {
      kind: 'mismatch',
      message: `Bricks differ from spec (${listed}) while the brick count also changes from ${observed.length} to ${desired.length}. Change one thing at a time: replace a brick, or add or remove whole sets at the end of the list`,
    };
  }
  return desired.length > observed.length
    ? { kind: 'expand', added: desired.slice(observed.length) }
    : { kind: 'shrink', removed: observed.slice(desired.length) };
}

function planChanges(picture: Picture, owner: Ownership): Planned {
  const { input, desired } = picture;
  const { observation, volumeName } = input;
  const cluster = `GlusterCluster ${input.spec.clusterRef.name}`;
  const invalid = desired.errors.map((error) => blocked('all', volumeName, 'InvalidSpec', error));
  const only = (...extra: VolumeBlocked[]): Planned => ({
    ...NOTHING,
    blocked: [...invalid, ...extra],
  });
  const volume = observation.volume;
  switch (owner.ownership) {
    case 'Unknown':
      return only(
        blocked(
          'all',
          volumeName,
          'IncompleteObservation',
          observation.commandNode === undefined
            ? `No member of ${cluster} is connected to ask gluster on: nothing is checked or changed`
            : `Volume ${volumeName} could not be read on ${observation.commandNode}: nothing is changed until it can be`,
        ),
      );
    case 'Missing':
      return only(
        blocked(
          'create',
          volumeName,
          'VolumeDeleted',
          `Volume ${volumeName} (ID ${owner.volumeId ?? ''}) that this resource managed no longer exists: it was deleted outside the operator, and it is not created again on a guess (its bricks may still hold its data). To create a new, empty one, clear status.volumeId (kubectl edit --subresource=status) or re-create this resource`,
        ),
      );
    case 'Replaced':
      return only(
        blocked(
          'all',
          volumeName,
          'VolumeIdChanged',
          `Volume ${volumeName} now has ID ${volume?.id ?? ''}, but this resource managed ID ${owner.volumeId ?? ''}: it was deleted and created again outside the operator. Nothing is changed. If the new volume is the one to manage, clear status.volumeId (kubectl edit --subresource=status); otherwise rename spec.volumeName`,
        ),
      );
    case 'NotAdopted':
      return only(
        ...(owner.differences.length > 0
          ? [
              blocked(
                'adopt',
                volumeName,
                'NotAdopted',
                `A volume named ${volumeName} (ID ${volume?.id ?? ''}) exists that this resource did not create, and ${owner.differences.join('; ')}. It is left alone: make spec describe it exactly to adopt it, or choose another spec.volumeName`,
              ),
            ]
          : []),
      );
    case 'Absent':
      if (invalid.length > 0 || desired.layout === undefined) return only();
      return planCreate(picture, desired.layout);
    case 'Managed':
    case 'Created':
    case 'Adopted':
      // An invalid spec says nothing reliable about the volume: change nothing until it is fixed.
      if (invalid.length > 0 || desired.layout === undefined || !volume) return only();
      return planExisting(picture, owner, volume, desired.layout);
  }
}

function notConnected(picture: Picture, nodes: readonly string[]): string[] {
  return [...new Set(nodes)]
    .filter((node) => !isConnectedMember(picture.byAddress.get(node)))
    .map((node) => {
      const state = picture.byAddress.get(node)?.state;
      return state === undefined ? `${node} (not in the cluster status)` : `${node} (${state})`;
    });
}

function hostDown(
  change: VolumeChange,
  target: string,
  down: readonly string[],
  picture: Picture,
): VolumeBlocked {
  return blocked(
    change,
    target,
    'BrickHostNotConnected',
    `${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} not a connected member of GlusterCluster ${picture.input.spec.clusterRef.name}; gluster changes bricks only on connected peers, so this waits for ${down.length === 1 ? 'it' : 'them'}`,
  );
}

function planCreate(picture: Picture, layout: LayoutCounts): Planned {
  const { spec, volumeName } = picture.input;
  const bricks = picture.desired.bricks;
  const down = notConnected(
    picture,
    bricks.map((brick) => brick.node),
  );
  if (down.length > 0) {
    return { ...NOTHING, blocked: [hostDown('create', volumeName, down, picture)] };
  }
  const options = Object.entries(spec.options ?? {});
  const changes: VolumeAction[] = [
    {
      kind: 'create',
      bricks: bricks.map(brickName),
      layout,
      transport: spec.transport ?? 'tcp',
      force: spec.allowForce ?? false,
    },
    ...(options.length > 0 ? [{ kind: 'setOptions' as const, options }] : []),
    ...((spec.state ?? 'Started') === 'Started' ? [{ kind: 'start' as const }] : []),
  ];
  return { changes, blocked: [], rebalanceOwed: false };
}

function planExisting(
  picture: Picture,
  owner: Ownership,
  volume: ObservedVolume,
  layout: LayoutCounts,
): Planned {
  const { spec, volumeName, previous } = picture.input;
  const wantStarted = (spec.state ?? 'Started') === 'Started';
  const additive: VolumeAction[] = [];
  const destructive: VolumeAction[] = [];
  const blockedChanges: VolumeBlocked[] = [];
  const add = (outcome: VolumeAction | VolumeBlocked | undefined): void => {
    if (outcome === undefined) return;
    if ('reason' in outcome) blockedChanges.push(outcome);
    else if (isDestructiveVolumeAction(outcome)) destructive.push(outcome);
    else additive.push(outcome);
  };

  // Options first: they never depend on the bricks, and a new brick gets them at once.
  const wanted = Object.entries(spec.options ?? {});
  const toSet = wanted.filter(([key, value]) => optionOf(volume.options, key) !== value);
  if (toSet.length > 0) add({ kind: 'setOptions', options: toSet });
  // Only keys the last status showed as this resource's: a person's own options stay.
  const ours = owner.ownership === 'Managed' ? Object.keys(previous?.options ?? {}) : [];
  for (const key of ours) {
    const inSpec = optionOf(spec.options, key) !== undefined;
    if (!inSpec && optionOf(volume.options, key) !== undefined) add({ kind: 'resetOption', key });
  }

  const observedLayout = layoutOfReported(volume);
  let expanding = false;
  if (!sameLayout(observedLayout, layout)) {
    add(
      blocked(
        'reshape',
        volumeName,
        'LayoutMismatch',
        `Volume ${volumeName} is ${describeLayout(observedLayout)} (${volume.typeStr}, ${volume.bricks.length} bricks) where spec asks for ${describeLayout(layout)}. The operator does not change a volume's layout in place: put spec.layout back, or move the data to a new volume`,
      ),
    );
  } else {
    const diff = diffBricks(picture, volume.bricks);
    switch (diff.kind) {
      case 'same':
        add(checkStrayRemoval(picture));
        break;
      case 'expand':
        expanding = true;
        add(planExpand(picture, diff.added, layout));
        break;
      case 'shrink':
        add(planShrink(picture, volume, diff.removed, wantStarted));
        break;
      case 'replace':
        add(planReplace(picture, volume, diff, layout));
        break;
      case 'mismatch':
        add(blocked('reshape', volumeName, 'BrickMismatch', diff.message));
        break;
    }
  }

  const starting = wantStarted && volume.state !== 'Started';
  if (starting) add({ kind: 'start' });
  if (!wantStarted && volume.state === 'Started') {
    add(
      picture.busy
        ? blocked(
            'stop',
            volumeName,
            'WaitingForTask',
            `Not stopped while ${picture.busy}: gluster refuses to stop a volume meanwhile`,
          )
        : { kind: 'stop' },
    );
  }

  // The debt is paid by a rebalance that runs now, whoever started it; it waits (and is kept)
  // while sets are being added, a task runs, or the volume is not to be started.
  const owed =
    isRebalanceOwed(volume, picture.input.observation.rebalance, previous) &&
    picture.rebalancePhase !== 'InProgress';
  if (owed && !expanding && !picture.busy && wantStarted) add({ kind: 'rebalanceStart' });

  const order: readonly VolumeAction['kind'][] = [
    'setOptions',
    'resetOption',
    'addBricks',
    'start',
    'rebalanceStart',
  ];
  additive.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return {
    changes: [...additive, ...destructive],
    blocked: blockedChanges,
    rebalanceOwed: owed,
  };
}

/** A remove-brick task under way (or awaiting commit) that spec does not ask for. */
function checkStrayRemoval(picture: Picture): VolumeBlocked | undefined {
  const { removeBrick } = picture.input.observation;
  const { volumeName } = picture.input;
  if (!removeBrick || removeBrick.bricks.length === 0 || picture.removePhase === 'NotStarted') {
    return undefined;
  }
  const bricks = removeBrick.bricks.join(' ');
  return blocked(
    'removeBricksStart',
    volumeName,
    'RemoveBrickNotInSpec',
    `A remove-brick of ${bricks} is ${removeBrick.state}, but spec keeps these bricks. Stop it with gluster volume remove-brick ${volumeName} ${bricks} stop, or take them out of spec to let the operator finish it`,
  );
}

function planExpand(
  picture: Picture,
  added: readonly DesiredBrick[],
  layout: LayoutCounts,
): VolumeAction | VolumeBlocked {
  const { volumeName, spec } = picture.input;
  if (picture.busy) {
    return blocked(
      'addBricks',
      volumeName,
      'WaitingForTask',
      `Sets are added once the task ends: ${picture.busy}`,
    );
  }
  const down = notConnected(
    picture,
    added.map((brick) => brick.node),
  );
  if (down.length > 0) return hostDown('addBricks', volumeName, down, picture);
  return {
    kind: 'addBricks',
    bricks: added.map(brickName),
    layout,
    force: spec.allowForce ?? false,
  };
}

/**
 * Removing whole sets from the end: start the migration, wait while it is in progress, commit
 * only once it completed. A failed or stopped migration is a person's call.
 */
function planShrink(
  picture: Picture,
  volume: ObservedVolume,
  removed: readonly ObservedBrick[],
  wantStarted: boolean,
): VolumeAction | VolumeBlocked | undefined {
  const { observation, volumeName } = picture.input;
  const bricks = removed.map((brick) => brick.name);
  const listed = bricks.join(' ');
  const task = observation.removeBrick;
  if (task === undefined) {
    return blocked(
      'removeBricksStart',
      volumeName,
      'IncompleteObservation',
      `The remove-brick status was not read, so whether a removal already runs is unknown; ${listed} are removed once it is`,
    );
  }
  const hostsOf = removed.map((brick) => picture.byUuid.get(brick.hostUuid)?.address ?? brick.host);
  const isOurs =
    task.bricks.length === bricks.length && bricks.every((brick) => task.bricks.includes(brick));
  const phase = picture.removePhase;
  if (isOurs && phase !== 'NotStarted') {
    switch (phase) {
      case 'InProgress':
        return undefined;
      case 'Completed': {
        const down = notConnected(picture, hostsOf);
        if (down.length > 0) return hostDown('removeBricksCommit', volumeName, down, picture);
        return { kind: 'removeBricksCommit', bricks };
      }
      case 'Failed':
      case 'Stopped':
        return blocked(
          'removeBricksCommit',
          volumeName,
          'RemoveBrickFailed',
          `The remove-brick of ${listed} ended ${task.state} after moving ${task.filesMoved} files with ${task.failures} failures; it is not committed, as data may still be on those bricks. Look at the rebalance log on their nodes, then run gluster volume remove-brick ${volumeName} ${listed} stop so that the operator starts it again, or put the sets back in spec`,
        );
      case 'Unknown':
      case undefined:
        return blocked(
          'removeBricksCommit',
          volumeName,
          'WaitingForTask',
          `The remove-brick of ${listed} is "${task.state}", which the operator does not know; nothing is committed on it`,
        );
    }
  }
  if (phase !== 'NotStarted' && task.bricks.length > 0) {
    return blocked(
      'removeBricksStart',
      volumeName,
      'RemoveBrickNotInSpec',
      `A remove-brick of ${task.bricks.join(' ')} is ${task.state}, but spec asks to remove ${listed}. gluster runs one at a time: stop it with gluster volume remove-brick ${volumeName} ${task.bricks.join(' ')} stop, or make spec match it`,
    );
  }
  if (volume.state !== 'Started' || !wantStarted) {
    return blocked(
      'removeBricksStart',
      volumeName,
      'VolumeNotStarted',
      `Removing ${listed} moves their data through the volume, which needs it started: set spec.state to Started until the removal is done`,
    );
  }
  if (picture.busy) {
    return blocked(
      'removeBricksStart',
      volumeName,
      'WaitingForTask',
      `The removal of ${listed} starts once the task ends: ${picture.busy}`,
    );
  }
  const down = notConnected(picture, hostsOf);
  if (down.length > 0) return hostDown('removeBricksStart', volumeName, down, picture);
  return { kind: 'removeBricksStart', bricks };
}

/**
 * How many of a set's other bricks must be online while one is replaced: a majority of the
 * replica set (all of the others for replica 2 or 3), or the data bricks of a disperse set.
 */
function requiredOthersOnline(layout: LayoutCounts, setSize: number): number {
  switch (layout.type) {
    case 'Replicate':
      return Math.min(setSize - 1, Math.floor(setSize / 2) + 1);
    case 'Disperse':
      return layout.disperse - layout.redundancy;
    case 'Distribute':
      return 0;
  }
}

/**
 * One brick swapped in place. The new brick starts empty and is filled by heal from the set's
 * other bricks, so they must be online (quorum) and the old brick must not hold data they lack
 * (it is no heal source). An old brick that is offline has served nothing since it went down:
 * what matters then is that heal info of the others could be read.
 */
function planReplace(
  picture: Picture,
  volume: ObservedVolume,
  diff: Extract<BrickDiff, { kind: 'replace' }>,
  layout: LayoutCounts,
): VolumeAction | VolumeBlocked {
  const { observation, volumeName } = picture.input;
  const { index, from, to } = diff;
  const target = from.name;
  const change = 'replaceBrick';
  const setSize = picture.desired.setSize;
  const set = Math.floor(index / setSize);
  const where = `${describeObserved(picture, from)} (set ${set})`;
  if (layout.type === 'Distribute') {
    return blocked(
      'reshape',
      volumeName,
      'BrickMismatch',
      `${where} differs from spec (${brickName(to)}), but a Distribute volume has no other copy to rebuild a brick from, so gluster cannot replace it. Put the brick back in spec`,
    );
  }
  if (picture.busy) {
    return blocked(
      change,
      target,
      'WaitingForTask',
      `${where} is replaced once the task ends: ${picture.busy}`,
    );
  }
  const others = volume.bricks
    .slice(set * setSize, (set + 1) * setSize)
    .filter((brick) => brick.name !== from.name);
  // The old brick's host may well be down: that is the usual reason to replace it.
  const down = notConnected(picture, [
    to.node,
    ...others.map((brick) => picture.byUuid.get(brick.hostUuid)?.address ?? brick.host),
  ]);
  if (down.length > 0) return hostDown(change, target, down, picture);
  if (observation.brickStatus === undefined) {
    if (volume.state !== 'Started') {
      return blocked(
        change,
        target,
        'ReplaceBlockedNoQuorum',
        `${where} is not replaced while ${volumeName} is ${volume.state}: the new brick is filled from the set's other bricks, which run only in a started volume`,
      );
    }
    return blocked(
      change,
      target,
      'IncompleteObservation',
      `The brick status of ${volumeName} was not read, so whether set ${set} can rebuild ${brickName(to)} is unknown`,
    );
  }
  const online = others.filter((brick) => runtimeOf(observation, brick.name)?.online === true);
  const required = requiredOthersOnline(layout, setSize);
  if (online.length < required) {
    const offline = others.filter((brick) => !online.includes(brick)).map((brick) => brick.name);
    return blocked(
      change,
      target,
      'ReplaceBlockedNoQuorum',
      `${where} is not replaced: ${online.length} of the set's other ${others.length} bricks are online and ${required} are needed to rebuild the new brick without losing quorum (offline: ${offline.join(', ')}). Bring them back first`,
    );
  }
  if (runtimeOf(observation, from.name)?.online === true) {
    const heal = healOf(observation, from.name);
    if (heal === undefined) {
      return blocked(
        change,
        target,
        'IncompleteObservation',
        `Heal info of ${from.name} was not read, so whether it holds data the rest of set ${set} lacks is unknown`,
      );
    }
    if (heal.pending > 0 || heal.splitBrain > 0) {
      return blocked(
        change,
        target,
        'ReplaceBlockedHealPending',
        `${where} is not replaced while it is a heal source: ${heal.pending} entries pending heal${heal.splitBrain > 0 ? ` and ${heal.splitBrain} in split-brain` : ''} that the rest of set ${set} lacks. It is replaced once they have healed`,
      );
    }
  } else {
    const unread = others.filter((brick) => healOf(observation, brick.name) === undefined);
    if (unread.length > 0) {
      return blocked(
        change,
        target,
        'IncompleteObservation',
        `Heal info of ${unread.map((brick) => brick.name).join(', ')} was not read, so whether set ${set} is whole without ${from.name} is unknown`,
      );
    }
  }
  return { kind: 'replaceBrick', from: from.name, to: brickName(to) };
}

/** Retain: let go. Delete: stop, then delete the definition, then let go; one step per pass. */
function planDeletion(picture: Picture, owner: Ownership): Planned {
  const { spec, volumeName, observation } = picture.input;
  const letGo: VolumeAction = { kind: 'removeFinalizer' };
  if ((spec.deletionPolicy ?? 'Retain') === 'Retain') return { ...NOTHING, changes: [letGo] };
  const volume = observation.volume;
  switch (owner.ownership) {
    case 'Unknown':
      return {
        ...NOTHING,
        blocked: [
          blocked(
            'delete',
            volumeName,
            'IncompleteObservation',
            `deletionPolicy is Delete, but volume ${volumeName} could not be read${observation.commandNode === undefined ? ' (no member is connected)' : ` on ${observation.commandNode}`}: the resource stays until it can be`,
          ),
        ],
      };
    case 'Absent':
    case 'Missing':
      return { ...NOTHING, changes: [letGo] };
    case 'Replaced':
    case 'NotAdopted':
    case 'Adopted':
      // Not the volume this resource managed: deleting the resource must not take it along.
      return {
        ...NOTHING,
        changes: [letGo],
        blocked: [
          blocked(
            'delete',
            volumeName,
            owner.ownership === 'Replaced' ? 'VolumeIdChanged' : 'NotAdopted',
            `Volume ${volumeName} (ID ${volume?.id ?? ''}) is not the volume this resource managed, so it is not deleted with it`,
          ),
        ],
      };
    case 'Managed':
    case 'Created':
      if (!volume) return NOTHING;
      if (volume.state !== 'Started') return { ...NOTHING, changes: [{ kind: 'delete' }] };
      if (picture.busy) {
        return {
          ...NOTHING,
          blocked: [
            blocked(
              'stop',
              volumeName,
              'WaitingForTask',
              `deletionPolicy is Delete: ${volumeName} is stopped once the task ends (${picture.busy}), or stop the task with gluster volume rebalance ${volumeName} stop`,
            ),
          ],
        };
      }
      return { ...NOTHING, changes: [{ kind: 'stop' }] };
  }
}
