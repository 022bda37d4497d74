import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { child, elements, optionalText, requireInteger, requireText } from './cli-output.js';
import type { CliOutput } from './cli-output.js';
import { assertAccepted } from './gluster-errors.js';

export interface Brick {
  /** `host:/path` as gluster names it. */
  readonly name: string;
  readonly host: string;
  readonly path: string;
  /** UUID of the peer hosting the brick: the reliable way to tell who hosts what. */
  readonly hostUuid: string;
}

export interface Volume {
  readonly name: string;
  readonly id: string;
  readonly status: number;
  readonly statusStr: string;
  readonly typeStr: string;
  readonly bricks: readonly Brick[];
}

/** `gluster volume info` on `node`: every volume of the pool with its bricks. */
export async function getVolumeInfo(
  cli: GlusterCli,
  node: string,
  options: CallOptions = {},
): Promise<Volume[]> {
  const answer = await cli.run(node, ['volume', 'info'], options);
  // With no volumes glusterd answers opRet -1 "No volumes present"; that is an empty list.
  if (answer.output.opRet !== 0 && /no volumes present/i.test(answer.output.opErrstr)) return [];
  assertAccepted('volume info', node, answer);
  return parseVolumes(answer.output);
}

export function parseVolumes(output: CliOutput): Volume[] {
  const volumes = child(child(output.root, 'volInfo') ?? {}, 'volumes');
  return elements(volumes, 'volume').map((volume) => ({
    name: requireText(volume, 'name'),
    id: requireText(volume, 'id'),
    status: requireInteger(volume, 'status'),
    statusStr: optionalText(volume, 'statusStr') ?? '',
    typeStr: optionalText(volume, 'typeStr') ?? '',
    bricks: elements(child(volume, 'bricks'), 'brick').map((brick) => {
      const name = requireText(brick, 'name');
      // The path always starts with "/", which keeps IPv6 hosts ("fd42::11:/b") unambiguous.
      const split = name.indexOf(':/');
      return {
        name,
        host: split === -1 ? name : name.slice(0, split),
        path: split === -1 ? '' : name.slice(split + 1),
        hostUuid: requireText(brick, 'hostUuid'),
      };
    }),
  }));
}

/** The bricks a peer hosts, by its UUID. */
export function bricksHostedBy(volumes: readonly Volume[], peerUuid: string): Brick[] {
  return volumes.flatMap((volume) => volume.bricks.filter((brick) => brick.hostUuid === peerUuid));
}
