import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertAccepted } from './gluster-errors.js';
import type { Peer, PoolMember } from './peer.js';
import { parsePeers } from './peer.js';

// gluster's name for the node that answered `pool list`.
const LOCAL_ROW_HOSTNAME = 'localhost';

/**
 * `gluster pool list` on `node`: every member of the pool as that node sees it, itself included.
 * Its own row, which gluster calls `localhost`, is reported under the address it was asked by.
 */
export async function getPoolList(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<PoolMember[]> {
  const answer = await cli.run(node, ['pool', 'list'], options);
  assertAccepted('pool list', node, answer);
  return parsePeers(answer.output).map((peer) =>
    peer.hostname === LOCAL_ROW_HOSTNAME && peer.state === undefined
      ? { ...peer, hostname: node, hostnames: [node], isLocal: true }
      : { ...peer, isLocal: false },
  );
}

/** The hostnames of `pool list` on `node`, the node itself as asked (peer-ops' nodes_from_pool_list). */
export async function nodesFromPoolList(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<string[]> {
  return (await getPoolList(cli, node, options)).map((member) => member.hostname);
}

/** The UUID glusterd of `node` has, from its own row of `pool list`. */
export function localMember(members: readonly PoolMember[]): PoolMember | undefined {
  return members.find((member) => member.isLocal);
}

/** The other members, as in `peer status`. */
export function remoteMembers(members: readonly PoolMember[]): Peer[] {
  return members.filter((member) => !member.isLocal);
}
