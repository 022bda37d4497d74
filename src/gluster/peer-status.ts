import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertAccepted } from './gluster-errors.js';
import type { Peer } from './peer.js';
import { parsePeers } from './peer.js';

/**
 * `gluster peer status` on `node`: the other members as that node sees them (not itself).
 * Always a list, whether there are none, one or many (peer-ops returned a dict for one peer).
 */
export async function getPeerStatus(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<Peer[]> {
  const answer = await cli.run(node, ['peer', 'status'], options);
  assertAccepted('peer status', node, answer);
  return parsePeers(answer.output);
}
