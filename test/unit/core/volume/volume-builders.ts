import type { NodeState } from '../../../../src/api/gluster-cluster.js';
import type {
  BrickSpec,
  GlusterVolumeSpec,
  GlusterVolumeStatus,
  RebalanceStatus,
  RemoveBrickStatus,
  VolumeCondition,
} from '../../../../src/api/gluster-volume.js';
import type { PlanVolumeInput } from '../../../../src/core/volume/plan-volume.js';
import type {
  ObservedBrick,
  ObservedBrickHeal,
  ObservedBrickRuntime,
  ObservedVolume,
  VolumeClusterMember,
  VolumeObservation,
} from '../../../../src/core/volume/volume-observation.js';

/** Builders for volume planner and status inputs: a volume "v" on nodes n1, n2, ... */
export const VOLUME = 'v';
export const uuidOf = (node: string): string => `uuid-${node}`;
export const nodes = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `n${index + 1}`);

export function aMember(address: string, state: NodeState = 'Connected'): VolumeClusterMember {
  return { address, uuid: uuidOf(address), state };
}

/** One brick per node, all at `path`. */
export function bricksOn(on: readonly string[], path = '/bricks/v'): BrickSpec[] {
  return on.map((node) => ({ node, path }));
}

/** Overrides where an explicit undefined removes the field. */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

function merged<T extends object>(base: T, overrides: Overrides<T>): T {
  return Object.fromEntries(
    Object.entries({ ...base, ...overrides }).filter(([, field]) => field !== undefined),
  ) as T;
}

/** Replica 3 on n1..n3 unless told otherwise. */
export function aVolumeSpec(overrides: Overrides<GlusterVolumeSpec> = {}): GlusterVolumeSpec {
  return merged<GlusterVolumeSpec>(
    {
      clusterRef: { name: 'pool' },
      layout: { type: 'Replicate', replica: 3 },
      bricks: bricksOn(nodes(3)),
    },
    overrides,
  );
}

export function anObservedBrick(
  brick: BrickSpec,
  options: { isArbiter?: boolean; host?: string } = {},
): ObservedBrick {
  const host = options.host ?? brick.node;
  return {
    name: `${host}:${brick.path}`,
    host,
    path: brick.path,
    hostUuid: uuidOf(brick.node),
    isArbiter: options.isArbiter ?? false,
  };
}

/** A started replica 3 volume on n1..n3 with no options, unless told otherwise. */
export function anObservedVolume(
  overrides: Partial<ObservedVolume> & { onBricks?: readonly BrickSpec[] } = {},
): ObservedVolume {
  const { onBricks, ...rest } = overrides;
  return {
    name: VOLUME,
    id: 'id-1',
    state: 'Started',
    typeStr: 'Replicate',
    replicaCount: 3,
    arbiterCount: 0,
    disperseCount: 0,
    redundancyCount: 0,
    transport: 'tcp',
    bricks: (onBricks ?? bricksOn(nodes(3))).map((brick) => anObservedBrick(brick)),
    options: {},
    ...rest,
  };
}

export function aRuntime(online = true): ObservedBrickRuntime {
  return online
    ? { online, port: 49152, pid: 4242, freeBytes: 9e9, totalBytes: 1e10 }
    : { online, port: undefined, pid: undefined, freeBytes: undefined, totalBytes: undefined };
}

/** Every brick online but those named. */
export function brickStatusOf(
  volume: ObservedVolume,
  offline: readonly string[] = [],
): Record<string, ObservedBrickRuntime> {
  return Object.fromEntries(
    volume.bricks.map((brick) => [brick.name, aRuntime(!offline.includes(brick.name))]),
  );
}

export function aHeal(pending = 0, splitBrain = 0, connected = true): ObservedBrickHeal {
  return { pending, splitBrain, possiblyHealing: 0, connected };
}

/** Nothing to heal on any brick, but the counts given by brick name. */
export function healOf(
  volume: ObservedVolume,
  counts: Readonly<Record<string, ObservedBrickHeal>> = {},
): Record<string, ObservedBrickHeal> {
  return Object.fromEntries(
    volume.bricks.map((brick) => [brick.name, counts[brick.name] ?? aHeal()]),
  );
}

export function aTask(state: string, extra: Partial<RebalanceStatus> = {}): RebalanceStatus {
  return {
    state,
    filesMoved: 0,
    bytesMoved: 0,
    filesScanned: 0,
    failures: 0,
    skipped: 0,
    runtimeSeconds: 0,
    ...extra,
  };
}

export function aRemoveBrick(
  state: string,
  bricks: readonly string[],
  extra: Partial<RebalanceStatus> = {},
): RemoveBrickStatus {
  return { ...aTask(state, extra), bricks };
}

/**
 * Members n1..n3, connected, asked on n1; no volume. With a volume, its bricks are online and
 * healthy and no task ever ran, unless told otherwise.
 */
export function anObservation(overrides: Partial<VolumeObservation> = {}): VolumeObservation {
  const volume = 'volume' in overrides ? overrides.volume : null;
  const exists = volume !== null && volume !== undefined;
  return {
    members: nodes(3).map((node) => aMember(node)),
    commandNode: 'n1',
    brickStatus: exists && volume.state === 'Started' ? brickStatusOf(volume) : undefined,
    heal: exists && volume.state === 'Started' ? healOf(volume) : undefined,
    rebalance: exists ? aTask('not started') : undefined,
    removeBrick: exists ? aRemoveBrick('not started', []) : undefined,
    ...overrides,
    volume,
  };
}

export function aCondition(
  type: string,
  status: VolumeCondition['status'],
  reason: string,
): VolumeCondition {
  return {
    type,
    status,
    reason,
    message: '',
    lastTransitionTime: '2026-11-22T09:00:00Z',
    observedGeneration: 1,
  };
}

/** What a pass that saw `volume` managed by this resource wrote, set by set. */
export function aPreviousStatus(
  volume: ObservedVolume,
  overrides: Overrides<GlusterVolumeStatus> = {},
): GlusterVolumeStatus {
  const setSize =
    volume.disperseCount > 0 ? volume.disperseCount : Math.max(volume.replicaCount, 1);
  return merged<GlusterVolumeStatus>(
    {
      volumeName: volume.name,
      volumeId: volume.id,
      state: volume.state,
      bricks: volume.bricks.map((brick, index) => ({
        name: brick.name,
        path: brick.path,
        index,
        set: Math.floor(index / setSize),
        online: true,
      })),
    },
    overrides,
  );
}

export function aPlanInput(
  spec: GlusterVolumeSpec,
  observation: VolumeObservation,
  options: { previous?: GlusterVolumeStatus; isDeleting?: boolean } = {},
): PlanVolumeInput {
  return {
    volumeName: spec.volumeName ?? VOLUME,
    spec,
    isDeleting: options.isDeleting ?? false,
    observation,
    previous: options.previous,
  };
}
