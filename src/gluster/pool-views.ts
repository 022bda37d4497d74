import type { CallOptions, GlusterCli } from './gluster-cli.js';
import type { PoolMember } from './peer.js';
import { getPoolList, requireLocalMember } from './pool-list.js';

/** What one node said about the pool, or why it could not say. */
export type PoolView =
  | {
      readonly node: string;
      readonly ok: true;
      /** The node's own UUID (its `localhost` row). */
      readonly uuid: string;
      /** Every member it sees, itself included. */
      readonly members: readonly PoolMember[];
    }
  | { readonly node: string; readonly ok: false; readonly error: Error };

/**
 * Asks every node for its `pool list`, all at once. Each node has its own view of the pool
 * (a node cut off sees everyone disconnected while the rest see only it), so nothing is
 * concluded from one node alone. A node that cannot answer is a view with its error.
 */
export async function gatherPoolViews(
  cli: GlusterCli,
  nodes: readonly string[],
  options: CallOptions = {},
): Promise<PoolView[]> {
  return Promise.all(
    nodes.map(async (node): Promise<PoolView> => {
      try {
        const members = await getPoolList(cli, node, options);
        const self = requireLocalMember(members, node);
        return { node, ok: true, uuid: self.uuid, members };
      } catch (error) {
        return {
          node,
          ok: false,
          error: error instanceof Error ? error : new Error(String(error)),
        };
      }
    }),
  );
}
