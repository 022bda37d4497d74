import type { CommandResult } from '../exec/executor.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { GlusterOperationError } from './gluster-errors.js';
import { reasonForProbeFailure } from './gluster-reasons.js';
import { assertHostArgument } from './host-argument.js';
import type { Resolver } from './host-identity.js';
import { HostMatcher } from './host-identity.js';
import { getPoolList } from './pool-list.js';

/**
 * How a probe ended. Probing is idempotent: a node that is already a member, or the probing node
 * itself, is success with nothing to do. `in-progress`: glusterd still runs an earlier probe of
 * that address (its CLI timed out), which may yet fail; it is not a member.
 */
export type ProbeOutcome = 'probed' | 'already-member' | 'local-node' | 'in-progress';

export interface ProbeResult {
  readonly outcome: ProbeOutcome;
  readonly server: string;
  readonly node: string;
  /** gluster's own words ("success", "Host ... already in peer list"). */
  readonly message: string;
  readonly result: CommandResult;
}

// opErrno values that come with opRet 0 (GF_PROBE_LOCALHOST, GF_PROBE_FRIEND).
const PROBE_LOCALHOST = 1;
const PROBE_ALREADY_MEMBER = 2;

/**
 * `gluster peer probe <server>` run on `node`. A successful probe only starts the handshake:
 * the new peer may still be joining; wait for it to connect before relying on it.
 * @throws GlusterOperationError when glusterd refuses (another pool, quorum, unreachable ...)
 */
export async function peerProbe(
  cli: GlusterCli,
  request: { readonly server: string; readonly node: string },
  options: CallOptions & { readonly resolver?: Resolver } = {},
): Promise<ProbeResult> {
  const { server, node } = request;
  assertHostArgument('peer to probe', server);
  const answer = await cli.run(node, ['peer', 'probe', server], options);
  const { opRet, opErrno, opErrstr, output } = answer.output;
  if (opRet !== 0) {
    throw new GlusterOperationError(
      'peer probe',
      node,
      reasonForProbeFailure(opErrno, opErrstr),
      answer,
    );
  }
  let outcome: ProbeOutcome = 'probed';
  if (opErrno === PROBE_LOCALHOST) outcome = 'local-node';
  else if (opErrno === PROBE_ALREADY_MEMBER) {
    // glusterd says "already in peer list" also while an earlier probe of the address is still
    // pending, though the address is in no list: believe the pool list, not the errno.
    const members = await getPoolList(cli, node, options);
    const member = await new HostMatcher(options.resolver).findPeer(members, { host: server });
    outcome = member ? 'already-member' : 'in-progress';
  }
  return { outcome, server, node, message: output, result: answer.result };
}
