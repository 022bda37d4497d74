import type { VolumeTransport } from '../../api/gluster-volume.js';
import type { DesiredBrick } from './desired-bricks.js';
import type { LayoutCounts } from '../../api/volume-layout-counts.js';

/**
 * A change the operator makes to the volume, as plain data; the controller turns each into one
 * gluster command on the plan's command node, for the plan's volume. Bricks are `host:/path`.
 */
export type VolumeAction =
  /** `volume create`: bricks in set order. */
  | {
      readonly kind: 'create';
      readonly bricks: readonly string[];
      readonly layout: LayoutCounts;
      readonly transport: VolumeTransport;
      readonly force: boolean;
    }
  /** `volume set` of each pair, in order. */
  | { readonly kind: 'setOptions'; readonly options: readonly (readonly [string, string])[] }
  /** `volume reset <key>`: a key this resource set and spec no longer has. */
  | { readonly kind: 'resetOption'; readonly key: string }
  | { readonly kind: 'start' }
  | { readonly kind: 'stop' }
  /** `volume add-brick`: whole new sets, in set order. */
  | {
      readonly kind: 'addBricks';
      readonly bricks: readonly string[];
      readonly layout: LayoutCounts;
      readonly force: boolean;
    }
  | { readonly kind: 'rebalanceStart' }
  /** `volume replace-brick <from> <to> commit force`: the only form gluster still supports. */
  | { readonly kind: 'replaceBrick'; readonly from: string; readonly to: string }
  /** `volume remove-brick <bricks> start`: whole sets, migrating their data away. */
  | { readonly kind: 'removeBricksStart'; readonly bricks: readonly string[] }
  /** `volume remove-brick <bricks> commit`, only after the migration completed. */
  | { readonly kind: 'removeBricksCommit'; readonly bricks: readonly string[] }
  /** `volume delete`: the definition only; brick directories and their data stay. */
  | { readonly kind: 'delete' }
  /** Nothing left to do for a deleted resource: let Kubernetes remove it. */
  | { readonly kind: 'removeFinalizer' };

export type VolumeActionKind = VolumeAction['kind'];

/** Changes that take data or service away: made alone, one per pass. */
export type DestructiveVolumeAction = Extract<
  VolumeAction,
  { kind: 'stop' | 'replaceBrick' | 'removeBricksStart' | 'removeBricksCommit' | 'delete' }
>;

export function isDestructiveVolumeAction(action: VolumeAction): action is DestructiveVolumeAction {
  return (
    action.kind === 'stop' ||
    action.kind === 'replaceBrick' ||
    action.kind === 'removeBricksStart' ||
    action.kind === 'removeBricksCommit' ||
    action.kind === 'delete'
  );
}

/** Why a change that is needed is not being made. */
export type VolumeBlockReason =
  | 'Paused'
  /** The volume could not be read, or no member is connected to ask: nothing is decided. */
  | 'IncompleteObservation'
  /** spec.layout, spec.bricks or spec.brickTemplate cannot be built (desired-bricks errors). */
  | 'InvalidSpec'
  /** The volume's replica/disperse/arbiter counts are not spec's. */
  | 'LayoutMismatch'
  /** The volume's bricks differ from spec in a way that is not one supported change. */
  | 'BrickMismatch'
  /** A volume of that name exists with another ID than the one this resource managed. */
  | 'VolumeIdChanged'
  /** The volume this resource managed no longer exists: deleted outside the operator. */
  | 'VolumeDeleted'
  /** A volume of that name exists, was not made by this resource and does not match spec. */
  | 'NotAdopted'
  /** A host of a brick the change touches is not a connected member. */
  | 'BrickHostNotConnected'
  /** A rebalance or remove-brick is running; gluster refuses brick changes and stop meanwhile. */
  | 'WaitingForTask'
  /** remove-brick migrates data through the volume's processes: it needs a started volume. */
  | 'VolumeNotStarted'
  | 'ReplaceBlockedHealPending'
  | 'ReplaceBlockedNoQuorum'
  /** The remove-brick of the sets to drop ended failed or stopped. */
  | 'RemoveBrickFailed'
  /** A remove-brick task spec does not ask for is under way or waits for its commit. */
  | 'RemoveBrickNotInSpec';

/** What a blocked change would have been. */
export type VolumeChange =
  | Exclude<VolumeActionKind, 'removeFinalizer'>
  /** Taking over an existing volume. */
  | 'adopt'
  /** Changing the bricks or layout, when no single supported change gets there. */
  | 'reshape'
  /** Any change at all. */
  | 'all';

export interface VolumeBlocked {
  readonly change: VolumeChange;
  /** What it is about: the volume name, a brick (`host:/path`) or an option key. */
  readonly target: string;
  readonly reason: VolumeBlockReason;
  readonly message: string;
}

/** Blockers that only a person can clear; the rest clear by themselves or by retrying. */
export const VOLUME_NEEDS_A_PERSON: ReadonlySet<VolumeBlockReason> = new Set([
  'InvalidSpec',
  'LayoutMismatch',
  'BrickMismatch',
  'VolumeIdChanged',
  'VolumeDeleted',
  'NotAdopted',
  'VolumeNotStarted',
  'RemoveBrickFailed',
  'RemoveBrickNotInSpec',
]);

/** How the volume of that name relates to this resource. */
export type VolumeOwnership =
  /** Not read this pass. */
  | 'Unknown'
  /** No volume of that name, and none was managed before. */
  | 'Absent'
  /** The volume this resource managed (its ID is in status) is gone. */
  | 'Missing'
  /** Its ID is the one status recorded. */
  | 'Managed'
  /** It appeared after this resource's own create (the last status: Absent, Creating). */
  | 'Created'
  /** It existed without this resource and matches spec exactly: taken over from this pass on. */
  | 'Adopted'
  /** It existed without this resource and does not match spec: left alone. */
  | 'NotAdopted'
  /** Its ID is not the one status recorded: recreated outside the operator. */
  | 'Replaced';

export interface VolumePlan {
  readonly volumeName: string;
  /** The member the actions run on (the observation's command node). */
  readonly commandNode: string | undefined;
  /** The bricks spec asks for, in volume order; empty when the spec is invalid. */
  readonly desiredBricks: readonly DesiredBrick[];
  readonly ownership: VolumeOwnership;
  /**
   * The volume ID this resource manages, for status.volumeId: the observed one once the volume
   * is ours; the recorded one while it is missing, replaced or not read, so that a recreated
   * volume is never taken for ours.
   */
  readonly volumeId: string | undefined;
  /**
   * The changes this pass makes: every additive change that can be made now (create, options,
   * add-brick, start, rebalance, in that order), or else exactly one destructive change, or
   * removing the finalizer. Empty while paused (but for removing the finalizer).
   */
  readonly batch: readonly VolumeAction[];
  /** Every change that can be made now, in order: this pass's batch first. */
  readonly changes: readonly VolumeAction[];
  /** Changes known to be needed after this pass's batch. */
  readonly remainingChanges: number;
  readonly blocked: readonly VolumeBlocked[];
  /** A gluster task under way that the operator waits for. */
  readonly inFlight: 'Rebalancing' | 'RemovingBricks' | undefined;
  /** Sets were added and their rebalance has not been started yet (see rebalance-debt.ts). */
  readonly rebalanceOwed: boolean;
}
