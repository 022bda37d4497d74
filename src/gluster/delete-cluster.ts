import type { ClusterAction } from './cluster-errors.js';
import { ClusterChangeFailedError, ClusterChangeRefusedError } from './cluster-errors.js';
import type { ClusterOptions } from './create-cluster.js';
import { assertNodeList } from './create-cluster.js';
import type { GlusterCli } from './gluster-cli.js';
import { HostMatcher } from './host-identity.js';
import { peerDetach } from './peer-detach.js';
import { getPoolList } from './pool-list.js';
import { bricksHostedBy, getVolumeInfo } from './volume-info.js';

export interface DeleteClusterResult {
  readonly anchor: string;
  readonly actions: readonly ClusterAction[];
}

/**
 * peer-ops' delete_cluster: detaches the other nodes from the first, one at a time, leaving each
 * a pool of its own. Never forced. Refused with nothing changed when a node to detach hosts
 * bricks; a refusal part-way (another member down) reports what was already detached.
 */
export async function deleteCluster(
  cli: GlusterCli,
  nodes: readonly string[],
  options: ClusterOptions = {},
): Promise<DeleteClusterResult> {
  assertNodeList(nodes);
  const [anchor, ...others] = nodes as [string, ...string[]];
  const operation = `dissolve the pool of ${nodes.join(', ')}`;
  const matcher = new HostMatcher(options.resolver);
  const [members, volumes] = await Promise.all([
    getPoolList(cli, anchor, options),
    getVolumeInfo(cli, anchor, options),
  ]);

  // Each node's pool entry, looked up once for the check and the detach.
  const targets = await Promise.all(
    others.map(async (node) => ({ node, member: await matcher.findPeer(members, { host: node }) })),
  );
  const blockers: string[] = [];
  for (const { node, member } of targets) {
    if (member?.isLocal) blockers.push(`${node} is ${anchor} itself`);
    const bricks = member ? bricksHostedBy(volumes, member.uuid) : [];
    if (bricks.length > 0) {
      blockers.push(`${node} hosts bricks (${bricks.map((brick) => brick.name).join(', ')})`);
    }
  }
  if (blockers.length > 0) throw new ClusterChangeRefusedError(operation, blockers);

  const actions: ClusterAction[] = [];
  try {
    for (const { node, member } of targets) {
      // Detach by the name glusterd knows the peer by; a node not in the pool is already absent.
      const server = member?.hostname ?? node;
      const result = await peerDetach(cli, { server, node: anchor }, options);
      actions.push({ verb: 'detach', node: anchor, server, outcome: result.outcome });
    }
  } catch (cause) {
    throw new ClusterChangeFailedError(operation, actions, { cause });
  }
  return { anchor, actions };
}
