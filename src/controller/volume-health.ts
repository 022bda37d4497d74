import type { GlusterVolumeSpec, GlusterVolumeStatus } from '../api/gluster-volume.js';
import type { VolumeHealth } from '../observability/volume-metrics.js';

/** What metrics show of a GlusterVolume's status. */
export function volumeHealthOf(spec: GlusterVolumeSpec, status: GlusterVolumeStatus): VolumeHealth {
  const bricks = status.bricks ?? [];
  return {
    ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    bricksTotal: bricks.length,
    bricksOnline: bricks.filter((brick) => brick.online).length,
    healPending: status.healPending,
    splitBrainEntries: status.splitBrainEntries,
    freeBytes: usableBytesOf(spec, status, 'freeBytes'),
    sizeBytes: usableBytesOf(spec, status, 'totalBytes'),
  };
}

/**
 * What clients see of the bricks' bytes: a replicated set holds one copy's worth (its least
 * brick, arbiters aside: they hold no data), a dispersed set its least brick times its data
 * bricks, and a distributed volume the sum of its sets. Undefined unless every brick's figure
 * was read.
 */
export function usableBytesOf(
  spec: GlusterVolumeSpec,
  status: GlusterVolumeStatus,
  field: 'freeBytes' | 'totalBytes',
): number | undefined {
  const bricks = status.bricks ?? [];
  if (bricks.length === 0) return undefined;
  const dataBricks =
    spec.layout.type === 'Disperse'
      ? (spec.layout.disperse ?? 0) - (spec.layout.redundancy ?? 0)
      : 1;
  const leastBySet = new Map<number, number>();
  for (const brick of bricks) {
    if (brick.isArbiter === true) continue;
    const value = brick[field];
    if (value === undefined) return undefined;
    leastBySet.set(brick.set, Math.min(leastBySet.get(brick.set) ?? value, value));
  }
  let sum = 0;
  for (const least of leastBySet.values()) sum += least * Math.max(1, dataBricks);
  return sum;
}
