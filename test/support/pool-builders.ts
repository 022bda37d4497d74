import type { GlusterNodeSpec } from '../../src/api/gluster-cluster.js';
import type { NodeObservation, ObservedMember, Observation } from '../../src/core/observation.js';
import type { PlanInput } from '../../src/core/plan-reconcile.js';

/** Builders for planner inputs: pools described by who is in them and who sees whom. */
export const uuidOf = (name: string): string => `uuid-${name}`;

export function aMember(
  name: string,
  options: { connected?: boolean; state?: number; isLocal?: boolean; spec?: boolean } = {},
): ObservedMember {
  const isLocal = options.isLocal ?? false;
  return {
    uuid: uuidOf(name),
    hostname: name,
    isConnected: options.connected ?? true,
    state: isLocal ? undefined : (options.state ?? 3),
    stateStr: isLocal ? undefined : options.state === 6 ? 'Peer Rejected' : 'Peer in Cluster',
    isLocal,
    specAddress: (options.spec ?? true) ? name : undefined,
  };
}

/** A node that answered, seeing `peers` (itself added as the local row). */
export function aNode(
  name: string,
  peers: readonly ObservedMember[],
  extra: Partial<NodeObservation> = {},
): NodeObservation {
  return {
    address: name,
    failure: undefined,
    uuid: uuidOf(name),
    rememberedUuid: undefined,
    glusterVersion: '10.3',
    view: [...peers, aMember(name, { isLocal: true })],
    bricksInOwnPool: undefined,
    volumesInOwnPool: undefined,
    ...extra,
  };
}

const FAILURE_MESSAGES = {
  ssh: 'connect ECONNREFUSED',
  glusterd: 'Connection failed',
  'host-key': 'The host key of it does not match known_hosts',
  'not-asked': 'Not asked this pass',
} as const;

export function anUnreachableNode(
  name: string,
  kind: keyof typeof FAILURE_MESSAGES = 'ssh',
  message: string = FAILURE_MESSAGES[kind],
): NodeObservation {
  return {
    address: name,
    failure: { kind, message },
    uuid: undefined,
    rememberedUuid: undefined,
    glusterVersion: undefined,
    view: undefined,
    bricksInOwnPool: undefined,
    volumesInOwnPool: undefined,
  };
}

/** Every node of `names` in one pool, each seeing every other connected. */
export function aHealthyPool(names: readonly string[]): NodeObservation[] {
  return names.map((name) =>
    aNode(
      name,
      names.filter((other) => other !== name).map((other) => aMember(other)),
    ),
  );
}

export function anObservation(
  nodes: readonly NodeObservation[],
  bricksByUuid: Record<string, string[]> = {},
): Observation {
  return { nodes, bricksByUuid, opVersion: 100000 };
}

export function aPlanInput(
  specNodes: readonly (string | GlusterNodeSpec)[],
  observation: Observation,
  overrides: Partial<Omit<PlanInput, 'nodes' | 'observation'>> = {},
): PlanInput {
  return {
    nodes: specNodes.map((node) => (typeof node === 'string' ? { address: node } : node)),
    removalPolicy: 'Detach',
    deletionPolicy: 'Retain',
    paused: false,
    isDeleting: false,
    observation,
    ...overrides,
  };
}
