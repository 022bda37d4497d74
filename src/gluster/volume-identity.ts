import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertVolumeId } from './volume-arguments.js';
import { VolumeIdentityMismatchError } from './volume-errors.js';
import type { Volume } from './volume-info.js';
import { getVolume } from './volume-info.js';

/**
 * The last look before a destructive change: `volume info <name>` on `node`, right before the
 * command, so that a volume deleted and recreated under the same name since the plan was made is
 * never touched. Returns the volume as it is now.
 * @throws VolumeIdentityMismatchError when the name leads to no volume or to another ID
 */
export async function requireVolumeIdentity(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string; readonly expectedVolumeId: string; readonly operation: string },
  options: CallOptions = {},
): Promise<Volume> {
  const { name, expectedVolumeId, operation } = request;
  assertVolumeId(expectedVolumeId);
  const volume = await getVolume(cli, node, name, options);
  if (volume?.id.toLowerCase() !== expectedVolumeId.toLowerCase()) {
    throw new VolumeIdentityMismatchError(operation, name, node, expectedVolumeId, volume?.id);
  }
  return volume;
}
