import type { LayoutCounts } from '../api/volume-layout-counts.js';
import { describeLayout, setSizeOf } from '../api/volume-layout-counts.js';
import { InvalidArgumentError } from '../errors.js';

/** The counts that shape every set of a volume, as `volume create` and `add-brick` take them. */
export type VolumeLayoutCounts = LayoutCounts;

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

/** Refuses a brick list that is not whole sets of the layout. */
export function assertWholeSets(layout: VolumeLayoutCounts, brickCount: number): void {
  const size = setSizeOf(layout);
  if (brickCount === 0 || brickCount % size !== 0) {
    throw new InvalidArgumentError(
      `${brickCount} bricks are not whole sets of ${size} (${describeLayout(layout)})`,
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
