import type { CommandResult } from '../exec/executor.js';
import type { CliOutput } from './cli-output.js';
import { child, requireText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertVolumeName } from './volume-arguments.js';
import { runVolumeCommand } from './volume-command.js';
import { requireVolumeIdentity } from './volume-identity.js';

export interface VolumeLifecycleResult {
  readonly name: string;
  readonly id: string;
  readonly result: CommandResult;
}

/**
 * A stop or delete is for the volume the caller looked at: `expectedVolumeId` (volume info's
 * `id`) is checked on `node` right before the command, and a volume recreated under the same
 * name is refused (VolumeIdentityMismatchError, nothing run).
 */
export interface DestructiveVolumeRequest {
  readonly name: string;
  readonly expectedVolumeId: string;
}

/**
 * `gluster volume start <name> [force]` on `node`. `force` also starts the brick processes of an
 * already started volume that are not running (and then does not refuse a started volume).
 * @throws GlusterOperationError VolumeAlreadyStarted, VolumeNotFound, ...
 */
export async function startVolume(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string; readonly force?: boolean },
  options: CallOptions = {},
): Promise<VolumeLifecycleResult> {
  assertVolumeName(request.name);
  const args = ['volume', 'start', request.name, ...(request.force === true ? ['force'] : [])];
  const answer = await runVolumeCommand(cli, node, 'volume start', args, options);
  return { ...namedVolume(answer.output, 'volStart'), result: answer.result };
}

/**
 * `gluster volume stop <name>` on `node`, after checking the volume's ID. Interactively gluster
 * asks "Stopping volume will make its data inaccessible. Do you want to continue?"; GlusterCli's
 * script mode answers yes, so calling this function is the decision.
 * @throws VolumeIdentityMismatchError when the volume is not `expectedVolumeId`: nothing is run
 * @throws GlusterOperationError VolumeNotStarted (already stopped, or never started),
 *   RebalanceInProgress, ...
 */
export async function stopVolume(
  cli: GlusterCli,
  node: string,
  request: DestructiveVolumeRequest,
  options: CallOptions = {},
): Promise<VolumeLifecycleResult> {
  await requireVolumeIdentity(cli, node, { ...request, operation: 'stop' }, options);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume stop',
    ['volume', 'stop', request.name],
    options,
  );
  return { ...namedVolume(answer.output, 'volStop'), result: answer.result };
}

/**
 * `gluster volume delete <name>` on `node`, after checking the volume's ID: the definition only;
 * the brick directories and their data stay (and keep the volume's volume-id attribute, so they
 * cannot be reused as bricks as they are). Script mode answers gluster's "Deleting volume will
 * erase all information about the volume. Do you want to continue?" with yes.
 * @throws VolumeIdentityMismatchError when the volume is not `expectedVolumeId`: nothing is run
 * @throws GlusterOperationError VolumeIsStarted (stop it first), ...
 */
export async function deleteVolume(
  cli: GlusterCli,
  node: string,
  request: DestructiveVolumeRequest,
  options: CallOptions = {},
): Promise<VolumeLifecycleResult> {
  await requireVolumeIdentity(cli, node, { ...request, operation: 'delete' }, options);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume delete',
    ['volume', 'delete', request.name],
    options,
  );
  return { ...namedVolume(answer.output, 'volDelete'), result: answer.result };
}

/** `<volStart><volume><name/><id/></volume></volStart>` and the like. */
function namedVolume(output: CliOutput, payload: string): { name: string; id: string } {
  const volume = child(child(output.root, payload) ?? {}, 'volume') ?? {};
  return { name: requireText(volume, 'name'), id: requireText(volume, 'id') };
}
