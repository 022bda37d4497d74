import type {
  DeletionPolicy,
  GlusterNodeSpec,
  NodeView,
  RemovalPolicy,
} from '../api/gluster-cluster.js';
import type { NodeObservation, ObservedMember, Observation } from './observation.js';
import { identityOf, memberNames } from './observation.js';
import type {
  Action,
  BlockReason,
  Blocked,
  DestructiveAction,
  NodeAssessment,
  Plan,
  UnmanagedMemberAssessment,
} from './plan-types.js';

// glusterd's friend states (glusterd-sm.h) that matter here.
const PEER_IN_CLUSTER = 3;
const PEER_REJECTED = 6;
/** States of a probe handshake under way: a row in one of them is not yet a claim of membership. */
const HANDSHAKE_STATES: ReadonlySet<number> = new Set([0, 1, 2, 4, 5, 8, 9, 10]);

export interface PlanInput {
  readonly nodes: readonly GlusterNodeSpec[];
  readonly removalPolicy: RemovalPolicy;
  readonly deletionPolicy: DeletionPolicy;
  readonly paused: boolean;
  readonly isDeleting: boolean;
  readonly observation: Observation;
  /** Spec nodes whose probe handshake has not finished for minutes, pass after pass. */
  readonly stuckProbing?: ReadonlySet<string>;
}

interface Reachable extends NodeObservation {
  readonly uuid: string;
  readonly view: readonly ObservedMember[];
}

/** Who is blamed for the broken links of the main pool, by UUID. */
interface Blame {
  /** Members that others see disconnected, and who sees it so. */
  readonly seenDownBy: ReadonlyMap<string, readonly string[]>;
  /** Observers that alone see others disconnected, and whom. */
  readonly seesDown: ReadonlyMap<string, readonly string[]>;
}

/** What every assessment and check of one pass shares. */
interface Picture {
  readonly input: PlanInput;
  readonly commandNode: Reachable | undefined;
  readonly mainView: readonly ObservedMember[];
  readonly mainUuids: ReadonlySet<string>;
  /** Answering spec nodes of the main pool whose views count (not stale, not clones). */
  readonly observers: readonly Reachable[];
  /** Spec nodes whose view is stale: address → the members that do not list them. */
  readonly stale: ReadonlyMap<string, readonly string[]>;
  readonly blame: Blame;
  /** How a UUID is called in messages: its spec address, else gluster's host name. */
  readonly nameOf: (uuid: string) => string;
}

/**
 * Desired (spec) against observed (every node's own view) → the state of each node, the changes
 * to make in this pass, and every change that is needed but blocked, with the reason. Pure: it
 * never throws and never does I/O; the same input always gives the same plan.
 *
 * Probes are additive and batched: every Pending node is probed in one pass. Detach and release
 * remove a member from a pool: one per pass, never with probes, and only on a complete, agreeing
 * picture (every spec node answered or is known by UUID not to be the target, every view lists
 * the same members and sees every other connected).
 */
export function planReconcile(input: PlanInput): Plan {
  const { observation } = input;
  const clones = findClones(observation.nodes);
  // A clone cannot be told apart from its original: leave it out of every decision.
  const answered = observation.nodes
    .filter(isReachable)
    .filter((node) => !clones.has(node.address));
  const stale = findStaleViews(answered);
  const commandNode = chooseCommandNode(answered.filter((node) => !stale.has(node.address)));
  const mainView = commandNode?.view ?? [];
  const mainUuids = new Set(mainView.map((member) => member.uuid));
  const observers = answered.filter((node) => mainUuids.has(node.uuid) && !stale.has(node.address));
  const nameOf = namer(input, observers);
  const picture: Picture = {
    input,
    commandNode,
    mainView,
    mainUuids,
    observers,
    stale,
    blame: findBlame(observers, mainUuids, nameOf),
    nameOf,
  };

  const nodes = observation.nodes.map((node) => {
    const original = clones.get(node.address);
    return original === undefined ? assessNode(node, picture) : cloneAssessment(node, original);
  });
  const unmanaged: UnmanagedMemberAssessment[] = mainView
    .filter((member) => !member.isLocal && member.specAddress === undefined)
    .map((member) => ({
      hostname: member.hostname,
      uuid: member.uuid,
      isConnected: member.isConnected,
      problem: describeBlame(member.uuid, picture.blame),
    }));

  const planned = input.isDeleting ? planDeletion(picture) : planChanges(picture, nodes);
  const blocked: Blocked[] = [
    ...[...clones].map(([address, original]) => ({
      target: address,
      change: 'probe' as const,
      reason: 'DuplicateUuid' as const,
      message: `It has the same glusterd UUID as ${original}, as a cloned machine does. Stop glusterd there, remove /var/lib/glusterd/glusterd.info, start glusterd again`,
    })),
    ...planned.blocked,
  ];
  const common = {
    commandNode: commandNode?.address,
    nodes,
    unmanaged,
    disagreements: findDisagreements(picture),
    needs: planned.needs,
  };
  if (input.paused) {
    const finalizer = planned.changes.filter((change) => change.kind === 'removeFinalizer');
    const paused = planned.changes.flatMap((change) =>
      blockedChange(change, 'Paused', 'spec.paused is true: the change is reported, not made'),
    );
    return {
      ...common,
      batch: finalizer,
      action: finalizer[0],
      changes: finalizer,
      remainingChanges: 0,
      blocked: [...paused, ...blocked],
    };
  }
  const batch = batchOf(planned.changes);
  return {
    ...common,
    batch,
    action: batch[0],
    changes: planned.changes,
    remainingChanges: planned.changes.length - batch.length,
    blocked,
  };
}

/** Every probe at once; otherwise the first change alone. */
function batchOf(changes: readonly Action[]): Action[] {
  const probes = changes.filter((change) => change.kind === 'probe');
  if (probes.length > 0) return probes;
  return changes.slice(0, 1);
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

/** A row that claims membership: in the pool (or rejected), not a handshake under way. */
function isClaim(member: ObservedMember): boolean {
  return member.state === undefined || !HANDSHAKE_STATES.has(member.state);
}

/**
 * Nodes whose view the others do not confirm: a node that lists (as in the pool) an answering
 * spec node which does not list it at all. That is what a node detached while its glusterd was
 * down sees when it comes back. Address → the names of those that do not list it.
 */
function findStaleViews(answered: readonly Reachable[]): Map<string, string[]> {
  const byUuid = new Map(answered.map((node) => [node.uuid, node]));
  const stale = new Map<string, string[]>();
  for (const node of answered) {
    const deniedBy = node.view
      .filter((member) => !member.isLocal && isClaim(member))
      .flatMap((member) => {
        const other = byUuid.get(member.uuid);
        if (!other || other.view.some((row) => row.uuid === node.uuid)) return [];
        return [other.address];
      });
    if (deniedBy.length > 0) stale.set(node.address, deniedBy);
  }
  return stale;
}

/**
 * The first answering spec node, in spec order, of the pool that holds the most spec nodes: the
 * preferred (first) node while it answers, another member of the same pool when it does not.
 */
function chooseCommandNode(candidates: readonly Reachable[]): Reachable | undefined {
  let best: Reachable | undefined;
  let bestCount = -1;
  for (const node of candidates) {
    const count = node.view.filter((member) => member.specAddress !== undefined).length;
    if (count > bestCount) {
      best = node;
      bestCount = count;
    }
  }
  return best;
}

function namer(input: PlanInput, observers: readonly Reachable[]): (uuid: string) => string {
  const names = memberNames(input.observation.nodes, observers);
  return (uuid) => names.get(uuid) ?? uuid;
}

/**
 * Who a broken link is blamed on. A link is one observer seeing one member disconnected. Each
 * link goes to the end that has broken links with more distinct partners (both on a tie): when
 * one node sees everyone disconnected while everyone sees it connected, that node is the
 * suspect, not the healthy ones it names.
 */
function findBlame(
  observers: readonly Reachable[],
  mainUuids: ReadonlySet<string>,
  nameOf: (uuid: string) => string,
): Blame {
  const links: [string, string][] = [];
  for (const observer of observers) {
    for (const member of observer.view) {
      if (member.isLocal || member.isConnected || !mainUuids.has(member.uuid)) continue;
      links.push([observer.uuid, member.uuid]);
    }
  }
  const partners = new Map<string, Set<string>>();
  const partnersOf = (uuid: string): Set<string> => {
    let set = partners.get(uuid);
    if (!set) {
      set = new Set();
      partners.set(uuid, set);
    }
    return set;
  };
  for (const [observer, member] of links) {
    partnersOf(observer).add(member);
    partnersOf(member).add(observer);
  }
  const seenDownBy = new Map<string, string[]>();
  const seesDown = new Map<string, string[]>();
  for (const [observer, member] of links) {
    const observerCount = partnersOf(observer).size;
    const memberCount = partnersOf(member).size;
    if (memberCount >= observerCount) {
      const list = seenDownBy.get(member) ?? [];
      list.push(nameOf(observer));
      seenDownBy.set(member, list);
    }
    if (observerCount >= memberCount) {
      const list = seesDown.get(observer) ?? [];
      list.push(nameOf(member));
      seesDown.set(observer, list);
    }
  }
  return { seenDownBy, seesDown };
}

function describeBlame(uuid: string, blame: Blame): string | undefined {
  const parts: string[] = [];
  const seenDownBy = blame.seenDownBy.get(uuid);
  if (seenDownBy) parts.push(`${seenDownBy.join(', ')} see it disconnected`);
  const seesDown = blame.seesDown.get(uuid);
  if (seesDown) {
    parts.push(
      `it sees ${seesDown.join(', ')} disconnected while the others see them connected: its own connections to the pool fail`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** One sentence per member some observers list and others do not. */
function findDisagreements(picture: Picture): string[] {
  const { observers, nameOf } = picture;
  if (observers.length < 2) return [];
  const listers = new Map<string, string[]>();
  for (const observer of observers) {
    for (const member of observer.view) {
      const list = listers.get(member.uuid) ?? [];
      list.push(observer.address);
      listers.set(member.uuid, list);
    }
  }
  const sentences: string[] = [];
  for (const [uuid, who] of listers) {
    if (who.length === observers.length) continue;
    const missing = observers
      .map((observer) => observer.address)
      .filter((address) => !who.includes(address));
    sentences.push(
      `${nameOf(uuid)} is listed by ${who.join(', ')} but not by ${missing.join(', ')}`,
    );
  }
  return sentences;
}

function assessNode(node: NodeObservation, picture: Picture): NodeAssessment {
  const { commandNode, mainView, mainUuids, observers } = picture;
  const identity = identityOf(node);
  const asMember = mainView.find(
    (member) => member.specAddress === node.address || member.uuid === identity,
  );
  const base = {
    address: node.address,
    uuid: identity ?? asMember?.uuid,
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
  if (node.failure?.kind === 'host-key') {
    return {
      ...base,
      state: 'HostKeyMismatch',
      views: undefined,
      message: `${node.failure.message}; nothing is run on it until known_hosts in the SSH Secret vouches for its key; ${seenAs}`,
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
  if (!isReachable(node)) {
    return { ...base, state: 'Unknown', views: undefined, message: 'Nothing is known yet' };
  }
  const deniedBy = picture.stale.get(node.address);
  if (deniedBy) {
    const listed = node.view
      .filter((member) => !member.isLocal)
      .map((member) => member.hostname)
      .join(', ');
    return {
      ...base,
      state: 'StaleView',
      views: undefined,
      message: `It lists ${listed} as its pool, but ${deniedBy.join(', ')} do not list it: it was probably detached while its glusterd was down. On it, run gluster peer detach <member> force for each member it lists (or stop glusterd, empty /var/lib/glusterd/peers, start glusterd); the operator then probes it again`,
    };
  }
  if (!commandNode) {
    return { ...base, state: 'Unknown', views: undefined, message: 'No pool view can be trusted' };
  }

  if (mainUuids.has(node.uuid)) return assessMember(node, base, picture, observers);

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
  return {
    ...base,
    state: 'InOtherPool',
    views: undefined,
    message: `It belongs to another trusted pool (with ${names})`,
  };
}

function assessMember(
  node: Reachable,
  base: Pick<NodeAssessment, 'address' | 'uuid' | 'stateStr'>,
  picture: Picture,
  observers: readonly Reachable[],
): NodeAssessment {
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
      message: whoSees('rejects it', views, 'Rejected'),
    };
  }
  const blamed = describeBlame(node.uuid, picture.blame);
  if (blamed) {
    return {
      ...base,
      state: 'Disconnected',
      views: disagree ?? (statuses.has('Disconnected') ? views : undefined),
      message: capitalize(blamed),
    };
  }
  if (statuses.has('Joining') || statuses.has('NotInPool')) {
    const stuck = picture.input.stuckProbing?.has(node.address) ?? false;
    return {
      ...base,
      state: 'Probing',
      views: disagree,
      message: `${stuck ? 'The probe handshake has not finished for minutes: check that every member reaches it on port 24007 and that it is not rejected' : 'The probe handshake has not reached every member yet'} (${views
        .filter((view) => view.status !== 'Connected')
        .map((view) => `${view.observer}: ${view.status}`)
        .join(', ')})`,
    };
  }
  if (statuses.has('Disconnected')) {
    const suspects = views
      .filter((view) => view.status === 'Disconnected')
      .map((view) => view.observer);
    return {
      ...base,
      state: 'Connected',
      views,
      message: `Connected; only ${suspects.join(', ')} see it disconnected, and the fault is theirs`,
    };
  }
  return {
    ...base,
    state: 'Connected',
    views: undefined,
    message: 'Every member sees it connected',
  };
}

function viewStatus(view: readonly ObservedMember[], uuid: string): string {
  const member = view.find((candidate) => candidate.uuid === uuid);
  if (!member) return 'NotInPool';
  if (member.state === PEER_REJECTED) return 'Rejected';
  if (!member.isConnected) return 'Disconnected';
  return member.state === PEER_IN_CLUSTER || member.state === undefined ? 'Connected' : 'Joining';
}

function whoSees(verb: string, views: readonly NodeView[], status: string): string {
  const who = views.filter((view) => view.status === status).map((view) => view.observer);
  return `${who.join(', ')} ${verb}`;
}

interface Planned {
  readonly changes: Action[];
  readonly blocked: Blocked[];
  readonly needs: Plan['needs'];
}

function planChanges(picture: Picture, nodes: readonly NodeAssessment[]): Planned {
  const { input, commandNode } = picture;
  const probes: Action[] = [];
  /** Releases; detaches are added below. */
  const destructive: DestructiveAction[] = [];
  const blocked: Blocked[] = [];
  const volumesOf: string[] = [];
  const specByAddress = new Map(input.nodes.map((node) => [node.address, node]));
  const observed = new Map(input.observation.nodes.map((node) => [node.address, node]));
  if (!commandNode) {
    if (input.nodes.length > 0) {
      blocked.push({
        target: input.nodes[0]?.address ?? '',
        change: 'probe',
        reason: 'NoReachableNode',
        message:
          picture.stale.size > 0
            ? 'Every spec node that answers has a stale view of the pool: nothing can be changed safely'
            : 'No spec node answers over SSH with glusterd running: nothing can be checked or changed',
      });
    }
    return { changes: [], blocked, needs: { bricks: false, volumesOf } };
  }

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
        probes.push({ kind: 'probe', node: commandNode.address, target: node.address });
      }
    } else if (node.state === 'InOtherPool') {
      if (!spec?.reclaimFromOtherPool) {
        blocked.push({
          target: node.address,
          change: 'release',
          reason: 'NodeInOtherPool',
          message: `${node.message}. Set reclaimFromOtherPool on this node to take it over, or detach it from that pool by hand`,
        });
      } else if (seen?.bricksInOwnPool === undefined) {
        volumesOf.push(node.address);
      } else if (seen.bricksInOwnPool.length > 0) {
        blocked.push({
          target: node.address,
          change: 'release',
          reason: 'ReclaimBlockedBricks',
          message: `It hosts bricks in its current pool (${seen.bricksInOwnPool.join(', ')}); move them away first`,
        });
      } else {
        destructive.push({ kind: 'release', target: node.address });
      }
    } else if (node.state === 'Probing' && input.stuckProbing?.has(node.address)) {
      blocked.push({
        target: node.address,
        change: 'probe',
        reason: 'ProbeStuck',
        message: node.message,
      });
    } else if (node.state === 'HostKeyMismatch') {
      blocked.push({
        target: node.address,
        change: 'probe',
        reason: 'HostKeyMismatch',
        message: `${node.message}. Check the node; if its key changed legitimately, put the new key in known_hosts`,
      });
    } else if (node.state === 'StaleView') {
      blocked.push({
        target: node.address,
        change: 'probe',
        reason: 'StaleView',
        message: node.message,
      });
    } else if (
      node.state === 'Unreachable' &&
      !picture.mainView.some((member) => member.specAddress === node.address)
    ) {
      blocked.push({
        target: node.address,
        change: 'probe',
        reason: 'NodeUnreachable',
        message: `It cannot be checked over SSH, so it is not probed: ${node.message}`,
      });
    }
  }

  const candidates: DestructiveAction[] = [...destructive];
  let bricks = false;
  const probing = nodes.filter((node) => node.state === 'Probing');
  const waitFor = [
    ...probes.flatMap((probe) => (probe.kind === 'probe' ? [probe.target] : [])),
    ...probing.map((node) => node.address),
  ];
  const removed = picture.mainView.filter(
    (member) => !member.isLocal && member.specAddress === undefined,
  );
  if (input.removalPolicy === 'Detach') {
    for (const member of removed) {
      if (waitFor.length > 0) {
        // Removing a member while another joins would act on a picture about to change.
        blocked.push({
          target: member.hostname,
          change: 'detach',
          reason: 'WaitingForProbe',
          message: `Waiting for ${waitFor.join(', ')} to join every member's view first`,
        });
        continue;
      }
      const outcome = checkDetach(member, 'RemovedFromSpec', picture);
      if (outcome === 'needs-bricks') bricks = true;
      else if ('reason' in outcome) blocked.push(outcome);
      else candidates.push(outcome);
    }
  }
  if (candidates.length > 0 && waitFor.length > 0) {
    blocked.push(
      ...candidates.flatMap((change) =>
        blockedChange(
          change,
          'WaitingForProbe',
          `Waiting for ${waitFor.join(', ')} to join every member's view first`,
        ),
      ),
    );
    return { changes: probes, blocked, needs: { bricks: false, volumesOf } };
  }
  return { changes: [...probes, ...candidates], blocked, needs: { bricks, volumesOf } };
}

function planDeletion(picture: Picture): Planned {
  const { input, commandNode, mainView } = picture;
  const none = { bricks: false, volumesOf: [] };
  if (input.deletionPolicy === 'Retain') {
    return { changes: [{ kind: 'removeFinalizer' }], blocked: [], needs: none };
  }
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
      needs: none,
    };
  }
  const order = new Map(input.nodes.map((node, index) => [node.address, index]));
  const others = mainView
    .filter((member) => !member.isLocal)
    .sort(
      (a, b) =>
        (order.get(a.specAddress ?? '') ?? Infinity) - (order.get(b.specAddress ?? '') ?? Infinity),
    );
  if (others.length === 0) {
    return { changes: [{ kind: 'removeFinalizer' }], blocked: [], needs: none };
  }
  const changes: Action[] = [];
  const blocked: Blocked[] = [];
  let bricks = false;
  for (const member of others) {
    const outcome = checkDetach(member, 'Dissolving', picture);
    if (outcome === 'needs-bricks') bricks = true;
    else if ('reason' in outcome) blocked.push(outcome);
    else changes.push(outcome);
  }
  return { changes, blocked, needs: { bricks, volumesOf: [] } };
}

/** A change that is needed but held back; removing the finalizer is never held back. */
function blockedChange(change: Action, reason: BlockReason, message: string): Blocked[] {
  if (change.kind === 'removeFinalizer') return [];
  return [{ target: change.target, change: change.kind, reason, message }];
}

/**
 * The detach of `member` when it is safe; else why not; 'needs-bricks' when the bricks have not
 * been read yet (the pass reads them and plans again). Safe means: it hosts no brick, every spec
 * node answered or is known by UUID to be someone else, every answering member lists the same
 * members, and every other member is connected and in the pool in every view.
 */
function checkDetach(
  member: ObservedMember,
  why: 'RemovedFromSpec' | 'Dissolving',
  picture: Picture,
): DestructiveAction | Blocked | 'needs-bricks' {
  const { input, commandNode, observers } = picture;
  const blocked = (reason: BlockReason, message: string): Blocked => ({
    target: member.hostname,
    change: 'detach',
    reason,
    message,
  });
  // Who it might be: a spec node that did not answer and whose UUID is not known (or is its).
  const unknown = input.observation.nodes.filter((node) => {
    if (node.uuid !== undefined && node.view !== undefined && node.failure === undefined) {
      return false;
    }
    const identity = identityOf(node);
    return identity === undefined || identity === member.uuid;
  });
  if (unknown.length > 0) {
    return blocked(
      'IncompleteObservation',
      `Not detached: ${unknown.map((node) => node.address).join(', ')} did not answer and ${unknown.length === 1 ? 'its' : 'their'} glusterd UUID is not known, so ${member.hostname} may be ${unknown.length === 1 ? 'it' : 'one of them'}`,
    );
  }
  const disagreements = findDisagreements(picture);
  if (disagreements.length > 0) {
    return blocked(
      'IncompleteObservation',
      `Not detached while the members' views disagree: ${disagreements.join('; ')}`,
    );
  }
  const down = observers.flatMap((observer) =>
    observer.view
      .filter(
        (other) =>
          !other.isLocal &&
          other.uuid !== member.uuid &&
          (!other.isConnected || (other.state !== undefined && other.state !== PEER_IN_CLUSTER)),
      )
      .map(
        (other) =>
          `${observer.address} sees ${picture.nameOf(other.uuid)} ${other.isConnected ? (other.stateStr ?? 'joining') : 'disconnected'}`,
      ),
  );
  if (down.length > 0) {
    return blocked(
      'DetachBlockedMemberDown',
      `Another member is not connected (${down.join('; ')}); a detach now would leave it with a stale view`,
    );
  }
  const bricksByUuid = input.observation.bricksByUuid;
  if (bricksByUuid === undefined) return 'needs-bricks';
  const bricks = bricksByUuid[member.uuid] ?? [];
  if (bricks.length > 0) {
    return blocked(
      'DetachBlockedBricks',
      `It hosts bricks (${bricks.join(', ')}); move them away with remove-brick or replace-brick first`,
    );
  }
  return {
    kind: 'detach',
    node: commandNode?.address ?? '',
    target: member.hostname,
    uuid: member.uuid,
    why,
  };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
