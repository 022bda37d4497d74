import { InvalidArgumentError } from '../errors.js';
import type { CommandResult } from '../exec/executor.js';
import { child, requireText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertBricks, assertVolumeName } from './volume-arguments.js';
import { runVolumeCommand } from './volume-command.js';
import type { VolumeTransport } from './volume-info.js';
import type { VolumeLayoutCounts } from './volume-layout.js';
import { assertLayout, assertWholeSets, createLayoutArgs } from './volume-layout.js';

export interface CreateVolumeRequest {
  readonly name: string;
  /** `host:/path`, in set order: set k is bricks[k * setSize .. k * setSize + setSize - 1]. */
  readonly bricks: readonly string[];
  readonly layout: VolumeLayoutCounts;
  /** Default tcp. */
  readonly transport?: VolumeTransport;
  /**
   * Lets glusterd accept bricks on the root filesystem, bricks that are mount points and sets
   * with several bricks on one server. Default false: glusterd's refusal is thrown instead.
   */
  readonly force?: boolean;
}

export interface CreateVolumeResult {
  readonly name: string;
  /** The new volume's ID: what destructive operations later check they are about. */
  readonly id: string;
  readonly result: CommandResult;
}

const TRANSPORTS: ReadonlySet<string> = new Set<VolumeTransport>(['tcp', 'rdma', 'tcp,rdma']);

/**
 * `gluster volume create <name> [replica N [arbiter 1] | disperse N redundancy R] transport T
 * <bricks> [force]` on `node`. The volume is created stopped.
 *
 * A refusal can leave marks: glusterd prepares the bricks of the nodes it checked before it
 * refused (it creates the directory and sets its volume-id attribute), and a later create with
 * those bricks is refused with BrickInUse ("... is already part of a volume").
 * @throws InvalidArgumentError for a name, brick, layout or transport gluster would not accept,
 *   or bricks that are not whole sets: nothing is run
 * @throws GlusterOperationError when glusterd refuses (VolumeExists, BrickOnRootFilesystem,
 *   BrickIsMountPoint, BrickInUse, BrickOverlapsExisting, BricksOnSameServer,
 *   BrickDirectoryFailed, BrickHostNotInPool, BrickPathTooLong ...)
 */
export async function createVolume(
  cli: GlusterCli,
  node: string,
  request: CreateVolumeRequest,
  options: CallOptions = {},
): Promise<CreateVolumeResult> {
  const { name, bricks, layout } = request;
  const transport = request.transport ?? 'tcp';
  assertVolumeName(name);
  assertLayout(layout);
  assertBricks('brick', bricks);
  assertWholeSets(layout, bricks.length);
  if (!TRANSPORTS.has(transport)) {
    throw new InvalidArgumentError(`Invalid transport "${transport}": use tcp, rdma or tcp,rdma`);
  }
  const args = [
    'volume',
    'create',
    name,
    ...createLayoutArgs(layout),
    'transport',
    transport,
    ...bricks,
    ...(request.force === true ? ['force'] : []),
  ];
  const answer = await runVolumeCommand(cli, node, 'volume create', args, options);
  const created = child(child(answer.output.root, 'volCreate') ?? {}, 'volume') ?? {};
  return {
    name: requireText(created, 'name'),
    id: requireText(created, 'id'),
    result: answer.result,
  };
}
