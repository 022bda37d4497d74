import type { GlusterNodeSpec } from '../api/gluster-cluster.js';
import type {
  NodeFailure,
  NodeObservation,
  ObservedMember,
  Observation,
} from '../core/observation.js';
import type { PlanNeeds } from '../core/plan-types.js';
import { CouldNotRunError, HostKeyVerificationError } from '../exec/exec-errors.js';
import type { CallOptions, GlusterCli } from '../gluster/gluster-cli.js';
import { GlusterCliError, GlusterOperationError } from '../gluster/gluster-errors.js';
import type { Resolver } from '../gluster/host-identity.js';
import { HostMatcher } from '../gluster/host-identity.js';
import type { PoolMember } from '../gluster/peer.js';
import { isLoneAndListening, readGlusterdStore } from '../gluster/glusterd-store.js';
import { getPoolList } from '../gluster/pool-list.js';
import { getClusterOpVersion, getGlusterVersion } from '../gluster/versions.js';
import { bricksHostedBy, getVolumeInfo } from '../gluster/volume-info.js';
import { NodeFacts } from './node-facts.js';

/** How long one read of a node may take before the node counts as not answering. */
export const DEFAULT_READ_TIMEOUT_MS = 5_000;

export interface GatherOptions {
  readonly signal?: AbortSignal;
  readonly resolver?: Resolver;
  /** Each read's deadline (connecting included). Default DEFAULT_READ_TIMEOUT_MS. */
  readonly readTimeoutMs?: number;
  /** Spec address → the glusterd UUID it answered with before (status.nodes[].uuid). */
  readonly rememberedUuids?: ReadonlyMap<string, string>;
  /** Versions and op-version known from earlier passes; read only when missing or old. */
  readonly facts?: NodeFacts;
  /** A quick look after a change: pool lists only. */
  readonly poolListsOnly?: boolean;
  /**
   * Spec nodes probably not in the pool yet (none of them in the last status): changes are
   * likely, so versions and the op-version wait for the pass after them.
   */
  readonly probablyLone?: ReadonlySet<string>;
  /**
   * Ask probably-lone nodes their glusterd store first (one short command, no CLI), and the CLI
   * only when the store does not say "lone, glusterd listening". Only for a look that may lead
   * to probes: such a view is marked `fromStore`, and nothing else may be decided on it.
   */
  readonly storeReads?: boolean;
  /**
   * The GlusterVolume (`namespace/name`) that declares a gluster volume of this pool, if one
   * does: a brick that holds a node back from a detach is named with it.
   */
  readonly volumeOwner?: (volumeName: string) => string | undefined;
}

interface Answer {
  readonly spec: GlusterNodeSpec;
  readonly members: readonly PoolMember[] | undefined;
  readonly version: string | undefined;
  readonly volumes: { readonly names: string[]; readonly bricks: string[] } | undefined;
  readonly failure: NodeFailure | undefined;
  readonly fromStore?: true;
}

/**
 * The I/O half of a pass: asks every spec node, in parallel, for its own view of the pool, each
 * read with a short deadline of its own, and settles identities, so the planner gets plain data.
 * A node's version and the op-version are read only when not known already, and not in a look
 * that is about to make changes or follows them: the pass after the changes reads them. A node that cannot be asked is an
 * observation with its failure, never an exception: one dead node must not hide the others.
 *
 * Identity: a member is the spec node that answered with its UUID, else the spec node that
 * answered with it before (remembered), else, only for a spec node whose UUID is not known at
 * all, the one whose name or address it has.
 */
export async function gatherObservation(
  cli: GlusterCli,
  specNodes: readonly GlusterNodeSpec[],
  options: GatherOptions = {},
): Promise<Observation> {
  const facts = options.facts ?? new NodeFacts();
  const read = readOptions(options);
  const quick = options.poolListsOnly ?? false;
  // When changes are likely (some node is probably lone), versions and the op-version wait for
  // the pass that follows the changes, as in every quick look: those rounds stay short.
  const deferFacts = quick || (options.probablyLone?.size ?? 0) > 0;
  // The op-version is a pool fact: asked of the first spec node, beside the pool lists.
  const [first] = specNodes;
  const opVersionRead =
    facts.opVersion !== undefined || deferFacts || first === undefined
      ? Promise.resolve(facts.opVersion)
      : getClusterOpVersion(cli, first.address, read).then(
          (value) => {
            facts.rememberOpVersion(value);
            return value;
          },
          () => undefined,
        );
  const storeReads = (options.storeReads ?? false) && !quick;
  const answers = await Promise.all(
    specNodes.map(async (spec) => {
      if (storeReads && options.probablyLone?.has(spec.address)) {
        const lone = await askStore(cli, spec, read);
        if (lone) return lone;
      }
      return askNode(cli, spec, read, facts, { deferFacts, quick });
    }),
  );
  const selves = answers.map((answer) => answer.members?.find((member) => member.isLocal));
  // UUID → spec address: this pass's answers first, then what earlier passes learnt.
  const uuidToSpec = new Map<string, string>();
  for (const [index, answer] of answers.entries()) {
    const self = selves[index];
    if (self) uuidToSpec.set(self.uuid, answer.spec.address);
  }
  const remembered = new Map<string, string>();
  for (const [index, answer] of answers.entries()) {
    const uuid = options.rememberedUuids?.get(answer.spec.address);
    if (uuid === undefined) continue;
    // A node that answers with another UUID was reinstalled: its answer wins.
    if (selves[index] === undefined && !uuidToSpec.has(uuid)) {
      uuidToSpec.set(uuid, answer.spec.address);
      remembered.set(answer.spec.address, uuid);
    }
  }
  const identified = new Set(uuidToSpec.values());
  const matcher = new HostMatcher(options.resolver);

  const nodes = await Promise.all(
    answers.map(async (answer, index): Promise<NodeObservation> => {
      const self = selves[index];
      const view = answer.members
        ? await Promise.all(
            answer.members.map((member) =>
              annotate(member, answer.spec.address, uuidToSpec, identified, specNodes, matcher),
            ),
          )
        : undefined;
      if (answer.failure?.kind === 'glusterd') facts.forgetNode(answer.spec.address);
      return {
        address: answer.spec.address,
        failure: answer.failure,
        uuid: self?.uuid,
        rememberedUuid: remembered.get(answer.spec.address),
        glusterVersion: answer.version,
        view,
        bricksInOwnPool: answer.volumes?.bricks,
        volumesInOwnPool: answer.volumes?.names,
        ...(answer.fromStore ? { fromStore: true as const } : {}),
      };
    }),
  );

  const opVersion = await opVersionRead;
  return { nodes, bricksByUuid: undefined, opVersion };
}

/**
 * The second, narrow look a plan may ask for before it decides a change: `volume info` on the
 * command node (bricks per member, before a detach) and on release candidates (their own pool).
 */
export async function readPlanNeeds(
  cli: GlusterCli,
  observation: Observation,
  needs: PlanNeeds,
  commandNode: string | undefined,
  options: GatherOptions = {},
): Promise<Observation> {
  const read = readOptions(options);
  const bricksByUuid =
    needs.bricks && commandNode !== undefined
      ? await getVolumeInfo(cli, commandNode, read).then(
          (volumes) => {
            const byUuid: Record<string, string[]> = {};
            for (const volume of volumes) {
              const owner = options.volumeOwner?.(volume.name);
              for (const brick of volume.bricks) {
                (byUuid[brick.hostUuid] ??= []).push(
                  `${brick.name} of volume ${volume.name}${owner === undefined ? '' : ` (GlusterVolume ${owner})`}`,
                );
              }
            }
            return byUuid;
          },
          () => undefined,
        )
      : observation.bricksByUuid;
  const nodes = await Promise.all(
    observation.nodes.map(async (node) => {
      if (!needs.volumesOf.includes(node.address) || node.uuid === undefined) return node;
      const uuid = node.uuid;
      const volumes = await getVolumeInfo(cli, node.address, read).catch(() => undefined);
      if (!volumes) return node;
      return {
        ...node,
        volumesInOwnPool: volumes.map((volume) => volume.name),
        bricksInOwnPool: bricksHostedBy(volumes, uuid).map((brick) => brick.name),
      };
    }),
  );
  return { ...observation, nodes, bricksByUuid };
}

/** A read's options: its deadline (connecting included) and the pass's signal. */
export function readOptions(options: GatherOptions): CallOptions {
  const readTimeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  return {
    timeoutMs: readTimeoutMs,
    deadlineMs: readTimeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/**
 * A probably-lone node asked its glusterd store: its answer when the store says lone with
 * glusterd listening (a view of itself alone, as its pool list would be), else undefined and the
 * CLI is asked. A node that cannot be reached is that failure at once, not asked twice.
 */
async function askStore(
  cli: GlusterCli,
  spec: GlusterNodeSpec,
  read: CallOptions,
): Promise<Answer | undefined> {
  let summary;
  try {
    summary = await readGlusterdStore(cli, spec.address, read);
  } catch (error) {
    if (error instanceof CouldNotRunError) {
      return {
        spec,
        members: undefined,
        version: undefined,
        volumes: undefined,
        failure: classify(error),
      };
    }
    return undefined;
  }
  if (!summary || !isLoneAndListening(summary)) return undefined;
  const self: PoolMember = {
    uuid: summary.uuid,
    hostname: spec.address,
    hostnames: [spec.address],
    isConnected: true,
    state: undefined,
    stateStr: undefined,
    isLocal: true,
  };
  return {
    spec,
    members: [self],
    version: undefined,
    volumes: undefined,
    failure: undefined,
    fromStore: true,
  };
}

async function askNode(
  cli: GlusterCli,
  spec: GlusterNodeSpec,
  read: CallOptions,
  facts: NodeFacts,
  options: { readonly deferFacts: boolean; readonly quick: boolean },
): Promise<Answer> {
  const known = facts.versionOf(spec.address);
  // One round: the pool list, with the version when it is not known (and not deferred).
  const [listed, version] = await Promise.all([
    getPoolList(cli, spec.address, read).then(
      (members) => ({ members, failure: undefined }),
      (error: unknown) => ({ members: undefined, failure: classify(error) }),
    ),
    options.deferFacts || known
      ? undefined
      : getGlusterVersion(cli, spec.address, read).catch(() => undefined),
  ]);
  const { members, failure } = listed;
  const self = members?.find((member) => member.isLocal);
  if (!members || !self) {
    return { spec, members, version: undefined, volumes: undefined, failure };
  }
  if (version !== undefined) facts.rememberVersion(spec.address, self.uuid, version);
  if (known && known.uuid !== self.uuid) facts.forgetNode(spec.address);
  // A lone node's volumes are not read on the way to its probe: glusterd refuses to probe a
  // node with volumes of its own, and the pass reads them then to say why. A node known to
  // have had volumes is read again, so it is probed once they are gone.
  let volumes: Answer['volumes'];
  if (members.length === 1 && !options.quick && facts.volumesOf(spec.address, self.uuid)) {
    const list = await getVolumeInfo(cli, spec.address, read).catch(() => undefined);
    if (list) {
      volumes = {
        names: list.map((volume) => volume.name),
        bricks: list.flatMap((volume) => volume.bricks.map((brick) => brick.name)),
      };
      if (list.length > 0) facts.rememberVolumes(spec.address, self.uuid, volumes.names);
      else facts.forgetVolumes(spec.address);
    }
  }
  return {
    spec,
    members,
    version: version ?? (known?.uuid === self.uuid ? known.version : undefined),
    volumes,
    failure,
  };
}

/** Why a node could not tell us its view, in the planner's terms. */
export function classify(error: unknown): NodeFailure {
  if (error instanceof HostKeyVerificationError && error.isMismatch) {
    return { kind: 'host-key', message: error.message };
  }
  if (error instanceof CouldNotRunError) return { kind: 'ssh', message: error.message };
  if (error instanceof GlusterCliError) return { kind: 'glusterd', message: error.message };
  if (error instanceof GlusterOperationError) {
    return { kind: 'gluster', reason: error.reason, message: error.opErrstr || error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'gluster', reason: 'UnreadableAnswer', message };
}

/**
 * Which spec node a member is: by UUID (answered now or before), else by any of its names, but
 * only a spec node whose UUID is not known at all can be matched by name.
 */
async function annotate(
  member: PoolMember,
  observer: string,
  uuidToSpec: ReadonlyMap<string, string>,
  identified: ReadonlySet<string>,
  specNodes: readonly GlusterNodeSpec[],
  matcher: HostMatcher,
): Promise<ObservedMember> {
  let specAddress = member.isLocal ? observer : uuidToSpec.get(member.uuid);
  if (specAddress === undefined) {
    for (const spec of specNodes) {
      // A spec node with a known UUID is that UUID, and this member's is another.
      if (identified.has(spec.address)) continue;
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
