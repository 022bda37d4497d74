/**
 * What one pass learnt about a GlusterVolume's volume, as plain data: the input of the volume
 * planner. The gather step builds it from the referenced GlusterCluster and from gluster's
 * answers on the command node; nothing here is fetched or parsed.
 */
import type { NodeState } from '../../api/gluster-cluster.js';
import type {
  RebalanceStatus,
  RemoveBrickStatus,
  VolumeTransport,
} from '../../api/gluster-volume.js';
import type { ReportedCounts } from '../../api/volume-layout-counts.js';

/** A node of the referenced GlusterCluster, as its spec and status describe it. */
export interface VolumeClusterMember {
  /** Its spec address (spec.nodes[].address): what bricks in spec name. */
  readonly address: string;
  /** Its glusterd UUID (status.nodes[].uuid); undefined while the cluster does not know it. */
  readonly uuid: string | undefined;
  /** status.nodes[].state; undefined when the cluster status does not list it yet. */
  readonly state: NodeState | undefined;
}

export function isConnectedMember(member: VolumeClusterMember | undefined): boolean {
  return member?.state === 'Connected';
}

export interface ObservedBrick {
  /** `host:/path` as gluster names it. */
  readonly name: string;
  readonly host: string;
  readonly path: string;
  /** The glusterd UUID of its host: who hosts it, whatever name gluster uses for the host. */
  readonly hostUuid: string;
  readonly isArbiter: boolean;
}

export interface ObservedVolume extends ReportedCounts {
  readonly name: string;
  readonly id: string;
  readonly state: 'Created' | 'Started' | 'Stopped';
  /** gluster's typeStr: Replicate, Distributed-Replicate, Disperse, Distribute, ... */
  readonly typeStr: string;
  readonly transport: VolumeTransport;
  /** In volume order: set k is bricks[k*size .. k*size+size-1]. */
  readonly bricks: readonly ObservedBrick[];
  /** "Options Reconfigured" of volume info: key → value as gluster stores it. */
  readonly options: Readonly<Record<string, string>>;
}

/** One brick's process, from `volume status <v> detail`. */
export interface ObservedBrickRuntime {
  readonly online: boolean;
  readonly port: number | undefined;
  readonly pid: number | undefined;
  readonly freeBytes: number | undefined;
  readonly totalBytes: number | undefined;
}

/** One brick's row of `volume heal <v> info summary`. */
export interface ObservedBrickHeal {
  /** Entries pending heal that this brick is a source of. */
  readonly pending: number;
  readonly splitBrain: number;
  readonly possiblyHealing: number;
  /** False when heal info could not reach the brick: its counts then mean nothing. */
  readonly connected: boolean;
}

export interface VolumeObservation {
  /** The referenced cluster's spec nodes, in its spec order (brickTemplate follows it). */
  readonly members: readonly VolumeClusterMember[];
  /** The connected member gluster was asked on (its spec address); undefined when there is none. */
  readonly commandNode: string | undefined;
  /** undefined: could not be read this pass; null: no volume of that name exists. */
  readonly volume: ObservedVolume | null | undefined;
  /** By brick name; undefined when not read (a stopped volume has no brick processes). */
  readonly brickStatus: Readonly<Record<string, ObservedBrickRuntime>> | undefined;
  /** By brick name; undefined when not read (not replicated or dispersed, or not started). */
  readonly heal: Readonly<Record<string, ObservedBrickHeal>> | undefined;
  /** `volume rebalance <v> status`; state "not started" when none ever ran; undefined: not read. */
  readonly rebalance: RebalanceStatus | undefined;
  /**
   * The volume's remove-brick task and the bricks it is about (`volume status <v> tasks`, then
   * `remove-brick ... status`); state "not started" with no bricks when there is none.
   */
  readonly removeBrick: RemoveBrickStatus | undefined;
}

// Own properties only: a key such as "constructor" must not find Object.prototype's.
function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export function runtimeOf(
  observation: VolumeObservation,
  brick: string,
): ObservedBrickRuntime | undefined {
  return own(observation.brickStatus, brick);
}

/** The brick's heal counts, only when heal info reached it. */
export function healOf(
  observation: VolumeObservation,
  brick: string,
): ObservedBrickHeal | undefined {
  const heal = own(observation.heal, brick);
  return heal?.connected ? heal : undefined;
}

export function optionOf(
  options: Readonly<Record<string, string>> | undefined,
  key: string,
): string | undefined {
  return own(options, key);
}
