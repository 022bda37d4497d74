import type { NodeState, NodeView } from '../api/gluster-cluster.js';

/** The one membership change a pass may make. */
export type Action =
  /** `peer probe <target>` on `node`. */
  | { readonly kind: 'probe'; readonly node: string; readonly target: string }
  /** `peer detach <target>` on `node`, never forced. */
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
  | 'WaitingForProbe'
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
]);

export interface NodeAssessment {
  readonly address: string;
  readonly state: NodeState;
  readonly uuid: string | undefined;
  readonly stateStr: string | undefined;
  readonly message: string;
  /** Each observer's view, only when they disagree. */
  readonly views: readonly NodeView[] | undefined;
}

export interface UnmanagedMemberAssessment {
  readonly hostname: string;
  readonly uuid: string;
  readonly isConnected: boolean;
}

export interface Plan {
  /** The member commands run from: the first reachable spec node of the largest pool. */
  readonly commandNode: string | undefined;
  readonly nodes: readonly NodeAssessment[];
  /** Members of the pool that are not spec nodes. */
  readonly unmanaged: readonly UnmanagedMemberAssessment[];
  /** The change to make in this pass, if any (at most one): the first of `changes`. */
  readonly action: Action | undefined;
  /**
   * Every change that can be made now, in the order passes will make them (one per pass, each
   * after re-reading the pool). Empty while paused, but for removing the finalizer.
   */
  readonly changes: readonly Action[];
  /** Changes known to be needed after this one. */
  readonly remainingChanges: number;
  readonly blocked: readonly Blocked[];
}
