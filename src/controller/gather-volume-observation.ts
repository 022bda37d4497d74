import type { GlusterCluster } from '../api/gluster-cluster.js';
import type { GlusterVolumeStatus } from '../api/gluster-volume.js';
import type {
  ObservedVolume,
  VolumeClusterMember,
  VolumeObservation,
} from '../core/volume/volume-observation.js';
import { setCountOf } from '../core/volume/rebalance-debt.js';
import type { CallOptions } from '../gluster/gluster-cli.js';
import type { VolumeCommands } from './volume-commands.js';

/**
 * The referenced pool's nodes as its GlusterCluster describes them: spec order (a brick
 * template follows it; an inventory-fed cluster's order is its status's), each with the glusterd
 * UUID and state its last status recorded. The volume pass never asks the pool's membership
 * itself: the GlusterCluster pass owns that picture.
 */
export function membersOf(cluster: GlusterCluster): VolumeClusterMember[] {
  const statusNodes = cluster.status?.nodes ?? [];
  const addresses =
    cluster.spec.nodes?.map((node) => node.address) ?? statusNodes.map((node) => node.address);
  return addresses.map((address) => {
    const known = statusNodes.find((node) => node.address === address);
    return { address, uuid: known?.uuid, state: known?.state };
  });
}

/** The pool's command node when it is connected, else the first connected member. */
export function chooseCommandNode(
  cluster: GlusterCluster,
  members: readonly VolumeClusterMember[],
): string | undefined {
  const connected = members.filter((member) => member.state === 'Connected');
  const preferred = cluster.status?.commandNode;
  return (connected.find((member) => member.address === preferred) ?? connected[0])?.address;
}

/**
 * The I/O half of a GlusterVolume pass: volume info on the command node, then, for a started
 * volume, its bricks' processes, heal counts (replicated or dispersed), rebalance (more than one
 * set) and remove-brick task, side by side. A read that fails is "not read" (undefined), never a
 * guess: the planner decides nothing on a volume it could not read.
 */
export async function gatherVolumeObservation(
  commands: VolumeCommands,
  request: {
    readonly members: readonly VolumeClusterMember[];
    readonly commandNode: string | undefined;
    readonly volumeName: string;
    readonly previous: GlusterVolumeStatus | undefined;
  },
  read: CallOptions,
): Promise<VolumeObservation> {
  const { members, commandNode, volumeName } = request;
  const unread: VolumeObservation = {
    members,
    commandNode,
    volume: undefined,
    brickStatus: undefined,
    heal: undefined,
    rebalance: undefined,
    removeBrick: undefined,
  };
  if (commandNode === undefined) return unread;
  let volume: ObservedVolume | null;
  try {
    volume = await commands.readVolume(commandNode, volumeName, read);
  } catch {
    return unread;
  }
  if (volume === null || volume.state !== 'Started') {
    return {
      ...unread,
      volume,
      // A volume that is not started has no task and no brick process: nothing else to ask.
      ...(volume === null
        ? {}
        : {
            rebalance: notStarted(),
            removeBrick: { ...notStarted(), bricks: [] },
          }),
    };
  }
  const heals = volume.replicaCount > 1 || volume.disperseCount > 0;
  // heal info runs glfsheal, which takes no glusterd lock: beside the others. The volume status
  // and task reads each take the volume's lock in glusterd, which refuses a second one at the
  // same time ("Another transaction is in progress"): one after the other.
  const healRead = heals
    ? commands.readHeal(commandNode, volumeName, read).catch(() => undefined)
    : undefined;
  const brickStatus = await commands
    .readBrickStatus(commandNode, volumeName, read)
    .catch(() => undefined);
  const rebalance =
    setCountOf(volume) > 1
      ? await commands.readRebalance(commandNode, volumeName, read).catch(() => undefined)
      : notStarted();
  const removeBrick = await commands
    .readRemoveBrick(commandNode, volumeName, read)
    .catch(() => undefined);
  const heal = await healRead;
  return { members, commandNode, volume, brickStatus, heal, rebalance, removeBrick };
}

function notStarted() {
  return {
    state: 'not started',
    filesMoved: 0,
    bytesMoved: 0,
    filesScanned: 0,
    failures: 0,
    skipped: 0,
    runtimeSeconds: 0,
  };
}
