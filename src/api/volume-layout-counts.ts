/**
 * A volume's layout as gluster's create and add-brick take it: the counts that shape every set.
 * One type for the planner (src/core/volume) and the gluster library (src/gluster), so an
 * action's layout is passed to the library as it is.
 */
export type LayoutCounts =
  | {
      readonly type: 'Replicate';
      readonly replica: number;
      /** 0, or 1: the last brick of each set is an arbiter (replica 3 only). */
      readonly arbiter: number;
    }
  | { readonly type: 'Disperse'; readonly disperse: number; readonly redundancy: number }
  | { readonly type: 'Distribute' };

/** The counts as gluster reports them for an existing volume (volume info). */
export interface ReportedCounts {
  readonly replicaCount: number;
  readonly arbiterCount: number;
  readonly disperseCount: number;
  readonly redundancyCount: number;
}

/** Bricks per set: the replica or disperse count, or 1 for Distribute. */
export function setSizeOf(counts: LayoutCounts): number {
  switch (counts.type) {
    case 'Replicate':
      return counts.replica;
    case 'Disperse':
      return counts.disperse;
    case 'Distribute':
      return 1;
  }
}

/** The layout of an existing volume, from the counts volume info reports. */
export function layoutOfReported(reported: ReportedCounts): LayoutCounts {
  if (reported.disperseCount > 0) {
    return {
      type: 'Disperse',
      disperse: reported.disperseCount,
      redundancy: reported.redundancyCount,
    };
  }
  if (reported.replicaCount > 1) {
    return { type: 'Replicate', replica: reported.replicaCount, arbiter: reported.arbiterCount };
  }
  return { type: 'Distribute' };
}

/** As gluster's CLI spells it: "replica 3 arbiter 1", "disperse 3 redundancy 1", "distribute". */
export function describeLayout(counts: LayoutCounts): string {
  switch (counts.type) {
    case 'Replicate':
      return counts.arbiter > 0
        ? `replica ${counts.replica} arbiter ${counts.arbiter}`
        : `replica ${counts.replica}`;
    case 'Disperse':
      return `disperse ${counts.disperse} redundancy ${counts.redundancy}`;
    case 'Distribute':
      return 'distribute';
  }
}
