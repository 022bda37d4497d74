/**
 * The GlusterVolume resource (glusteroperator.io/v1alpha1), as the operator reads and writes it:
 * one gluster volume of the pool a GlusterCluster in the same namespace declares. Mirrors
 * crds/glustervolumes.glusteroperator.io.yaml; a test keeps the two equal. Pure types.
 */
export const VOLUME_KIND = 'GlusterVolume';
export const VOLUME_PLURAL = 'glustervolumes';
/** Set on every GlusterVolume whose deletionPolicy is Delete, until the volume is deleted. */
export const VOLUME_FINALIZER = 'glusteroperator.io/volume';

export type VolumeLayoutType = 'Replicate' | 'Disperse' | 'Distribute';
export type VolumeTransport = 'tcp' | 'rdma' | 'tcp,rdma';
export type VolumeDesiredState = 'Started' | 'Stopped';
/**
 * Retain (default): deleting the resource leaves the volume as it is. Delete: the volume is
 * stopped and its definition deleted. Brick directories and their data are never removed.
 */
export type VolumeDeletionPolicy = 'Retain' | 'Delete';

export interface VolumeLayout {
  readonly type: VolumeLayoutType;
  /** Replicate: bricks per replica set (2 or 3; with `arbiter: 1`, 3 = two data bricks + one arbiter). */
  readonly replica?: number;
  /** Replicate with replica 3 only: 1 makes the last brick of each set an arbiter. */
  readonly arbiter?: number;
  /** Disperse: bricks per disperse set (data + redundancy), at least 3. */
  readonly disperse?: number;
  /** Disperse: bricks of each set that may be lost, at least 1, less than disperse / 2. */
  readonly redundancy?: number;
}

export interface BrickSpec {
  /** The address of a node of the referenced GlusterCluster (as in its spec). */
  readonly node: string;
  /** Absolute path of the brick directory on that node. */
  readonly path: string;
}

/**
 * Bricks laid out over the cluster's nodes instead of a list: set k takes, for each of its
 * bricks, the next node of the cluster's spec order (wrapping around), each at `path` with
 * `{volume}` replaced by the volume name and `{set}` by k. Exactly one of bricks and brickTemplate.
 */
export interface BrickTemplateSpec {
  readonly path: string;
  /** How many sets (replica or disperse sets; bricks for Distribute). */
  readonly sets: number;
}

export interface GlusterVolumeSpec {
  /** The GlusterCluster (same namespace) whose pool holds the volume. */
  readonly clusterRef: { readonly name: string };
  /** The gluster volume name; defaults to metadata.name. */
  readonly volumeName?: string;
  readonly layout: VolumeLayout;
  /** In set order: set k is bricks[k*size .. k*size+size-1]. */
  readonly bricks?: readonly BrickSpec[];
  readonly brickTemplate?: BrickTemplateSpec;
  /** Default tcp. Set at create time only. */
  readonly transport?: VolumeTransport;
  /** `gluster volume set` key → value; a key removed from here is reset. */
  readonly options?: Readonly<Record<string, string>>;
  /** Default Started. */
  readonly state?: VolumeDesiredState;
  /** Default Retain. */
  readonly deletionPolicy?: VolumeDeletionPolicy;
  /**
   * Permits `force` on create and add-brick (bricks on the root filesystem, a replica set on one
   * host). Default false: glusterd's refusal is reported instead.
   */
  readonly allowForce?: boolean;
  /** Observe and report only; change nothing. Default false. */
  readonly paused?: boolean;
}

/** What gluster says of the volume (volume info's statusStr), or that it does not exist. */
export type VolumeState = 'Created' | 'Started' | 'Stopped' | 'Absent' | 'Unknown';

export interface BrickHealStatus {
  /** Entries pending heal on this brick (it is their source). */
  readonly pending: number;
  readonly splitBrain: number;
  readonly possiblyHealing: number;
}

export interface BrickStatus {
  /** `host:/path` as gluster names it. */
  readonly name: string;
  /** The spec node it is on (its address), when it is one. */
  readonly node?: string;
  readonly path: string;
  /** The glusterd UUID of its host. */
  readonly hostUuid?: string;
  /** Position in the volume, and its set (0-based). */
  readonly index: number;
  readonly set: number;
  readonly isArbiter?: boolean;
  readonly online: boolean;
  readonly port?: number;
  readonly pid?: number;
  readonly freeBytes?: number;
  readonly totalBytes?: number;
  /** Absent when heal info was not read (the volume is not replicated or dispersed, or stopped). */
  readonly heal?: BrickHealStatus;
}

/** A rebalance or remove-brick data migration, as gluster reports it. */
export interface TaskProgress {
  /** gluster's status text: "in progress", "completed", "failed", "stopped", "not started". */
  readonly state: string;
  readonly filesMoved: number;
  readonly bytesMoved: number;
  readonly filesScanned: number;
  readonly failures: number;
  readonly skipped: number;
  readonly runtimeSeconds: number;
}

export interface RebalanceStatus extends TaskProgress {
  /**
   * glusterd's ID of the task (a new one per `rebalance start`); tells a rebalance started since
   * the last status from the one it recorded. Absent when none ever ran.
   */
  readonly taskId?: string;
}

export interface RemoveBrickStatus extends TaskProgress {
  /** The bricks being removed. */
  readonly bricks: readonly string[];
}

export interface VolumeCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration: number;
}

export interface GlusterVolumeStatus {
  readonly observedGeneration?: number;
  readonly volumeName?: string;
  readonly volumeId?: string;
  readonly state?: VolumeState;
  /** gluster's typeStr: Replicate, Distributed-Replicate, Disperse, Distribute, ... */
  readonly type?: string;
  /** The node gluster commands were run from in the last pass. */
  readonly commandNode?: string;
  readonly bricks?: readonly BrickStatus[];
  /** "online/total", for the printer column. */
  readonly bricksOnline?: string;
  /** Sum of pending heal entries over the bricks. */
  readonly healPending?: number;
  readonly splitBrainEntries?: number;
  readonly rebalance?: RebalanceStatus;
  readonly removeBrick?: RemoveBrickStatus;
  /** The spec's options as gluster reports them in force. */
  readonly options?: Readonly<Record<string, string>>;
  readonly conditions?: readonly VolumeCondition[];
}

export interface GlusterVolume {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: GlusterVolumeSpec;
  readonly status?: GlusterVolumeStatus;
}
