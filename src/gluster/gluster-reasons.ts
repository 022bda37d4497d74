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
  | 'OperationFailed'
  // Volume operations (volume-*.ts): the texts glusterd 10.3 answers, see reasonForVolumeFailure.
  | 'VolumeExists'
  | 'VolumeNotFound'
  | 'VolumeAlreadyStarted'
  | 'VolumeNotStarted'
  | 'VolumeIsStarted'
  | 'BrickOnRootFilesystem'
  | 'BrickIsMountPoint'
  | 'BrickInUse'
  | 'BrickOverlapsExisting'
  | 'BricksOnSameServer'
  | 'BrickDirectoryFailed'
  | 'BrickPathTooLong'
  | 'BrickHostNotInPool'
  | 'BrickNotInVolume'
  | 'BrickCountMismatch'
  | 'OptionUnknown'
  | 'OptionValueInvalid'
  | 'OptionNotResettable'
  | 'NotDistributed'
  | 'NotReplicated'
  | 'RebalanceInProgress'
  | 'RemoveBrickInProgress'
  | 'RemoveBrickPending'
  | 'RemoveBrickNotStarted'
  // Refused by this library before anything ran (volume-errors.ts); RemoveBrickIncomplete by
  // glusterd too.
  | 'VolumeIdentityMismatch'
  | 'VolumeLayoutMismatch'
  | 'RemoveBrickIncomplete';

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
  VolumeExists: {
    hint: 'A volume of that name already exists in the pool. Use another name, or adopt the existing volume.',
    isTransient: false,
  },
  VolumeNotFound: {
    hint: "No volume of that name exists in the pool (check 'gluster volume info'). It may have been deleted outside the operator.",
    isTransient: false,
  },
  VolumeAlreadyStarted: {
    hint: 'The volume is already started: there is nothing to start.',
    isTransient: false,
  },
  VolumeNotStarted: {
    hint: "The volume is not started, and this operation needs it started (or it is already stopped). Start it with 'gluster volume start'.",
    isTransient: false,
  },
  VolumeIsStarted: {
    hint: 'glusterd deletes only a stopped volume. Stop it first.',
    isTransient: false,
  },
  BrickOnRootFilesystem: {
    hint: "The brick directory is on the node's root filesystem, which glusterd refuses without force. Put bricks on a filesystem of their own (XFS, mounted for example at /bricks) in a sub-directory of it, or explicitly allow force.",
    isTransient: false,
  },
  BrickIsMountPoint: {
    hint: 'The brick directory is itself a mount point. Use a sub-directory of the mounted filesystem (for example /bricks/<volume>/brick), so that an unmounted filesystem cannot be mistaken for an empty brick.',
    isTransient: false,
  },
  BrickInUse: {
    hint: "The brick directory carries the volume-id extended attribute of a volume: it belongs to a volume, was one's, or was prepared by a create or add-brick that failed (glusterd marks the bricks it checked before it refuses). Use a new directory, or, once sure it holds nothing of a live volume, clear its trusted.glusterfs.volume-id and trusted.gfid attributes and its .glusterfs directory.",
    isTransient: false,
  },
  BrickOverlapsExisting: {
    hint: 'The brick directory is a brick of an existing volume, or contains one, or is inside one. Choose a directory apart from every existing brick.',
    isTransient: false,
  },
  BricksOnSameServer: {
    hint: 'Several bricks of one replica or disperse set are on the same server, so losing that server loses the set. Spread each set over different nodes, or explicitly allow force.',
    isTransient: false,
  },
  BrickDirectoryFailed: {
    hint: "glusterd could not create the brick directory: it creates only the last component of the path. Make sure the parent directory exists on the brick's node (and that its filesystem is mounted).",
    isTransient: false,
  },
  BrickPathTooLong: {
    hint: 'The volume name, host and brick path together are too long for the file names glusterd derives from them (255 bytes). Use a shorter volume name or brick path.',
    isTransient: false,
  },
  BrickHostNotInPool: {
    hint: "A brick's host is not a connected member of the pool ('Peer in Cluster'). Probe it first, or wait until it is connected again.",
    isTransient: true,
  },
  BrickNotInVolume: {
    hint: "The brick is not (or no longer) part of the volume. Read 'gluster volume info' again and plan from what it says.",
    isTransient: false,
  },
  BrickCountMismatch: {
    hint: 'The number of bricks does not fit the volume: add or remove whole replica or disperse sets.',
    isTransient: false,
  },
  OptionUnknown: {
    hint: "glusterd does not know that option for a volume (cluster-wide options are set on 'all', not on a volume). Check the key against 'gluster volume set help'.",
    isTransient: false,
  },
  OptionValueInvalid: {
    hint: "glusterd refused the option's value. Check its type and range in 'gluster volume set help'.",
    isTransient: false,
  },
  OptionNotResettable: {
    hint: 'glusterd 10.3 cannot reset user.* options (it answers that the option does not exist). Set it to another value instead, or leave it.',
    isTransient: false,
  },
  NotDistributed: {
    hint: 'Rebalance applies to volumes of more than one set (distributed). This volume has a single replica, disperse or distribute set: there is nothing to rebalance.',
    isTransient: false,
  },
  NotReplicated: {
    hint: 'Heal information exists only for replicated and dispersed volumes.',
    isTransient: false,
  },
  RebalanceInProgress: {
    hint: "A rebalance of the volume is running, and glusterd refuses brick changes, a stop or another rebalance meanwhile. Wait until 'gluster volume rebalance <volume> status' says completed.",
    isTransient: true,
  },
  RemoveBrickInProgress: {
    hint: "The remove-brick's data migration is still running. Wait until 'gluster volume remove-brick ... status' says completed on every node, then commit.",
    isTransient: true,
  },
  RemoveBrickPending: {
    hint: 'A remove-brick of the volume has not been committed (or stopped). Commit it once its migration completed, or stop it, before anything else.',
    isTransient: false,
  },
  RemoveBrickNotStarted: {
    hint: 'The bricks were not decommissioned: start a remove-brick of exactly those bricks (which migrates their data away) before committing it.',
    isTransient: false,
  },
  VolumeIdentityMismatch: {
    hint: 'The volume of that name is not the one planned (it was deleted, or recreated with a new ID). Nothing was changed; look at the volume again and plan from what is there now.',
    isTransient: false,
  },
  VolumeLayoutMismatch: {
    hint: "The bricks' layout (replica, arbiter or disperse counts) is not the volume's own: adding them would reshape the volume. Nothing was changed; add whole sets of the volume's own layout.",
    isTransient: false,
  },
  RemoveBrickIncomplete: {
    hint: "The remove-brick's migration has not completed on every node, or left files behind (failures or skipped files), so a commit would take data out of the volume. Nothing was changed; check 'gluster volume remove-brick ... status' and the rebalance log, copy left-over files through a client mount, or stop the remove-brick.",
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

/**
 * What glusterd 10.3 answers when it refuses a volume operation, by its text: these refusals all
 * come with opErrno 30800 (or 0), so the errno says nothing. First match wins, so the more specific
 * texts come first ("Rebalance on v is already started" before "already started").
 */
const VOLUME_REFUSALS: readonly (readonly [RegExp, GlusterReason])[] = [
  [
    /is already started$|rebalance is in progress|rebalance session is in progress/i,
    'RebalanceInProgress',
  ],
  [/migration is in progress/i, 'RemoveBrickInProgress'],
  [/remove-brick task on volume \S+ is not yet committed/i, 'RemoveBrickPending'],
  [/is not decommissioned/i, 'RemoveBrickNotStarted'],
  // A commit when the volume's last migration (its rebalance, or the remove-brick) left files.
  [/migration of some files might have been skipped or has failed/, 'RemoveBrickIncomplete'],
  [/^Volume \S+ already exists$/, 'VolumeExists'],
  [/^Volume (\S+ )?does not exist$/, 'VolumeNotFound'],
  [/^Volume \S+ already started$/, 'VolumeAlreadyStarted'],
  [
    /is not in the started state|^Volume \S+ is not started$|needs to be started/,
    'VolumeNotStarted',
  ],
  [/needs to be stopped before deletion/, 'VolumeIsStarted'],
  [/is being created in the root partition/, 'BrickOnRootFilesystem'],
  [/is a mount point\. Please create a sub-directory/, 'BrickIsMountPoint'],
  [/is already part of a volume/, 'BrickInUse'],
  [/may be containing or be contained by an existing brick/, 'BrickOverlapsExisting'],
  [/Multiple bricks of a \S+ volume are present on the same server/, 'BricksOnSameServer'],
  [/Failed to create brick directory/, 'BrickDirectoryFailed'],
  [/brick path \S+ is too long/, 'BrickPathTooLong'],
  [/is not in 'Peer in Cluster' state/, 'BrickHostNotInPool'],
  [/does not exist in volume|^Incorrect brick \S+ for volume/, 'BrickNotInVolume'],
  [/incorrect brick count/i, 'BrickCountMismatch'],
  [
    /^option : \S+ does not exist|^Option \S+ does not exist|^Did you mean|Not a valid option for single volume/,
    'OptionUnknown',
  ],
  [
    /Validation Failed|is out of range|^invalid \S+ format|is not valid \(possible options/,
    'OptionValueInvalid',
  ],
  [/is not a distribute volume or contains only 1 brick/, 'NotDistributed'],
  [/supported for only volumes of replicate\/disperse type/, 'NotReplicated'],
];

/** For volume operations (create, start, set, add-brick ...): the reason from glusterd's text. */
export function reasonForVolumeFailure(opErrstr: string): GlusterReason {
  if (LOCK_CONTENTION.test(opErrstr)) return 'TransactionInProgress';
  // glusterd 10.3 may answer a line per node that refused: "Pre Validation failed on n3. <why>",
  // "Staging failed on n2. Error: <why>".
  const lines = opErrstr
    .split('\n')
    .map((line) =>
      line.trim().replace(/^(Pre Validation|Staging|Commit) failed on \S+\.\s*(Error: )?/, ''),
    )
    .filter((line) => line !== '');
  for (const [pattern, reason] of VOLUME_REFUSALS) {
    if (lines.some((line) => pattern.test(line))) return reason;
  }
  return reasonForOtherFailure(opErrstr);
}
