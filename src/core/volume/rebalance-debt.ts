import type { GlusterVolumeStatus } from '../../api/gluster-volume.js';
import type { ObservedVolume } from './volume-observation.js';
import { layoutOfReported, setSizeOf } from './volume-layout.js';

/**
 * The condition that carries an owed rebalance from one pass to the next. True from the pass
 * that first sees sets the last status did not list, until a pass starts a rebalance without
 * failing (or sees one running).
 */
export const REBALANCE_PENDING = 'RebalancePending';

/** How many distribute sets the volume has. */
export function setCountOf(volume: ObservedVolume): number {
  return Math.ceil(volume.bricks.length / setSizeOf(layoutOfReported(volume)));
}

/**
 * Whether the volume owes a rebalance. gluster does not reset a finished rebalance's status on
 * add-brick, so "completed" may be an old run's; the operator keeps its own memory instead:
 *   - the last status listed fewer sets of this same volume ID (bricks were added since: the
 *     status of a pass is computed from what that pass read, before it acted), or
 *   - the last status still said RebalancePending (a start was planned and did not happen).
 * A volume of one set has nothing to spread, so it never owes one.
 */
export function isRebalanceOwed(
  volume: ObservedVolume,
  previous: GlusterVolumeStatus | undefined,
): boolean {
  if (previous?.volumeId !== volume.id) return false;
  const sets = setCountOf(volume);
  if (sets < 2) return false;
  const previousSets =
    previous.bricks === undefined ? 0 : new Set(previous.bricks.map((brick) => brick.set)).size;
  const grew = previousSets > 0 && sets > previousSets;
  const stillOwed = previous.conditions?.some(
    (condition) => condition.type === REBALANCE_PENDING && condition.status === 'True',
  );
  return grew || stillOwed === true;
}
