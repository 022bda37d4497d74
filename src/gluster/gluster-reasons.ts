/**
 * Why Gluster refused an operation, as a fixed set of reasons (condition reasons, metrics labels)
 * each with a hint a person can act on. The opErrno values differ per command, so each command
 * has its own table; the numbers and texts are those of glusterfs 10.3
 * (`glusterd-handler.c`, `cli-rpc-ops.c`, shared/reference/gluster-cli.md).
 */
export type GlusterReason =
  | 'PeerInOtherPool'
  | 'PeerUuidConflict'
  | 'QuorumNotMet'
  | 'PeerBeingDetached'
  | 'ProbeTransportFailed'
  | 'DetachLocalNode'
  | 'PeerHostsBricks'
  | 'PeerDown'
  | 'PeerInSnapshot'
  | 'TransactionInProgress'
  | 'GlusterdBusy'
  | 'OperationFailed';

export interface ReasonInfo {
  readonly reason: GlusterReason;
  readonly hint: string;
  /** Whether the same command may succeed later without anyone changing anything. */
  readonly isTransient: boolean;
}

export const REASONS: Readonly<Record<GlusterReason, Omit<ReasonInfo, 'reason'>>> = {
  PeerInOtherPool: {
    hint: 'The node belongs to another trusted pool or has volumes of its own. Detach it from that pool (or delete its volumes) first, or explicitly allow reclaiming it.',
    isTransient: false,
  },
  PeerUuidConflict: {
    hint: 'The node has the same glusterd UUID as the node probing it, usually a cloned machine. Stop glusterd on the clone, remove /var/lib/glusterd/glusterd.info and start glusterd again to get a new UUID.',
    isTransient: false,
  },
  QuorumNotMet: {
    hint: 'Server quorum is not met, so glusterd refuses membership changes. Bring the missing members back up first.',
    isTransient: true,
  },
  PeerBeingDetached: {
    hint: 'The node is being detached from its pool right now. Wait for the detach to finish, then try again.',
    isTransient: true,
  },
  ProbeTransportFailed: {
    hint: 'glusterd could not reach the node: check that glusterd runs there, that the address resolves from the probing node, and that TCP port 24007 is open between them.',
    isTransient: true,
  },
  DetachLocalNode: {
    hint: 'A node cannot detach itself. Run the detach from another member of the pool.',
    isTransient: false,
  },
  PeerHostsBricks: {
    hint: 'The node hosts bricks of a volume. Move them away first (gluster volume remove-brick or replace-brick), then detach; force does not override this.',
    isTransient: false,
  },
  PeerDown: {
    hint: "Another member of the pool is down, and glusterd refuses to detach while it is. Bring it back (check 'gluster peer status'); force would skip this check and leave that member with a stale view.",
    isTransient: true,
  },
  PeerInSnapshot: {
    hint: 'The node is part of an existing snapshot. Delete those snapshots first.',
    isTransient: false,
  },
  TransactionInProgress: {
    hint: 'Another gluster transaction holds the cluster lock. It is retried with backoff; if it persists, look for a stuck gluster command on the members.',
    isTransient: true,
  },
  GlusterdBusy: {
    hint: 'glusterd refused to answer without saying why, which it does while an earlier request is still pending (for example a probe of an unreachable node, for up to about 70 s). It is retried; if it persists, check glusterd.log on the node.',
    isTransient: true,
  },
  OperationFailed: {
    hint: "Gluster refused the operation for a reason this operator does not know; read the error text and glusterd's log (/var/log/glusterfs/glusterd.log) on the node.",
    isTransient: false,
  },
};

export function reasonInfo(reason: GlusterReason): ReasonInfo {
  return { reason, ...REASONS[reason] };
}

/** opErrno of a failed `peer probe`, GF_PROBE_* in glusterd. */
const PROBE_REASONS: ReadonlyMap<number, GlusterReason> = new Map([
  [3, 'PeerInOtherPool'], // GF_PROBE_ANOTHER_CLUSTER
  [5, 'PeerUuidConflict'], // GF_PROBE_SAME_UUID
  [8, 'QuorumNotMet'], // GF_PROBE_QUORUM_NOT_MET
  [11, 'PeerBeingDetached'], // GF_PROBE_FRIEND_DETACHING
]);

/** opErrno of a failed `peer detach`, GF_DEPROBE_* in glusterd. */
const DETACH_REASONS: ReadonlyMap<number, GlusterReason> = new Map([
  [1, 'DetachLocalNode'], // GF_DEPROBE_LOCALHOST
  [3, 'PeerHostsBricks'], // GF_DEPROBE_BRICK_EXIST
  [4, 'PeerDown'], // GF_DEPROBE_FRIEND_DOWN
  [5, 'QuorumNotMet'], // GF_DEPROBE_QUORUM_NOT_MET
  [7, 'PeerInSnapshot'], // GF_DEPROBE_SNAP_EXIST
]);

// glusterd's cluster-wide lock: any mutating command can meet it when another one runs.
const LOCK_CONTENTION = /another transaction is in progress|locking failed on/i;

export function reasonForProbeFailure(opErrno: number, opErrstr: string): GlusterReason {
  if (LOCK_CONTENTION.test(opErrstr)) return 'TransactionInProgress';
  // Any other errno is a transport failure: glusterd reports the errno of the failed connect.
  return PROBE_REASONS.get(opErrno) ?? 'ProbeTransportFailed';
}

export function reasonForDetachFailure(opErrno: number, opErrstr: string): GlusterReason {
  if (LOCK_CONTENTION.test(opErrstr)) return 'TransactionInProgress';
  return DETACH_REASONS.get(opErrno) ?? 'OperationFailed';
}

/** For commands without an errno table of their own: the reads (pool list, peer status ...). */
export function reasonForOtherFailure(opErrstr: string): GlusterReason {
  if (LOCK_CONTENTION.test(opErrstr)) return 'TransactionInProgress';
  // glusterd 10.3 answers reads with opRet -22 and no text while a probe it started is pending.
  if (opErrstr.trim() === '') return 'GlusterdBusy';
  return 'OperationFailed';
}
