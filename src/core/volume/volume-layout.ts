import type { VolumeLayout } from '../../api/gluster-volume.js';

/**
 * A volume's layout as gluster's create and add-brick take it: the counts that shape every set.
 * Validated, so `replica`, `disperse` and the rest are always meaningful for their type.
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

/** spec.layout → counts, or why the layout is not one gluster can build. */
export function resolveLayout(
  layout: VolumeLayout,
): { readonly counts: LayoutCounts } | { readonly error: string } {
  const { type, replica, arbiter, disperse, redundancy } = layout;
  const stray = (names: readonly (keyof VolumeLayout)[]): string | undefined => {
    const set = names.filter((name) => layout[name] !== undefined);
    return set.length > 0
      ? `spec.layout.${set.join(' and spec.layout.')} do not apply to a ${type} volume: remove ${set.length === 1 ? 'it' : 'them'}`
      : undefined;
  };
  switch (type) {
    case 'Replicate': {
      const error = stray(['disperse', 'redundancy']);
      if (error) return { error };
      if (replica !== 2 && replica !== 3) {
        return { error: 'spec.layout.replica must be 2 or 3 for a Replicate volume' };
      }
      const arbiters = arbiter ?? 0;
      if (arbiters !== 0 && arbiters !== 1) {
        return { error: 'spec.layout.arbiter must be 0 or 1' };
      }
      if (arbiters === 1 && replica !== 3) {
        return {
          error: 'spec.layout.arbiter: 1 needs replica: 3 (two data bricks and an arbiter)',
        };
      }
      return { counts: { type, replica, arbiter: arbiters } };
    }
    case 'Disperse': {
      const error = stray(['replica', 'arbiter']);
      if (error) return { error };
      if (disperse === undefined || !Number.isInteger(disperse) || disperse < 3) {
        return { error: 'spec.layout.disperse must be an integer of at least 3' };
      }
      if (
        redundancy === undefined ||
        !Number.isInteger(redundancy) ||
        redundancy < 1 ||
        2 * redundancy >= disperse
      ) {
        return {
          error: `spec.layout.redundancy must be at least 1 and less than half of disperse (${disperse})`,
        };
      }
      return { counts: { type, disperse, redundancy } };
    }
    case 'Distribute': {
      const error = stray(['replica', 'arbiter', 'disperse', 'redundancy']);
      return error ? { error } : { counts: { type } };
    }
  }
}

/** Bricks per set: replica set, disperse set, or one brick for Distribute. */
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

export function sameLayout(a: LayoutCounts, b: LayoutCounts): boolean {
  return describeLayout(a) === describeLayout(b);
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
