import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { child, elements, optionalText, requireInteger, requireText } from './cli-output.js';
import type { CliOutput, XmlElement } from './cli-output.js';
import { assertAccepted, GlusterXmlParseError } from './gluster-errors.js';
import { assertVolumeName } from './volume-arguments.js';

export interface Brick {
  /** `host:/path` as gluster names it. */
  readonly name: string;
  readonly host: string;
  readonly path: string;
  /** UUID of the peer hosting the brick: the reliable way to tell who hosts what. */
  readonly hostUuid: string;
  /** The arbiter of its replica set (the last brick of each set of a `replica 3 arbiter 1`). */
  readonly isArbiter: boolean;
}

export type VolumeTransport = 'tcp' | 'rdma' | 'tcp,rdma';

export interface Volume {
  readonly name: string;
  readonly id: string;
  /** 0 Created, 1 Started, 2 Stopped (statusStr says the same in words). */
  readonly status: number;
  readonly statusStr: string;
  /** Distribute, Replicate, Distributed-Replicate, Disperse, Distributed-Disperse, ... */
  readonly typeStr: string;
  readonly brickCount: number;
  /** How many sets (replica, disperse or single bricks) the files are distributed over. */
  readonly distCount: number;
  /** Bricks per replica set; 1 when not replicated. */
  readonly replicaCount: number;
  /** 1 when the last brick of each replica set is an arbiter, else 0. */
  readonly arbiterCount: number;
  /** Bricks per disperse set; 0 when not dispersed. */
  readonly disperseCount: number;
  readonly redundancyCount: number;
  readonly transport: VolumeTransport;
  /** In volume order: set k is bricks[k * setSize .. k * setSize + setSize - 1]. */
  readonly bricks: readonly Brick[];
  /**
   * The options set on the volume ("Options Reconfigured"), key → value as glusterd stores them,
   * including those glusterd sets itself at create (transport.address-family, nfs.disable ...).
   */
  readonly options: Readonly<Record<string, string>>;
}

// <transport> of volume info: GF_TRANSPORT_TCP, GF_TRANSPORT_RDMA, GF_TRANSPORT_BOTH_TCP_RDMA.
const TRANSPORTS: readonly VolumeTransport[] = ['tcp', 'rdma', 'tcp,rdma'];

// `volume info <name>` of a volume that does not exist: opRet -1, opErrno 30806 (EG_NOVOL).
const NO_SUCH_VOLUME = 30806;

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

/**
 * `gluster volume info <name>` on `node`: the volume, or undefined when the pool has no volume
 * of that name (glusterd answers opRet -1, opErrno 30806 "Volume does not exist").
 * @throws InvalidArgumentError for a name gluster would not accept: nothing is run
 */
export async function getVolume(
  cli: GlusterCli,
  node: string,
  name: string,
  options: CallOptions = {},
): Promise<Volume | undefined> {
  assertVolumeName(name);
  const answer = await cli.run(node, ['volume', 'info', name], options);
  const { opRet, opErrno } = answer.output;
  if (opRet !== 0 && opErrno === NO_SUCH_VOLUME) return undefined;
  assertAccepted(`volume info ${name}`, node, answer);
  const volumes = parseVolumes(answer.output);
  const [volume, ...others] = volumes;
  if (volume?.name !== name || others.length > 0) {
    throw new GlusterXmlParseError(
      `gluster volume info ${name} on ${node} answered about ${volumes.map((v) => v.name).join(', ') || 'no volume'}`,
    );
  }
  return volume;
}

export function parseVolumes(output: CliOutput): Volume[] {
  const volumes = child(child(output.root, 'volInfo') ?? {}, 'volumes');
  return elements(volumes, 'volume').map(parseVolume);
}

function parseVolume(volume: XmlElement): Volume {
  const name = requireText(volume, 'name');
  const transport = TRANSPORTS[requireInteger(volume, 'transport')];
  if (transport === undefined) {
    throw new GlusterXmlParseError(
      `volume ${name}: unknown <transport> ${requireText(volume, 'transport')}`,
    );
  }
  const bricks = elements(child(volume, 'bricks'), 'brick').map(parseBrickElement);
  const brickCount = requireInteger(volume, 'brickCount');
  if (brickCount !== bricks.length) {
    throw new GlusterXmlParseError(
      `volume ${name}: <brickCount> says ${brickCount} but ${bricks.length} bricks are listed`,
    );
  }
  return {
    name,
    id: requireText(volume, 'id'),
    status: requireInteger(volume, 'status'),
    statusStr: optionalText(volume, 'statusStr') ?? '',
    typeStr: optionalText(volume, 'typeStr') ?? '',
    brickCount,
    distCount: requireInteger(volume, 'distCount'),
    replicaCount: requireInteger(volume, 'replicaCount'),
    arbiterCount: requireInteger(volume, 'arbiterCount'),
    disperseCount: requireInteger(volume, 'disperseCount'),
    redundancyCount: requireInteger(volume, 'redundancyCount'),
    transport,
    bricks,
    options: Object.fromEntries(
      elements(child(volume, 'options'), 'option').map((option) => [
        requireText(option, 'name'),
        requireText(option, 'value'),
      ]),
    ),
  };
}

function parseBrickElement(brick: XmlElement): Brick {
  const name = requireText(brick, 'name');
  // The path always starts with "/", which keeps IPv6 hosts ("fd42::11:/b") unambiguous.
  const split = name.indexOf(':/');
  const isArbiter = requireText(brick, 'isArbiter');
  if (isArbiter !== '0' && isArbiter !== '1') {
    throw new GlusterXmlParseError(
      `brick ${name}: <isArbiter> should be 0 or 1, got "${isArbiter}"`,
    );
  }
  return {
    name,
    host: split === -1 ? name : name.slice(0, split),
    path: split === -1 ? '' : name.slice(split + 1),
    hostUuid: requireText(brick, 'hostUuid'),
    isArbiter: isArbiter === '1',
  };
}

/** The bricks a peer hosts, by its UUID. */
export function bricksHostedBy(volumes: readonly Volume[], peerUuid: string): Brick[] {
  return volumes.flatMap((volume) => volume.bricks.filter((brick) => brick.hostUuid === peerUuid));
}
