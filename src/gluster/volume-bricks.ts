import { describeLayout, layoutOfReported } from '../api/volume-layout-counts.js';
import { InvalidArgumentError } from '../errors.js';
import type { CommandResult } from '../exec/executor.js';
import { child, optionalText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertBricks, assertVolumeName, parseBrick } from './volume-arguments.js';
import { assertVolumeAccepted, runVolumeCommand } from './volume-command.js';
import { RemoveBrickIncompleteError, VolumeLayoutMismatchError } from './volume-errors.js';
import { requireVolumeIdentity } from './volume-identity.js';
import { getVolume } from './volume-info.js';
import type { VolumeLayoutCounts } from './volume-layout.js';
import { addBrickLayoutArgs, assertLayout, assertWholeSets } from './volume-layout.js';
import type { TaskStatus } from './volume-task-status.js';
import { parseTaskStatus, TASK_NOT_STARTED, TASK_STATUS } from './volume-task-status.js';

export interface BrickChangeResult {
  readonly name: string;
  readonly result: CommandResult;
}

export interface RemoveBricksStartResult extends BrickChangeResult {
  /** The remove-brick task, as `volume status <v> tasks` lists it. */
  readonly taskId: string | undefined;
}

/** The remove-brick task's status, with the bricks it was asked about. */
export interface RemoveBrickStatus extends TaskStatus {
  readonly bricks: readonly string[];
}

/**
 * `gluster volume add-brick <name> [replica N [arbiter 1]] <bricks> [force]` on `node`: whole new
 * sets of the volume's own layout, after checking on `node` that the volume has that layout
 * (glusterd would otherwise read `replica 3` on a replica 2 volume as "make every set 3 bricks").
 * The new sets hold no files until a rebalance moves some there.
 *
 * Like create, a refusal may leave the bricks glusterd had checked marked as the volume's
 * (BrickInUse on the next try).
 * @throws InvalidArgumentError for a name, brick or layout gluster would not accept, or bricks
 *   that are not whole sets: nothing is run
 * @throws VolumeLayoutMismatchError when the volume's layout is another: nothing is run
 * @throws GlusterOperationError BrickOnRootFilesystem, BrickInUse, BrickOverlapsExisting,
 *   BricksOnSameServer, RebalanceInProgress, VolumeNotFound, ...
 */
export async function addBricks(
  cli: GlusterCli,
  node: string,
  request: {
    readonly name: string;
    /** `host:/path`, in set order. */
    readonly bricks: readonly string[];
    readonly layout: VolumeLayoutCounts;
    readonly force?: boolean;
  },
  options: CallOptions = {},
): Promise<BrickChangeResult> {
  const { name, bricks, layout } = request;
  assertVolumeName(name);
  assertLayout(layout);
  assertBricks('brick', bricks);
  assertWholeSets(layout, bricks.length);
  const volume = await getVolume(cli, node, name, options);
  // No such volume: glusterd's own refusal says so.
  if (volume !== undefined) {
    const actual = describeLayout(layoutOfReported(volume));
    const requested = describeLayout(layout);
    if (actual !== requested) throw new VolumeLayoutMismatchError(name, node, requested, actual);
  }
  const args = [
    'volume',
    'add-brick',
    name,
    ...addBrickLayoutArgs(layout),
    ...bricks,
    ...(request.force === true ? ['force'] : []),
  ];
  const answer = await runVolumeCommand(cli, node, 'volume add-brick', args, options);
  return { name, result: answer.result };
}

/**
 * `gluster volume replace-brick <name> <from> <to> commit force` on `node` (the only form gluster
 * still has), after checking the volume's ID there. The new brick starts empty and is filled by
 * self-heal from the rest of its set; with no redundancy its data is simply gone.
 *
 * `commit force` skips glusterd's brick checks: it puts the new brick on the root filesystem or
 * on a server that already holds a brick of the set without a word. Only "in use" is refused.
 * @throws InvalidArgumentError for a name or brick gluster would not accept: nothing is run
 * @throws VolumeIdentityMismatchError when the volume is not `expectedVolumeId`: nothing is run
 * @throws GlusterOperationError BrickNotInVolume (from), BrickOverlapsExisting, BrickInUse (to),
 *   RebalanceInProgress, ...
 */
export async function replaceBrick(
  cli: GlusterCli,
  node: string,
  request: {
    readonly name: string;
    readonly from: string;
    readonly to: string;
    readonly expectedVolumeId: string;
  },
  options: CallOptions = {},
): Promise<BrickChangeResult> {
  const { name, from, to } = request;
  assertVolumeName(name);
  parseBrick('brick to replace', from);
  parseBrick('new brick', to);
  if (from === to) throw new InvalidArgumentError(`The brick ${from} would replace itself`);
  await requireVolumeIdentity(cli, node, { ...request, operation: 'replace a brick of' }, options);
  const args = ['volume', 'replace-brick', name, from, to, 'commit', 'force'];
  const answer = await runVolumeCommand(cli, node, 'volume replace-brick', args, options);
  return { name, result: answer.result };
}

/**
 * `gluster volume remove-brick <name> <bricks> start` on `node`, after checking the volume's ID
 * there: starts migrating the files of whole sets to the others. The bricks stay in the volume
 * until removeBricksCommit.
 * @throws InvalidArgumentError for a name or brick gluster would not accept: nothing is run
 * @throws VolumeIdentityMismatchError when the volume is not `expectedVolumeId`: nothing is run
 * @throws GlusterOperationError BrickCountMismatch (not whole sets), BrickNotInVolume,
 *   RebalanceInProgress, VolumeNotStarted, ...
 */
export async function removeBricksStart(
  cli: GlusterCli,
  node: string,
  request: {
    readonly name: string;
    readonly bricks: readonly string[];
    readonly expectedVolumeId: string;
  },
  options: CallOptions = {},
): Promise<RemoveBricksStartResult> {
  const { name, bricks } = request;
  assertVolumeName(name);
  assertBricks('brick to remove', bricks);
  await requireVolumeIdentity(cli, node, { ...request, operation: 'remove bricks of' }, options);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume remove-brick start',
    ['volume', 'remove-brick', name, ...bricks, 'start'],
    options,
  );
  const payload = child(answer.output.root, 'volRemoveBrick');
  return {
    name,
    taskId: payload ? optionalText(payload, 'task-id') : undefined,
    result: answer.result,
  };
}

/**
 * `gluster volume remove-brick <name> <bricks> status` on `node`: the migration per node that
 * holds some of the bricks, and in sum. TASK_NOT_STARTED (with the bricks) when no remove-brick
 * was started ("remove-brick not started for volume v.").
 * @throws GlusterOperationError VolumeNotStarted ("needs to be started"), BrickNotInVolume, ...
 */
export async function getRemoveBrickStatus(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string; readonly bricks: readonly string[] },
  options: CallOptions = {},
): Promise<RemoveBrickStatus> {
  const { name, bricks } = request;
  assertVolumeName(name);
  assertBricks('brick', bricks);
  const answer = await cli.run(
    node,
    ['volume', 'remove-brick', name, ...bricks, 'status'],
    options,
  );
  const { opRet, opErrstr } = answer.output;
  if (opRet !== 0 && /^remove-brick not started for volume/.test(opErrstr)) {
    return { ...TASK_NOT_STARTED, bricks: [...bricks] };
  }
  assertVolumeAccepted('volume remove-brick status', node, answer);
  const status = parseTaskStatus(
    child(answer.output.root, 'volRemoveBrick'),
    'remove-brick status',
  );
  return { ...status, bricks: [...bricks] };
}

/**
 * `gluster volume remove-brick <name> <bricks> commit` on `node`: takes the bricks out of the
 * volume. Checked right before, on `node`: the volume's ID, and that the migration completed on
 * every node with no failure and no skipped file, since a commit drops whatever is still on the
 * bricks from the volume (their directories keep it). Script mode answers gluster's "Removing
 * brick(s) can result in data loss. Do you want to Continue?" with yes.
 * @throws InvalidArgumentError for a name or brick gluster would not accept: nothing is run
 * @throws VolumeIdentityMismatchError when the volume is not `expectedVolumeId`: nothing is run
 * @throws RemoveBrickIncompleteError when the migration is not complete and clean: nothing is run
 * @throws GlusterOperationError RemoveBrickNotStarted, RemoveBrickInProgress, BrickNotInVolume ...
 */
export async function removeBricksCommit(
  cli: GlusterCli,
  node: string,
  request: {
    readonly name: string;
    readonly bricks: readonly string[];
    readonly expectedVolumeId: string;
  },
  options: CallOptions = {},
): Promise<BrickChangeResult> {
  const { name, bricks } = request;
  assertVolumeName(name);
  assertBricks('brick to remove', bricks);
  await requireVolumeIdentity(cli, node, { ...request, operation: 'remove bricks of' }, options);
  const status = await getRemoveBrickStatus(cli, node, { name, bricks }, options);
  const incomplete = incompleteness(status);
  if (incomplete !== undefined) {
    throw new RemoveBrickIncompleteError(
      name,
      node,
      bricks,
      incomplete.why,
      incomplete.isTransient,
    );
  }
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume remove-brick commit',
    ['volume', 'remove-brick', name, ...bricks, 'commit'],
    options,
  );
  return { name, result: answer.result };
}

/** Why a remove-brick must not be committed yet (and whether waiting helps); undefined: it may. */
function incompleteness(
  status: RemoveBrickStatus,
): { readonly why: string; readonly isTransient: boolean } | undefined {
  const { aggregate, nodes } = status;
  if (status.taskId === undefined || nodes.length === 0) {
    return { why: 'no remove-brick of them was started', isTransient: false };
  }
  const unfinished = nodes.filter((node) => node.status !== TASK_STATUS.completed);
  if (aggregate.status !== TASK_STATUS.completed || unfinished.length > 0) {
    const states = (unfinished.length > 0 ? unfinished : nodes)
      .map((node) => `${node.nodeName} ${node.statusStr}`)
      .join(', ');
    const isRunning = [aggregate, ...nodes].some((s) => s.status === TASK_STATUS.inProgress);
    return { why: `its migration is not completed (${states})`, isTransient: isRunning };
  }
  if (aggregate.failures > 0 || aggregate.skipped > 0) {
    return {
      why: `its migration failed for ${aggregate.failures} and skipped ${aggregate.skipped} files, which are still on the bricks`,
      isTransient: false,
    };
  }
  return undefined;
}
