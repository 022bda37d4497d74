import type { GlusterNodeSpec } from '../api/gluster-cluster.js';
import type {
  NodeFailure,
  NodeObservation,
  ObservedMember,
  Observation,
} from '../core/observation.js';
import { CouldNotRunError } from '../exec/exec-errors.js';
import type { CallOptions, GlusterCli } from '../gluster/gluster-cli.js';
import { GlusterCliError, GlusterOperationError } from '../gluster/gluster-errors.js';
import type { Resolver } from '../gluster/host-identity.js';
import { HostMatcher } from '../gluster/host-identity.js';
import type { PoolMember } from '../gluster/peer.js';
import { getPoolList } from '../gluster/pool-list.js';
import { getClusterOpVersion, getGlusterVersion } from '../gluster/versions.js';
import type { Volume } from '../gluster/volume-info.js';
import { bricksHostedBy, getVolumeInfo } from '../gluster/volume-info.js';

export interface GatherOptions extends CallOptions {
  readonly resolver?: Resolver;
}

interface Answer {
  readonly spec: GlusterNodeSpec;
  readonly members: readonly PoolMember[] | undefined;
  readonly version: string | undefined;
  readonly failure: NodeFailure | undefined;
}

/**
 * The I/O half of a pass: asks every spec node, in parallel, for its own view of the pool (and
 * its gluster version), reads the volumes of each distinct pool once, and settles identities, so
 * the planner gets plain data. A node that cannot be asked is an observation with its failure,
 * never an exception: one dead node must not hide the others.
 */
export async function gatherObservation(
  cli: GlusterCli,
  specNodes: readonly GlusterNodeSpec[],
  options: GatherOptions = {},
): Promise<Observation> {
  const answers = await Promise.all(specNodes.map((spec) => askNode(cli, spec, options)));
  const matcher = new HostMatcher(options.resolver);
  // Each node's own row of its pool list, found once.
  const selves = answers.map((answer) => answer.members?.find((member) => member.isLocal));
  const uuidToSpec = new Map<string, string>();
  for (const [index, answer] of answers.entries()) {
    const self = selves[index];
    if (self) uuidToSpec.set(self.uuid, answer.spec.address);
  }
  // Spec nodes that answered: each has a known UUID.
  const answered = new Set(uuidToSpec.values());

  // One `volume info` per distinct pool (its members share the volume definitions).
  const volumesByPool = new Map<string, Promise<readonly Volume[] | undefined>>();
  const volumesOf = (answer: Answer): Promise<readonly Volume[] | undefined> => {
    const key = poolKey(answer.members ?? []);
    let pending = volumesByPool.get(key);
    if (!pending) {
      pending = getVolumeInfo(cli, answer.spec.address, options).catch(() => undefined);
      volumesByPool.set(key, pending);
    }
    return pending;
  };

  const nodes = await Promise.all(
    answers.map(async (answer, index): Promise<NodeObservation> => {
      const self = selves[index];
      const view = answer.members
        ? await Promise.all(
            answer.members.map((member) =>
              annotate(member, answer.spec.address, uuidToSpec, answered, specNodes, matcher),
            ),
          )
        : undefined;
      const volumes = answer.members ? await volumesOf(answer) : undefined;
      return {
        address: answer.spec.address,
        failure: answer.failure,
        uuid: self?.uuid,
        glusterVersion: answer.version,
        view,
        bricksInOwnPool:
          volumes && self
            ? bricksHostedBy(volumes, self.uuid).map((brick) => brick.name)
            : undefined,
        volumesInOwnPool: volumes?.map((volume) => volume.name),
      };
    }),
  );

  const bricksByUuid: Record<string, string[]> = {};
  for (const volumes of await Promise.all(volumesByPool.values())) {
    for (const brick of (volumes ?? []).flatMap((volume) => volume.bricks)) {
      (bricksByUuid[brick.hostUuid] ??= []).push(brick.name);
    }
  }
  const first = answers.find((answer) => answer.members !== undefined);
  const opVersion = first
    ? await getClusterOpVersion(cli, first.spec.address, options).catch(() => undefined)
    : undefined;
  return { nodes, bricksByUuid, opVersion };
}

async function askNode(
  cli: GlusterCli,
  spec: GlusterNodeSpec,
  options: CallOptions,
): Promise<Answer> {
  try {
    const [members, version] = await Promise.all([
      getPoolList(cli, spec.address, options),
      getGlusterVersion(cli, spec.address, options).catch(() => undefined),
    ]);
    return { spec, members, version, failure: undefined };
  } catch (error) {
    return { spec, members: undefined, version: undefined, failure: classify(error) };
  }
}

/** Why a node could not tell us its view, in the planner's terms. */
export function classify(error: unknown): NodeFailure {
  if (error instanceof CouldNotRunError) return { kind: 'ssh', message: error.message };
  if (error instanceof GlusterCliError) return { kind: 'glusterd', message: error.message };
  if (error instanceof GlusterOperationError) {
    return { kind: 'gluster', reason: error.reason, message: error.opErrstr || error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'gluster', reason: 'UnreadableAnswer', message };
}

/** Which spec node a member is: by UUID when that node answered, else by any of its names. */
async function annotate(
  member: PoolMember,
  observer: string,
  uuidToSpec: ReadonlyMap<string, string>,
  answered: ReadonlySet<string>,
  specNodes: readonly GlusterNodeSpec[],
  matcher: HostMatcher,
): Promise<ObservedMember> {
  let specAddress = member.isLocal ? observer : uuidToSpec.get(member.uuid);
  if (specAddress === undefined) {
    for (const spec of specNodes) {
      // A spec node that answered has a known UUID, and this member's is another.
      if (answered.has(spec.address)) continue;
      if (await matcher.findPeer([member], { host: spec.address })) {
        specAddress = spec.address;
        break;
      }
    }
  }
  return {
    uuid: member.uuid,
    hostname: member.hostname,
    isConnected: member.isConnected,
    state: member.state,
    stateStr: member.stateStr,
    isLocal: member.isLocal,
    specAddress,
  };
}

function poolKey(members: readonly PoolMember[]): string {
  return members
    .map((member) => member.uuid)
    .sort()
    .join(',');
}
