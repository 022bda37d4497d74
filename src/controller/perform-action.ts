import type { Action } from '../core/plan-types.js';
import type { CallOptions, GlusterCli } from '../gluster/gluster-cli.js';
import type { Resolver } from '../gluster/host-identity.js';
import { peerDetach } from '../gluster/peer-detach.js';
import { peerProbe } from '../gluster/peer-probe.js';
import { releaseFromPool } from '../gluster/release-from-pool.js';

/** What a membership change did, in words for an Event. */
export interface ActionOutcome {
  readonly reason: 'Probed' | 'Detached' | 'Released' | 'NothingToDo';
  readonly message: string;
}

/**
 * Runs one of the planner's changes against the pool. Probe and detach are the library's, so a
 * detach is checked once more right before it runs: the target hosts no brick and is still the
 * glusterd UUID the plan named. Never forced. Errors propagate to the one catch site (the
 * reconciler).
 */
export async function performAction(
  cli: GlusterCli,
  action: Exclude<Action, { kind: 'removeFinalizer' }>,
  options: CallOptions & { readonly resolver?: Resolver } = {},
): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'probe': {
      const result = await peerProbe(cli, { server: action.target, node: action.node }, options);
      return result.outcome === 'probed'
        ? { reason: 'Probed', message: `Probed ${action.target} from ${action.node}` }
        : {
            reason: 'NothingToDo',
            message: `Probe of ${action.target} from ${action.node}: ${result.outcome}`,
          };
    }
    case 'detach': {
      const result = await peerDetach(
        cli,
        { server: action.target, node: action.node, expectedUuid: action.uuid },
        options,
      );
      return result.outcome === 'detached'
        ? {
            reason: 'Detached',
            message: `Detached ${action.target} on ${action.node} (${action.why === 'Dissolving' ? 'dissolving the pool' : 'not in spec'})`,
          }
        : { reason: 'NothingToDo', message: `${action.target} was already absent` };
    }
    case 'release': {
      const result = await releaseFromPool(cli, action.target, options);
      return result
        ? {
            reason: 'Released',
            message: `Released ${action.target} from its other pool (detached on ${result.node})`,
          }
        : { reason: 'NothingToDo', message: `${action.target} was already alone` };
    }
  }
}
