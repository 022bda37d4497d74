import { InvalidArgumentError } from '../errors.js';

/**
 * The counts that shape every set of a volume, as `volume create` and `add-brick` take them. The
 * same shape as the planner's LayoutCounts (src/core/volume/volume-layout.ts), so an action's
 * layout is passed as it is.
 */
export type VolumeLayoutCounts =
  | {
      readonly type: 'Replicate';
      readonly replica: number;
      /** 0, or 1: the last brick of each set is an arbiter (replica 3 only). */
      readonly arbiter: number;
    }
  | { readonly type: 'Disperse'; readonly disperse: number; readonly redundancy: number }
  | { readonly type: 'Distribute' };

// Far above any real layout; keeps a typo from reaching glusterd.
const MAX_SET_SIZE = 64;

/** Refuses counts gluster cannot build, before anything runs. */
export function assertLayout(layout: VolumeLayoutCounts): void {
  const isCount = (n: number, min: number): boolean =>
    Number.isInteger(n) && n >= min && n <= MAX_SET_SIZE;
  switch (layout.type) {
    case 'Replicate':
      if (!isCount(layout.replica, 2)) {
        throw new InvalidArgumentError(
          `Invalid replica count ${layout.replica}: use an integer from 2 to ${MAX_SET_SIZE}`,
        );
      }
      if (layout.arbiter !== 0 && !(layout.arbiter === 1 && layout.replica === 3)) {
        throw new InvalidArgumentError(
          `Invalid arbiter count ${layout.arbiter}: 0, or 1 with replica 3 (gluster's only arbiter layout)`,
        );
      }
      return;
    case 'Disperse':
      if (!isCount(layout.disperse, 3)) {
        throw new InvalidArgumentError(
          `Invalid disperse count ${layout.disperse}: use an integer from 3 to ${MAX_SET_SIZE}`,
        );
      }
      if (!isCount(layout.redundancy, 1) || 2 * layout.redundancy >= layout.disperse) {
        throw new InvalidArgumentError(
          `Invalid redundancy ${layout.redundancy} for disperse ${layout.disperse}: at least 1 and less than half of the disperse count`,
        );
      }
      return;
    case 'Distribute':
      return;
  }
}

/** Bricks per set: the replica or disperse count, or 1 for Distribute. */
export function setSizeOf(layout: VolumeLayoutCounts): number {
  switch (layout.type) {
    case 'Replicate':
      return layout.replica;
    case 'Disperse':
      return layout.disperse;
    case 'Distribute':
      return 1;
  }
}

/** Refuses a brick list that is not whole sets of the layout. */
export function assertWholeSets(layout: VolumeLayoutCounts, brickCount: number): void {
  const size = setSizeOf(layout);
  if (brickCount === 0 || brickCount % size !== 0) {
    throw new InvalidArgumentError(
      `${brickCount} bricks are not whole sets of ${size} (${describeLayoutCounts(layout)})`,
    );
  }
}

/** The counts as `volume create` takes them: `replica 3 arbiter 1`, `disperse 3 redundancy 1`. */
export function createLayoutArgs(layout: VolumeLayoutCounts): string[] {
  switch (layout.type) {
    case 'Replicate':
      return [
        'replica',
        String(layout.replica),
        ...(layout.arbiter > 0 ? ['arbiter', String(layout.arbiter)] : []),
      ];
    case 'Disperse':
      return ['disperse', String(layout.disperse), 'redundancy', String(layout.redundancy)];
    case 'Distribute':
      return [];
  }
}

/**
 * The counts as `add-brick` takes them: the replica count (and arbiter) of a replicated volume, so
 * glusterd adds sets instead of reading the bricks as a new replica count; nothing for disperse
 * and distribute, whose set size the volume already has.
 */
export function addBrickLayoutArgs(layout: VolumeLayoutCounts): string[] {
  return layout.type === 'Replicate' ? createLayoutArgs(layout) : [];
}

export function describeLayoutCounts(layout: VolumeLayoutCounts): string {
  const words = createLayoutArgs(layout);
  return words.length === 0 ? 'distribute' : words.join(' ');
}

/** The layout of an existing volume, from the counts volume info reports. */
export function layoutOfCounts(counts: {
  readonly replicaCount: number;
  readonly arbiterCount: number;
  readonly disperseCount: number;
  readonly redundancyCount: number;
}): VolumeLayoutCounts {
  if (counts.disperseCount > 0) {
    return { type: 'Disperse', disperse: counts.disperseCount, redundancy: counts.redundancyCount };
  }
  if (counts.replicaCount > 1) {
    return { type: 'Replicate', replica: counts.replicaCount, arbiter: counts.arbiterCount };
  }
  return { type: 'Distribute' };
}
