import type { XmlElement } from './cli-output.js';
import { child, elements, optionalText, requireInteger, requireText } from './cli-output.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { GlusterXmlParseError } from './gluster-errors.js';
import { assertVolumeName } from './volume-arguments.js';
import { runVolumeCommand } from './volume-command.js';
import { optionalCount, requireCount } from './volume-xml.js';

/** One brick's process and filesystem, from `volume status <v> detail`. */
export interface BrickProcessStatus {
  /** `host:/path`, as volume info names the brick. */
  readonly name: string;
  readonly hostname: string;
  readonly path: string;
  /** glusterd UUID of the brick's node (`<peerid>`). */
  readonly hostUuid: string;
  /** Its brick process (glusterfsd) runs (`<status>` 1). */
  readonly online: boolean;
  /** TCP port of the brick process; undefined while offline ("N/A"). */
  readonly port: number | undefined;
  /** undefined while offline (-1). */
  readonly pid: number | undefined;
  /** The brick filesystem's size and free space in bytes; undefined when not reported. */
  readonly sizeTotalBytes: number | undefined;
  readonly sizeFreeBytes: number | undefined;
  readonly inodesTotal: number | undefined;
  readonly inodesFree: number | undefined;
  /** The filesystem's device, type and mount options ("/dev/sdb1", "xfs", "rw,noatime"). */
  readonly device: string | undefined;
  readonly fsName: string | undefined;
  readonly mountOptions: string | undefined;
  readonly blockSizeBytes: number | undefined;
}

/**
 * `gluster volume status <name> detail` on `node`: the volume's bricks as the running pool sees
 * them (self-heal daemons and other services are not bricks and are left out). A brick whose
 * node's glusterd is down is missing from the list, not reported offline: compare with volume
 * info's bricks. glusterd 10.3's `<inodeSize>` holds the filesystem's name, so it is not read.
 * @throws GlusterOperationError VolumeNotStarted ("Volume v is not started"), VolumeNotFound, ...
 */
export async function getVolumeStatus(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string },
  options: CallOptions = {},
): Promise<BrickProcessStatus[]> {
  const { name } = request;
  assertVolumeName(name);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume status',
    ['volume', 'status', name, 'detail'],
    options,
  );
  const volume = statusVolume(answer.output.root, name);
  return elements(volume, 'node')
    .filter((row) => requireText(row, 'path').startsWith('/'))
    .map(parseBrickRow);
}

function parseBrickRow(row: XmlElement): BrickProcessStatus {
  const hostname = requireText(row, 'hostname');
  const path = requireText(row, 'path');
  const status = requireText(row, 'status');
  if (status !== '0' && status !== '1') {
    throw new GlusterXmlParseError(
      `brick ${hostname}:${path}: <status> should be 0 or 1, got "${status}"`,
    );
  }
  const online = status === '1';
  const pid = requireInteger(row, 'pid');
  return {
    name: `${hostname}:${path}`,
    hostname,
    path,
    hostUuid: requireText(row, 'peerid'),
    online,
    port: online ? optionalCount(row, 'port') : undefined,
    pid: online && pid > 0 ? pid : undefined,
    sizeTotalBytes: optionalCount(row, 'sizeTotal'),
    sizeFreeBytes: optionalCount(row, 'sizeFree'),
    inodesTotal: optionalCount(row, 'inodesTotal'),
    inodesFree: optionalCount(row, 'inodesFree'),
    device: optionalText(row, 'device'),
    fsName: optionalText(row, 'fsName'),
    mountOptions: optionalText(row, 'mntOptions'),
    blockSizeBytes: optionalCount(row, 'blockSize'),
  };
}

/** A rebalance, remove-brick or replace-brick task of the volume. */
export interface VolumeTask {
  /** "Rebalance", "Remove brick", ... */
  readonly type: string;
  readonly id: string;
  /** gf_defrag_status_t (see TASK_STATUS); 9 "reset due to replace-brick". */
  readonly status: number;
  readonly statusStr: string;
  /** The bricks a remove-brick task is about; [] for a rebalance. */
  readonly bricks: readonly string[];
}

/**
 * `gluster volume status <name> tasks` on `node`: the volume's last rebalance or remove-brick
 * task (glusterd keeps one), which tells which bricks a remove-brick under way is about.
 * @throws GlusterOperationError VolumeNotStarted, VolumeNotFound, ...
 */
export async function getVolumeTasks(
  cli: GlusterCli,
  node: string,
  request: { readonly name: string },
  options: CallOptions = {},
): Promise<VolumeTask[]> {
  const { name } = request;
  assertVolumeName(name);
  const answer = await runVolumeCommand(
    cli,
    node,
    'volume status tasks',
    ['volume', 'status', name, 'tasks'],
    options,
  );
  const volume = statusVolume(answer.output.root, name);
  return elements(child(volume, 'tasks'), 'task').map((task) => ({
    type: requireText(task, 'type'),
    id: requireText(task, 'id'),
    status: requireCount(task, 'status'),
    statusStr: requireText(task, 'statusStr'),
    bricks: elements(child(task, 'params'), 'brick').map((brick) => requireText(brick, '#text')),
  }));
}

/** The one `<volume>` of a `volume status <name>` answer, checked to be `name`'s. */
function statusVolume(root: XmlElement, name: string): XmlElement {
  const volumes = elements(child(child(root, 'volStatus') ?? {}, 'volumes'), 'volume');
  const [volume, ...others] = volumes;
  if (volume === undefined || others.length > 0 || requireText(volume, 'volName') !== name) {
    throw new GlusterXmlParseError(
      `gluster volume status ${name} answered about ${volumes.map((v) => optionalText(v, 'volName') ?? '?').join(', ') || 'no volume'}`,
    );
  }
  return volume;
}
