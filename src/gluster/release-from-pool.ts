import { ClusterChangeRefusedError } from './cluster-errors.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import type { DetachResult } from './peer-detach.js';
import { peerDetach } from './peer-detach.js';
import type { PoolMember } from './peer.js';
import { getPoolList, requireLocalMember } from './pool-list.js';
import type { Volume } from './volume-info.js';
import { bricksHostedBy, getVolumeInfo } from './volume-info.js';

/** The detach that takes a node out of the pool it is in. */
export interface Release {
  /** Where the detach runs. */
  readonly node: string;
  readonly server: string;
}

/** A node's pool as the node itself sees it. */
export interface OwnPool {
  readonly node: string;
  readonly uuid: string;
  readonly members: readonly PoolMember[];
}

/**
 * Picks how to take `pool.node` out of its pool with the smallest change to that pool: detach
 * it from a pool-mate we can reach, leaving the others together; or, in a pool of two, detach
 * the other member from it (the same outcome). A string says why neither is possible.
 */
export async function chooseRelease(
  cli: GlusterCli,
  pool: OwnPool,
  volumes: readonly Volume[],
  options: CallOptions,
): Promise<Release | string> {
  const mates = pool.members.filter((member) => !member.isLocal);
  for (const mate of mates) {
    const mateView = await getPoolList(cli, mate.hostname, options).catch(() => undefined);
    const self = mateView?.find((member) => member.uuid === pool.uuid);
    if (self) return { node: mate.hostname, server: self.hostname };
  }
  const [onlyMate] = mates;
  if (mates.length === 1 && onlyMate && bricksHostedBy(volumes, onlyMate.uuid).length === 0) {
    return { node: pool.node, server: onlyMate.hostname };
  }
  return `${pool.node} is in a pool with ${mates.map((mate) => mate.hostname).join(', ')}, none of which can be reached to release it`;
}

/**
 * Takes `node` out of the trusted pool it is in, leaving the rest of that pool together, so it
 * can be probed into another. Refused (ClusterChangeRefusedError, nothing changed) when it hosts
 * bricks there or no route exists; a lone node needs nothing.
 */
export async function releaseFromPool(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<DetachResult | undefined> {
  const [members, volumes] = await Promise.all([
    getPoolList(cli, node, options),
    getVolumeInfo(cli, node, options),
  ]);
  const self = requireLocalMember(members, node);
  if (members.length === 1) return undefined;
  const operation = `release ${node} from its pool`;
  const bricks = bricksHostedBy(volumes, self.uuid);
  if (bricks.length > 0) {
    throw new ClusterChangeRefusedError(operation, [
      `${node} hosts bricks in its pool (${bricks.map((brick) => brick.name).join(', ')})`,
    ]);
  }
  const release = await chooseRelease(cli, { node, uuid: self.uuid, members }, volumes, options);
  if (typeof release === 'string') throw new ClusterChangeRefusedError(operation, [release]);
  return peerDetach(cli, { server: release.server, node: release.node }, options);
}
