import type {
  DeletionPolicy,
  GlusterNodeSpec,
  NodeView,
  RemovalPolicy,
} from '../api/gluster-cluster.js';
import type { NodeObservation, ObservedMember, Observation } from './observation.js';
import type {
  Action,
  BlockReason,
  Blocked,
  NodeAssessment,
  Plan,
  UnmanagedMemberAssessment,
} from './plan-types.js';

// glusterd's friend states (glusterd-sm.h) that matter here.
const PEER_IN_CLUSTER = 3;
const PEER_REJECTED = 6;

export interface PlanInput {
  readonly nodes: readonly GlusterNodeSpec[];
  readonly removalPolicy: RemovalPolicy;
  readonly deletionPolicy: DeletionPolicy;
  readonly paused: boolean;
  readonly isDeleting: boolean;
  readonly observation: Observation;
}

interface Reachable extends NodeObservation {
  readonly uuid: string;
  readonly view: readonly ObservedMember[];
}

/**
 * Desired (spec) against observed (every node's own view) → the state of each node, the one
 * change to make now, and every change that is needed but blocked, with the reason. Pure: it
 * never throws and never does I/O; the same input always gives the same plan.
 */
export function planReconcile(input: PlanInput): Plan {
  const { observation } = input;
  const clones = findClones(observation.nodes);
  // A clone cannot be told apart from its original: leave it out of every decision.
  const reachable = observation.nodes
    .filter(isReachable)
    .filter((node) => !clones.has(node.address));
  const commandNode = chooseCommandNode(reachable);
  const mainView = commandNode?.view ?? [];
  const mainUuids = new Set(mainView.map((member) => member.uuid));
  const observers = reachable.filter((node) => mainUuids.has(node.uuid));

  const nodes = observation.nodes.map((node) => {
    const original = clones.get(node.address);
    return original === undefined
      ? assessNode(node, commandNode, mainView, mainUuids, observers)
      : cloneAssessment(node, original);
  });
  const unmanaged: UnmanagedMemberAssessment[] = mainView
    .filter((member) => !member.isLocal && member.specAddress === undefined)
    .map((member) => ({
      hostname: member.hostname,
      uuid: member.uuid,
      isConnected: member.isConnected,
    }));

  const planned = input.isDeleting
    ? planDeletion(input, commandNode, mainView)
    : planChanges(input, commandNode, mainView, nodes);
  const changes = planned.changes;
  const blocked: Blocked[] = [
    ...[...clones].map(([address, original]) => ({
      target: address,
      change: 'probe' as const,
      reason: 'DuplicateUuid' as const,
      message: `It has the same glusterd UUID as ${original}, as a cloned machine does. Stop glusterd there, remove /var/lib/glusterd/glusterd.info, start glusterd again`,
    })),
    ...planned.blocked,
  ];
  if (input.paused) {
    const paused = changes.flatMap((change) =>
      blockedChange(change, 'Paused', 'spec.paused is true: the change is reported, not made'),
    );
    const finalizer = changes.filter((change) => change.kind === 'removeFinalizer');
    return {
      commandNode: commandNode?.address,
      nodes,
      unmanaged,
      action: finalizer[0],
      changes: finalizer,
      remainingChanges: 0,
      blocked: [...paused, ...blocked],
    };
  }
  const [action, ...rest] = changes;
  return {
    commandNode: commandNode?.address,
    nodes,
    unmanaged,
    action,
    changes,
    remainingChanges: rest.length,
    blocked,
  };
}

/** Spec nodes reporting a UUID an earlier spec node already has: address → that node. */
function findClones(nodes: readonly NodeObservation[]): Map<string, string> {
  const firstWithUuid = new Map<string, string>();
  const clones = new Map<string, string>();
  for (const node of nodes) {
    if (node.uuid === undefined) continue;
    const original = firstWithUuid.get(node.uuid);
    if (original === undefined) firstWithUuid.set(node.uuid, node.address);
    else clones.set(node.address, original);
  }
  return clones;
}

function cloneAssessment(node: NodeObservation, original: string): NodeAssessment {
  return {
    address: node.address,
    uuid: node.uuid,
    stateStr: undefined,
    state: 'Rejected',
    views: undefined,
    message: `Same glusterd UUID as ${original}: a cloned machine; gluster refuses it`,
  };
}

function isReachable(node: NodeObservation): node is Reachable {
  return node.failure === undefined && node.uuid !== undefined && node.view !== undefined;
}

/**
 * The first reachable spec node, in spec order, of the pool that holds the most spec nodes: the
 * preferred (first) node while it answers, another member of the same pool when it does not.
 */
function chooseCommandNode(reachable: readonly Reachable[]): Reachable | undefined {
  let best: Reachable | undefined;
  let bestCount = -1;
  for (const node of reachable) {
    const count = node.view.filter((member) => member.specAddress !== undefined).length;
    if (count > bestCount) {
      best = node;
      bestCount = count;
    }
  }
  return best;
}

function assessNode(
  node: NodeObservation,
  commandNode: Reachable | undefined,
  mainView: readonly ObservedMember[],
  mainUuids: ReadonlySet<string>,
  observers: readonly Reachable[],
): NodeAssessment {
  const asMember = mainView.find(
    (member) => member.specAddress === node.address || member.uuid === node.uuid,
  );
  const base = {
    address: node.address,
    uuid: node.uuid ?? asMember?.uuid,
    stateStr: asMember?.isLocal ? undefined : asMember?.stateStr,
  };
  const seenAs = asMember
    ? `${commandNode?.address ?? 'the pool'} sees it ${asMember.isConnected ? 'connected' : 'disconnected'}`
    : 'it is not a member of the pool';

  if (node.failure?.kind === 'ssh') {
    return {
      ...base,
      state: 'Unreachable',
      views: undefined,
      message: `SSH failed: ${node.failure.message}; ${seenAs}`,
    };
  }
  if (node.failure?.kind === 'glusterd') {
    return {
      ...base,
      state: 'GlusterdDown',
      views: undefined,
      message: `glusterd does not answer: ${node.failure.message}; ${seenAs}`,
    };
  }
  if (node.failure?.kind === 'not-asked') {
    return {
      ...base,
      state: 'Unknown',
      views: undefined,
      message: `Not asked: ${node.failure.message}`,
    };
  }
  if (node.failure?.kind === 'gluster') {
    return {
      ...base,
      state: 'Unknown',
      views: undefined,
      message: `glusterd refused to answer (${node.failure.reason}): ${node.failure.message}`,
    };
  }
  if (!isReachable(node) || !commandNode) {
    return {
      ...base,
      state: 'Unknown',
      views: undefined,
      message: 'Nothing is known about the node yet',
    };
  }

  if (mainUuids.has(node.uuid)) {
    const views: NodeView[] = observers
      .filter((observer) => observer.uuid !== node.uuid)
      .map((observer) => ({
        observer: observer.address,
        status: viewStatus(observer.view, node.uuid),
      }));
    const statuses = new Set(views.map((view) => view.status));
    const disagree = statuses.size > 1 ? views : undefined;
    if (statuses.has('Rejected')) {
      return {
        ...base,
        state: 'Rejected',
        views: disagree,
        message: describe('rejects it', views, 'Rejected'),
      };
    }
    if (statuses.has('Disconnected')) {
      return {
        ...base,
        state: 'Disconnected',
        views: disagree,
        message: describe('sees it disconnected', views, 'Disconnected'),
      };
    }
    if (statuses.has('Joining') || statuses.has('NotInPool')) {
      return {
        ...base,
        state: 'Probing',
        views: disagree,
        message: 'The probe handshake has not reached every member yet',
      };
    }
    return {
      ...base,
      state: 'Connected',
      views: undefined,
      message: 'Every member sees it connected',
    };
  }

  const others = node.view.filter((member) => !member.isLocal);
  if (others.length === 0) {
    return {
      ...base,
      state: 'Pending',
      views: undefined,
      message: 'A lone node, not yet in the pool',
    };
  }
  const names = others.map((member) => member.hostname).join(', ');
  const stale = others.some((member) => mainUuids.has(member.uuid));
  return {
    ...base,
    state: 'InOtherPool',
    views: undefined,
    message: stale
      ? `It still lists ${names} as its pool, but the pool does not list it (it was probably detached while down)`
      : `It belongs to another trusted pool (with ${names})`,
  };
}

function viewStatus(view: readonly ObservedMember[], uuid: string): string {
  const member = view.find((candidate) => candidate.uuid === uuid);
  if (!member) return 'NotInPool';
  if (!member.isConnected) return 'Disconnected';
  if (member.state === PEER_REJECTED) return 'Rejected';
  return member.state === PEER_IN_CLUSTER || member.state === undefined ? 'Connected' : 'Joining';
}

function describe(verb: string, views: readonly NodeView[], status: string): string {
  const who = views.filter((view) => view.status === status).map((view) => view.observer);
  return `${who.join(', ')} ${verb}`;
}

function planChanges(
  input: PlanInput,
  commandNode: Reachable | undefined,
  mainView: readonly ObservedMember[],
  nodes: readonly NodeAssessment[],
): { changes: Action[]; blocked: Blocked[] } {
  const changes: Action[] = [];
  const blocked: Blocked[] = [];
  const specByAddress = new Map(input.nodes.map((node) => [node.address, node]));
  const observed = new Map(input.observation.nodes.map((node) => [node.address, node]));
  if (!commandNode) {
    if (input.nodes.length > 0) {
      blocked.push({
        target: input.nodes[0]?.address ?? '',
        change: 'probe',
        reason: 'NoReachableNode',
        message:
          'No spec node answers over SSH with glusterd running: nothing can be checked or changed',
      });
    }
    return { changes, blocked };
  }
  // A probe's handshake is still spreading: wait for it before the next membership change.
  const probing = nodes.filter((node) => node.state === 'Probing');
  const waitFor = probing[0];

  for (const node of nodes) {
    const spec = specByAddress.get(node.address);
    const seen = observed.get(node.address);
    if (node.state === 'Pending') {
      const volumes = seen?.volumesInOwnPool ?? [];
      if (volumes.length > 0) {
        blocked.push({
          target: node.address,
          change: 'probe',
          reason: 'NodeHasVolumes',
          message: `It has volumes of its own (${volumes.join(', ')}), and gluster refuses to probe such a node; delete them or remove the node from spec`,
        });
      } else {
        changes.push({ kind: 'probe', node: commandNode.address, target: node.address });
      }
    } else if (node.state === 'InOtherPool') {
      const bricks = seen?.bricksInOwnPool ?? [];
      if (!spec?.reclaimFromOtherPool) {
        blocked.push({
          target: node.address,
          change: 'release',
          reason: 'NodeInOtherPool',
          message: `${node.message}. Set reclaimFromOtherPool on this node to take it over, or detach it from that pool by hand`,
        });
      } else if (bricks.length > 0) {
        blocked.push({
          target: node.address,
          change: 'release',
          reason: 'ReclaimBlockedBricks',
          message: `It hosts bricks in its current pool (${bricks.join(', ')}); move them away first`,
        });
      } else {
        changes.push({ kind: 'release', target: node.address });
      }
    } else if (
      node.state === 'Unreachable' &&
      !mainView.some((member) => member.specAddress === node.address)
    ) {
      blocked.push({
        target: node.address,
        change: 'probe',
        reason: 'NodeUnreachable',
        message: `It cannot be checked over SSH, so it is not probed: ${node.message}`,
      });
    }
  }

  if (input.removalPolicy === 'Detach') {
    for (const member of mainView) {
      if (member.isLocal || member.specAddress !== undefined) continue;
      sortDetach(
        member,
        'RemovedFromSpec',
        commandNode.address,
        mainView,
        input.observation,
        changes,
        blocked,
      );
    }
  }

  if (waitFor && changes.length > 0) {
    const message = `Waiting for the probe of ${waitFor.address} to reach every member first`;
    blocked.push(...changes.flatMap((change) => blockedChange(change, 'WaitingForProbe', message)));
    return { changes: [], blocked };
  }
  return { changes, blocked };
}

function planDeletion(
  input: PlanInput,
  commandNode: Reachable | undefined,
  mainView: readonly ObservedMember[],
): { changes: Action[]; blocked: Blocked[] } {
  if (input.deletionPolicy === 'Retain')
    return { changes: [{ kind: 'removeFinalizer' }], blocked: [] };
  if (!commandNode) {
    return {
      changes: [],
      blocked: [
        {
          target: input.nodes[0]?.address ?? '',
          change: 'detach',
          reason: 'NoReachableNode',
          message:
            'deletionPolicy is Dissolve, but no member can be reached to detach the others from',
        },
      ],
    };
  }
  const order = new Map(input.nodes.map((node, index) => [node.address, index]));
  const others = mainView
    .filter((member) => !member.isLocal)
    .sort(
      (a, b) =>
        (order.get(a.specAddress ?? '') ?? Infinity) - (order.get(b.specAddress ?? '') ?? Infinity),
    );
  if (others.length === 0) return { changes: [{ kind: 'removeFinalizer' }], blocked: [] };
  const changes: Action[] = [];
  const blocked: Blocked[] = [];
  for (const member of others) {
    sortDetach(
      member,
      'Dissolving',
      commandNode.address,
      mainView,
      input.observation,
      changes,
      blocked,
    );
  }
  return { changes, blocked };
}

/** A change that is needed but held back; removing the finalizer is never held back. */
function blockedChange(change: Action, reason: BlockReason, message: string): Blocked[] {
  if (change.kind === 'removeFinalizer') return [];
  return [{ target: change.target, change: change.kind, reason, message }];
}

/** Adds the detach of `member` to `changes` when it is safe, else its blocker to `blocked`. */
function sortDetach(
  member: ObservedMember,
  why: 'RemovedFromSpec' | 'Dissolving',
  commandNode: string,
  view: readonly ObservedMember[],
  observation: Observation,
  changes: Action[],
  blocked: Blocked[],
): void {
  const detach = checkDetach(member, view, observation.bricksByUuid);
  if (detach === 'ok') {
    changes.push({
      kind: 'detach',
      node: commandNode,
      target: member.hostname,
      uuid: member.uuid,
      why,
    });
    return;
  }
  blocked.push({
    target: member.hostname,
    change: 'detach',
    reason: detach === 'bricks' ? 'DetachBlockedBricks' : 'DetachBlockedMemberDown',
    message: detachBlockMessage(detach, member, view, observation.bricksByUuid),
  });
}

/** A detach is safe when the member hosts no brick and every other member is connected. */
function checkDetach(
  member: ObservedMember,
  view: readonly ObservedMember[],
  bricksByUuid: Readonly<Record<string, readonly string[]>>,
): 'ok' | 'bricks' | 'member-down' {
  if ((bricksByUuid[member.uuid] ?? []).length > 0) return 'bricks';
  const down = view.filter((other) => other.uuid !== member.uuid && !other.isConnected);
  return down.length > 0 ? 'member-down' : 'ok';
}

function detachBlockMessage(
  why: 'bricks' | 'member-down',
  member: ObservedMember,
  view: readonly ObservedMember[],
  bricksByUuid: Readonly<Record<string, readonly string[]>>,
): string {
  if (why === 'bricks') {
    return `It hosts bricks (${(bricksByUuid[member.uuid] ?? []).join(', ')}); move them away with remove-brick or replace-brick first`;
  }
  const down = view.filter((other) => other.uuid !== member.uuid && !other.isConnected);
  return `Another member is down (${down.map((other) => other.hostname).join(', ')}); a detach now would leave it with a stale view`;
}
