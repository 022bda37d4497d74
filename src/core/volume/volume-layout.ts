import type { VolumeLayout } from '../../api/gluster-volume.js';
import type { LayoutCounts } from '../../api/volume-layout-counts.js';
import { describeLayout } from '../../api/volume-layout-counts.js';

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

export function sameLayout(a: LayoutCounts, b: LayoutCounts): boolean {
  return describeLayout(a) === describeLayout(b);
}
