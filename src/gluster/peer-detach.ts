import type { CommandResult } from '../exec/executor.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import {
  GlusterOperationError,
  PeerHostsBricksError,
  PeerIdentityMismatchError,
} from './gluster-errors.js';
import { reasonForDetachFailure } from './gluster-reasons.js';
import { assertHostArgument } from './host-argument.js';
import type { Resolver } from './host-identity.js';
import { HostMatcher } from './host-identity.js';
import { getPoolList } from './pool-list.js';
import { bricksHostedBy, getVolumeInfo } from './volume-info.js';

/** Detaching a node that is not a member is success: it is already where it should be. */
export type DetachOutcome = 'detached' | 'already-absent';

export interface DetachRequest {
  readonly server: string;
  readonly node: string;
  /**
   * Skips glusterd's "another member is down" and quorum checks (never the brick check). A
   * member that is down when it is detached keeps the old pool in its own view.
   */
  readonly force?: boolean;
  /**
   * The glusterd UUID the caller means: checked on `node`'s pool list right before the detach,
   * which is refused (PeerIdentityMismatchError, nothing run) when `server` is someone else there.
   */
  readonly expectedUuid?: string;
}

export interface DetachResult {
  readonly outcome: DetachOutcome;
  readonly server: string;
  readonly node: string;
  readonly force: boolean;
  readonly message: string;
  readonly result: CommandResult;
}

// GF_DEPROBE_NOT_FRIEND: "<host> is not part of cluster".
const DEPROBE_NOT_FRIEND = 2;

/**
 * `gluster peer detach <server> [force]` run on `node`, after checking from `node`'s view that
 * the peer hosts no brick of any volume.
 * @throws PeerHostsBricksError when it does: nothing is run
 * @throws PeerIdentityMismatchError when `server` is not `expectedUuid` on `node`: nothing is run
 * @throws GlusterOperationError when glusterd refuses (another member down, quorum ...)
 */
export async function peerDetach(
  cli: GlusterCli,
  request: DetachRequest,
  options: CallOptions & { readonly resolver?: Resolver } = {},
): Promise<DetachResult> {
  const { server, node } = request;
  const force = request.force ?? false;
  assertHostArgument('peer to detach', server);
  const [members, volumes] = await Promise.all([
    getPoolList(cli, node, options),
    getVolumeInfo(cli, node, options),
  ]);
  const peer = await new HostMatcher(options.resolver).findPeer(members, { host: server });
  const { expectedUuid } = request;
  if (expectedUuid !== undefined && peer !== undefined && peer.uuid !== expectedUuid) {
    throw new PeerIdentityMismatchError(server, node, expectedUuid, peer.uuid);
  }
  // Detaching the node itself is refused by glusterd ("is localhost"); let it say so.
  const bricks = peer && !peer.isLocal ? bricksHostedBy(volumes, peer.uuid) : [];
  if (bricks.length > 0) {
    throw new PeerHostsBricksError(
      server,
      node,
      bricks.map((brick) => brick.name),
    );
  }
  const args = ['peer', 'detach', server, ...(force ? ['force'] : [])];
  const answer = await cli.run(node, args, options);
  const { opRet, opErrno, opErrstr, output } = answer.output;
  const common = { server, node, force, result: answer.result };
  if (opRet === 0) return { ...common, outcome: 'detached', message: output };
  if (opErrno === DEPROBE_NOT_FRIEND)
    return { ...common, outcome: 'already-absent', message: opErrstr };
  throw new GlusterOperationError(
    force ? 'peer detach force' : 'peer detach',
    node,
    reasonForDetachFailure(opErrno, opErrstr),
    answer,
  );
}
