import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertAccepted, GlusterXmlParseError } from './gluster-errors.js';
import type { PoolMember } from './peer.js';
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

/**
 * `node`'s own row of its `pool list` (glusterd always lists itself as localhost): an answer
 * without it cannot be read, which is gluster's answer being odd, not the caller's mistake.
 */
export function requireLocalMember(members: readonly PoolMember[], node: string): PoolMember {
  const self = members.find((member) => member.isLocal);
  if (!self) throw new GlusterXmlParseError(`gluster pool list on ${node} has no localhost row`);
  return self;
}
