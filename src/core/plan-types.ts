import type { NodeState, NodeView } from '../api/gluster-cluster.js';

/** A membership change the operator makes. */
export type Action =
  /** `peer probe <target>` on `node`. */
  | { readonly kind: 'probe'; readonly node: string; readonly target: string }
  /** `peer detach <target>` on `node`, never forced, only while `target` is still `uuid`. */
  | {
      readonly kind: 'detach';
      readonly node: string;
      readonly target: string;
      readonly uuid: string;
      readonly why: 'RemovedFromSpec' | 'Dissolving';
    }
  /** Take spec node `target` out of the other pool it is in (its owner opted in). */
  | { readonly kind: 'release'; readonly target: string }
  /** Nothing left to do for a deleted resource: let Kubernetes remove it. */
  | { readonly kind: 'removeFinalizer' };

/** A change that removes a member from some pool: made alone, on a complete, agreeing picture. */
export type DestructiveAction = Extract<Action, { kind: 'detach' | 'release' }>;

export function isDestructive(action: Action): action is DestructiveAction {
  return action.kind === 'detach' || action.kind === 'release';
}

/** Why a change that is needed is not being made. */
export type BlockReason =
  | 'Paused'
  | 'NoReachableNode'
  | 'NodeUnreachable'
  | 'NodeInOtherPool'
  | 'NodeHasVolumes'
  | 'ReclaimBlockedBricks'
  | 'DetachBlockedBricks'
  | 'DetachBlockedMemberDown'
  /** A destructive change waits for a picture where every node answered and every view agrees. */
  | 'IncompleteObservation'
  /** A destructive change waits for this pass's probes (or a handshake) to land. */
  | 'WaitingForProbe'
  | 'StaleView'
  /** The node's SSH host key is not the one known_hosts vouches for. */
  | 'HostKeyMismatch'
  /** A probe handshake that has not finished for minutes. */
  | 'ProbeStuck'
  | 'DuplicateUuid';

export interface Blocked {
  /** The node (spec address, or a member's gluster host name) the change is about. */
  readonly target: string;
  readonly change: 'probe' | 'detach' | 'release';
  readonly reason: BlockReason;
  readonly message: string;
}

/** Blockers that only a person can clear; the rest clear by themselves or by retrying. */
export const NEEDS_A_PERSON: ReadonlySet<BlockReason> = new Set([
  'DuplicateUuid',
  'NodeInOtherPool',
  'NodeHasVolumes',
  'ReclaimBlockedBricks',
  'DetachBlockedBricks',
  'StaleView',
  'HostKeyMismatch',
  'ProbeStuck',
]);

export interface NodeAssessment {
  readonly address: string;
  readonly state: NodeState;
  /** Its glusterd UUID: answered this pass, remembered, or as the pool knows it. */
  readonly uuid: string | undefined;
  readonly stateStr: string | undefined;
  readonly message: string;
  /** Each observer's view, only when they disagree. */
  readonly views: readonly NodeView[] | undefined;
}

export interface UnmanagedMemberAssessment {
  readonly hostname: string;
  readonly uuid: string;
  /** As the command node sees it. */
  readonly isConnected: boolean;
  /** Why the pool cannot count on it, when it cannot (blamed for a broken link, say). */
  readonly problem: string | undefined;
}

/** What the planner needs read before it can decide a change (a second, narrow look). */
export interface PlanNeeds {
  /** `volume info` on the command node: a detach is wanted and bricks decide whether it is safe. */
  readonly bricks: boolean;
  /** `volume info` on these spec nodes (a release candidate's own pool). */
  readonly volumesOf: readonly string[];
}

export interface Plan {
  /**
   * The member commands run from: of the nodes whose view the members they list confirm, the one
   * whose pool holds the most spec nodes (the first in spec order on a tie).
   */
  readonly commandNode: string | undefined;
  readonly nodes: readonly NodeAssessment[];
  /** Members of the pool that are not spec nodes. */
  readonly unmanaged: readonly UnmanagedMemberAssessment[];
  /**
   * The changes this pass makes: every probe that can be made now (additive changes are
   * batched), or else exactly one destructive change, or removing the finalizer. Empty while
   * paused (but for removing the finalizer).
   */
  readonly batch: readonly Action[];
  /** The first of `batch`. */
  readonly action: Action | undefined;
  /** Every change that can be made now, in order: this pass's batch first. */
  readonly changes: readonly Action[];
  /** Changes known to be needed after this pass's batch. */
  readonly remainingChanges: number;
  readonly blocked: readonly Blocked[];
  /** Sentences, one per member that some observers list and others do not. */
  readonly disagreements: readonly string[];
  readonly needs: PlanNeeds;
}
