import type { GlusterVolume } from '../api/gluster-volume.js';

/** A GlusterVolume as the index keeps it: which cluster it names, and its gluster volume name. */
export interface VolumeReference {
  /** `namespace/name` of the GlusterVolume. */
  readonly volumeKey: string;
  /** `namespace/name` of the GlusterCluster its clusterRef names (always its own namespace). */
  readonly clusterKey: string;
  /** The gluster volume (spec.volumeName, else metadata.name). */
  readonly volumeName: string;
}

/**
 * Which GlusterVolumes name which GlusterCluster, kept from the GlusterVolume watcher's view of
 * every object (its onObject hook): so that a change of a pool's health can wake its volumes,
 * and a pool's status can name the GlusterVolume whose bricks hold a node, without a read.
 * Read without trusting the type: a stored object may predate the CRD's validation.
 */
export class VolumeReferences {
  readonly #byVolume = new Map<string, VolumeReference>();

  /** Records `volume` as it is now under `volumeKey`; undefined: it is gone. */
  update(volumeKey: string, volume: GlusterVolume | undefined): void {
    const reference = volume && referenceOf(volumeKey, volume);
    if (reference) this.#byVolume.set(volumeKey, reference);
    else this.#byVolume.delete(volumeKey);
  }

  /** The GlusterVolumes that name `clusterKey`. */
  volumesOf(clusterKey: string): VolumeReference[] {
    return [...this.#byVolume.values()].filter((reference) => reference.clusterKey === clusterKey);
  }

  get size(): number {
    return this.#byVolume.size;
  }
}

function referenceOf(volumeKey: string, volume: GlusterVolume): VolumeReference | undefined {
  const spec: unknown = volume.spec;
  if (typeof spec !== 'object' || spec === null) return undefined;
  const { clusterRef, volumeName } = spec as { clusterRef?: unknown; volumeName?: unknown };
  const clusterName =
    typeof clusterRef === 'object' && clusterRef !== null
      ? (clusterRef as { name?: unknown }).name
      : undefined;
  if (typeof clusterName !== 'string' || clusterName === '') return undefined;
  return {
    volumeKey,
    clusterKey: `${volume.metadata.namespace}/${clusterName}`,
    volumeName:
      typeof volumeName === 'string' && volumeName !== '' ? volumeName : volume.metadata.name,
  };
}
