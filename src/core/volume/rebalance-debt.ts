import type { GlusterVolumeStatus, RebalanceStatus } from '../../api/gluster-volume.js';
import type { ObservedVolume } from './volume-observation.js';
import { layoutOfReported, setSizeOf } from '../../api/volume-layout-counts.js';

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
 *   - the last status listed fewer sets of this same volume ID (bricks were added since: each
 *     round of a pass compares with the status of the round before, computed from what that round
 *     read, so a rebalance that ran before the add-brick never pays for it), or
 *   - the last status still said RebalancePending and no rebalance began since: glusterd gives
 *     each `rebalance start` a new task ID, so one that differs from the ID the last status
 *     recorded began after it. That pays the debt whoever started it, including a start of ours
 *     whose answer timed out although glusterd ran it (it is not started twice).
 * A volume of one set has nothing to spread, so it never owes one.
 */
export function isRebalanceOwed(
  volume: ObservedVolume,
  rebalance: RebalanceStatus | undefined,
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
  return grew || (stillOwed === true && !hasRebalanceBegunSince(rebalance, previous));
}

/**
 * A rebalance task that the last status did not record. When that status recorded a rebalance
 * without an ID (written by an operator before IDs were kept), it cannot tell: it says no, and
 * the debt stays (a second rebalance is harmless; a lost one leaves data where it was).
 */
function hasRebalanceBegunSince(
  rebalance: RebalanceStatus | undefined,
  previous: GlusterVolumeStatus,
): boolean {
  const taskId = rebalance?.taskId;
  if (taskId === undefined) return false;
  if (previous.rebalance === undefined) return true;
  return previous.rebalance.taskId !== undefined && previous.rebalance.taskId !== taskId;
}
