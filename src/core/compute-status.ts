import { stampCondition } from './condition-timing.js';
import type {
  Condition,
  GlusterClusterStatus,
  GlusterNodeSpec,
  NodeState,
  NodeStatus,
  RemovalPolicy,
} from '../api/gluster-cluster.js';
import { compact } from './compact.js';
import type { DesiredNodes } from './desired-nodes.js';
import type { EventsDeliveryReport } from './events/events-delivery.js';
import type { Observation } from './observation.js';
import type { Action, Plan } from './plan-types.js';
import { NEEDS_A_PERSON } from './plan-types.js';

/** A pass that could not finish: the error, as the one catch site classified it. */
export interface PassFailure {
  readonly reason: string;
  readonly message: string;
  /** Retrying cannot help (an invalid Secret, say): the resource is Stalled. */
  readonly isTerminal: boolean;
}

export interface StatusInput {
  readonly specNodes: readonly GlusterNodeSpec[];
  readonly removalPolicy: RemovalPolicy;
  readonly generation: number;
  readonly plan: Plan;
  readonly observation: Observation;
  readonly failure: PassFailure | undefined;
  readonly previous: GlusterClusterStatus | undefined;
  /** For an inventory source: status.inventory and the InventorySynced condition. */
  readonly inventory?: DesiredNodes['inventory'];
  /** With spec.events enabled: status.events and the EventsDelivery condition. */
  readonly events?: EventsDeliveryReport;
  /** RFC 3339; the core has no clock of its own. */
  readonly now: string;
}

type ConditionDraft = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

// States that mean the pool is running with a member it cannot count on.
const UNHEALTHY: ReadonlyMap<NodeState, string> = new Map([
  ['HostKeyMismatch', 'HostKeyMismatch'],
  ['Unreachable', 'NodesUnreachable'],
  ['GlusterdDown', 'GlusterdDown'],
  ['Disconnected', 'PeersDisconnected'],
  ['Rejected', 'PeerRejected'],
]);

/** The status a pass writes: per-node truth, counts for the printer columns, conditions. */
export function computeStatus(input: StatusInput): GlusterClusterStatus {
  const { plan, observation, previous, now } = input;
  const observed = new Map(observation.nodes.map((node) => [node.address, node]));
  const specs = new Map(input.specNodes.map((node) => [node.address, node]));
  const previousNodes = new Map((previous?.nodes ?? []).map((node) => [node.address, node]));
  // Paired by address, never by position: the plan's nodes are the observation's.
  const nodes: NodeStatus[] = plan.nodes.map((assessment) => {
    const spec = specs.get(assessment.address);
    const seen = observed.get(assessment.address);
    const answered = seen?.failure === undefined && seen?.view !== undefined;
    const lastSeen = answered ? now : previousNodes.get(assessment.address)?.lastSeen;
    return compact<NodeStatus>({
      address: assessment.address,
      name: spec?.name,
      zone: spec?.zone,
      uuid: assessment.uuid,
      state: assessment.state,
      stateStr: assessment.stateStr,
      sshReachable:
        seen !== undefined && seen.failure?.kind !== 'ssh' && seen.failure?.kind !== 'not-asked',
      glusterdRunning: seen !== undefined && seen.failure === undefined,
      glusterVersion: seen?.glusterVersion ?? previousNodes.get(assessment.address)?.glusterVersion,
      lastSeen,
      message: assessment.message,
      views: assessment.views,
      // Down reports from events are laid over a status after it is computed: a look at the
      // pool is what confirms or clears them.
      reportedDown: undefined,
    });
  });
  const members = nodes.filter((node) => isMemberState(node.state)).length + plan.unmanaged.length;
  const { inventory } = input;
  // An inventory that never gave a good list leaves no nodes; that is not a Ready empty pool.
  const noNodesYet = inventory !== undefined && input.specNodes.length === 0;
  const drafts: ConditionDraft[] = [
    noNodesYet
      ? {
          type: 'Ready',
          status: 'False',
          reason: inventory.condition.reason,
          message: inventory.condition.message,
        }
      : readyCondition(input),
    reconcilingCondition(input),
    stalledCondition(input),
    degradedCondition(input),
    ...(inventory ? [inventory.condition] : []),
    ...(input.events ? [input.events.condition] : []),
  ];
  return compact<GlusterClusterStatus>({
    observedGeneration: input.generation,
    conditions: drafts.map((draft) =>
      stampCondition(draft, {
        previous: input.previous?.conditions,
        generation: input.generation,
        now: input.now,
      }),
    ),
    commandNode: plan.commandNode,
    opVersion: observation.opVersion ?? previous?.opVersion,
    members,
    connected: nodes.filter((node) => node.state === 'Connected').length,
    nodes,
    unmanagedMembers: plan.unmanaged.map((member) => ({
      hostname: member.hostname,
      uuid: member.uuid,
      connected: member.isConnected,
    })),
    inventory: inventory?.status,
    events: input.events?.status,
  });
}

function isMemberState(state: NodeState): boolean {
  return (
    state === 'Connected' || state === 'Disconnected' || state === 'Probing' || state === 'Rejected'
  );
}

function readyCondition({ plan, removalPolicy, failure }: StatusInput): ConditionDraft {
  const notReady = (reason: string, message: string): ConditionDraft => ({
    type: 'Ready',
    status: 'False',
    reason,
    message,
  });
  if (!plan.commandNode) {
    return notReady('NoReachableNode', 'No node answers over SSH with glusterd running');
  }
  const unhealthy = firstUnhealthy(plan);
  if (unhealthy) return notReady(unhealthy.reason, unhealthy.message);
  const byState = (states: NodeState[]) => plan.nodes.filter((node) => states.includes(node.state));
  const stale = byState(['StaleView']);
  if (stale.length > 0) return notReady('StaleView', summarize(stale));
  const elsewhere = byState(['InOtherPool']);
  if (elsewhere.length > 0) return notReady('NodeInOtherPool', summarize(elsewhere));
  const joining = byState(['Pending', 'Probing']);
  if (joining.length > 0) return notReady('NodesJoining', summarize(joining));
  if (plan.disagreements.length > 0) {
    return notReady(
      'ViewsDisagree',
      `The members' views disagree: ${plan.disagreements.join('; ')}`,
    );
  }
  const unknown = byState(['Unknown']);
  if (unknown.length > 0) return notReady('StateUnknown', summarize(unknown));
  if (removalPolicy === 'Detach' && plan.unmanaged.length > 0) {
    const names = plan.unmanaged.map((member) => member.hostname).join(', ');
    return notReady('UnmanagedMembers', `Members not in spec are still in the pool: ${names}`);
  }
  if (failure) return notReady(failure.reason, failure.message);
  return {
    type: 'Ready',
    status: 'True',
    reason: 'PoolReady',
    message: `All ${plan.nodes.length} nodes are in the pool and every member sees every other connected`,
  };
}

function reconcilingCondition({ plan, failure }: StatusInput): ConditionDraft {
  const base = { type: 'Reconciling' as const };
  if (failure && !failure.isTerminal) {
    return {
      ...base,
      status: 'True',
      reason: failure.reason,
      message: `Retrying: ${failure.message}`,
    };
  }
  const [next] = plan.batch;
  if (next && next.kind !== 'removeFinalizer') {
    const more = plan.changes.length > 1 ? `; ${plan.changes.length} change(s) in all` : '';
    return {
      ...base,
      status: 'True',
      reason: ACTION_REASON[next.kind],
      message: `Next: ${plan.batch.map(describeAction).join('; ')}${more}`,
    };
  }
  const waiting = plan.blocked.find(
    (blocked) => blocked.reason === 'WaitingForProbe' || blocked.reason === 'IncompleteObservation',
  );
  if (waiting) return { ...base, status: 'True', reason: waiting.reason, message: waiting.message };
  const joining = plan.nodes.filter((node) => node.state === 'Probing');
  if (joining.length > 0)
    return { ...base, status: 'True', reason: 'NodesJoining', message: summarize(joining) };
  const paused = plan.blocked.filter((blocked) => blocked.reason === 'Paused');
  if (paused.length > 0) {
    return {
      ...base,
      status: 'False',
      reason: 'Paused',
      message: `Paused with ${paused.length} change(s) not made`,
    };
  }
  return {
    ...base,
    status: 'False',
    reason: 'Reconciled',
    message: 'No change is needed or possible now',
  };
}

function stalledCondition({ plan, failure }: StatusInput): ConditionDraft {
  if (failure?.isTerminal) {
    return { type: 'Stalled', status: 'True', reason: failure.reason, message: failure.message };
  }
  const stuck = waitingForAPerson(plan);
  if (stuck) return { type: 'Stalled', status: 'True', ...stuck };
  return {
    type: 'Stalled',
    status: 'False',
    reason: 'NotStalled',
    message: 'Nothing needs a person',
  };
}

/**
 * Degraded: a member cannot be counted on (down, cut off, rejected), or the pool cannot reach
 * its declared shape until a person acts (the same blockers as Stalled), which is what Argo CD
 * calls a degraded application.
 */
function degradedCondition({ plan }: StatusInput): ConditionDraft {
  const cause = firstUnhealthy(plan) ?? waitingForAPerson(plan);
  if (cause) return { type: 'Degraded', status: 'True', ...cause };
  return {
    type: 'Degraded',
    status: 'False',
    reason: 'Healthy',
    message: 'No member is down or cut off, and nothing waits for a person',
  };
}

interface Cause {
  readonly reason: string;
  readonly message: string;
}

/** The most serious state some member is in that the pool cannot count on, with who. */
function firstUnhealthy(plan: Plan): Cause | undefined {
  for (const [state, reason] of UNHEALTHY) {
    const affected = plan.nodes.filter((node) => node.state === state);
    const unmanaged =
      state === 'Disconnected' ? plan.unmanaged.filter((member) => member.problem) : [];
    if (affected.length > 0 || unmanaged.length > 0) {
      const message = [
        ...(affected.length > 0 ? [summarize(affected)] : []),
        ...unmanaged.map((member) => `${member.hostname} (not in spec): ${member.problem ?? ''}`),
      ].join('; ');
      return { reason, message };
    }
  }
  return undefined;
}

/** The blockers only a person can clear, under the first one's reason. */
function waitingForAPerson(plan: Plan): Cause | undefined {
  const stuck = plan.blocked.filter((blocked) => NEEDS_A_PERSON.has(blocked.reason));
  const [first] = stuck;
  if (!first) return undefined;
  return {
    reason: first.reason,
    message: stuck.map((blocked) => `${blocked.target}: ${blocked.message}`).join('; '),
  };
}

const ACTION_REASON: Readonly<Record<Exclude<Action['kind'], 'removeFinalizer'>, string>> = {
  probe: 'ProbingNode',
  detach: 'DetachingNode',
  release: 'ReleasingNode',
};

export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'probe':
      return `Probing ${action.target} from ${action.node}`;
    case 'detach':
      return `Detaching ${action.target} on ${action.node} (${action.why === 'Dissolving' ? 'dissolving the pool' : 'not in spec'})`;
    case 'release':
      return `Releasing ${action.target} from the other pool it is in`;
    case 'removeFinalizer':
      return 'Letting the resource go';
  }
}

function summarize(
  nodes: readonly { address: string; state: NodeState; message: string }[],
): string {
  return nodes.map((node) => `${node.address} is ${node.state}: ${node.message}`).join('; ');
}
