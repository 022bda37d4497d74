import type { Observation } from '../core/observation.js';
import type { Action, Plan } from '../core/plan-types.js';
import { abortableSleep } from '../abortable-sleep.js';

/** How often the pool is looked at while a change spreads. */
export const FOLLOW_INTERVAL_MS = 100;
/** How long a pass follows its changes before it leaves the rest to a later pass. */
export const FOLLOW_TIMEOUT_MS = 10_000;

export interface Look {
  readonly observation: Observation;
  readonly plan: Plan;
}

export interface FollowOptions {
  /** A quick look at the pool (pool lists only) and the plan for it. */
  readonly look: () => Promise<Look>;
  readonly signal: AbortSignal;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Looks at the pool again every FOLLOW_INTERVAL_MS after changes were made, until every change
 * is seen to have landed in every answering node's view, or FOLLOW_TIMEOUT_MS passed: so a pass
 * ends on the pool as its changes left it (and status says so) instead of a later pass finding
 * out. Bounded, so one slow pool holds a worker for seconds, not minutes.
 */
export async function followChanges(
  made: readonly Action[],
  options: FollowOptions,
): Promise<Look & { readonly landed: boolean }> {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + (options.timeoutMs ?? FOLLOW_TIMEOUT_MS);
  for (;;) {
    const look = await options.look();
    const landed = hasLanded(made, look);
    if (landed || now() >= deadline || options.signal.aborted) return { ...look, landed };
    await abortableSleep(options.intervalMs ?? FOLLOW_INTERVAL_MS, options.signal);
  }
}

/** Every change made is visible in every answering view, and the views agree. */
export function hasLanded(made: readonly Action[], { observation, plan }: Look): boolean {
  const stateOf = (address: string) => plan.nodes.find((node) => node.address === address)?.state;
  const listedBySomeoneElse = (uuid: string): boolean =>
    observation.nodes.some(
      (node) => node.uuid !== uuid && node.view?.some((member) => member.uuid === uuid),
    );
  const each = made.every((action) => {
    switch (action.kind) {
      case 'probe': {
        const state = stateOf(action.target);
        return state !== 'Pending' && state !== 'Probing';
      }
      case 'detach':
        return !listedBySomeoneElse(action.uuid);
      case 'release': {
        const node = observation.nodes.find((candidate) => candidate.address === action.target);
        return node?.view === undefined || node.view.length === 1;
      }
      case 'removeFinalizer':
        return true;
    }
  });
  return each && plan.disagreements.length === 0;
}
