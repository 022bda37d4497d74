import type { GlusterCluster } from '../api/gluster-cluster.js';
import { describeAction } from '../core/compute-status.js';
import type {
  Action,
  Blocked,
  NodeAssessment,
  Plan,
  UnmanagedMemberAssessment,
} from '../core/plan-types.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { formatTable } from './table.js';

/** A change the operator will make on its own, in some later pass if not this one. */
export interface NeededChange {
  readonly change: 'probe' | 'detach' | 'release';
  readonly target: string;
}

/**
 * `plan --output json`: the planner's Plan with its own field names (commandNode, nodes,
 * unmanaged, action, remainingChanges, blocked), plus which cluster, and the changes still
 * needed after this pass's one.
 */
export interface PlanReport {
  readonly cluster: { readonly namespace: string; readonly name: string };
  readonly commandNode: string | null;
  readonly nodes: readonly NodeAssessment[];
  readonly unmanaged: readonly UnmanagedMemberAssessment[];
  /** The one change the operator makes in its next pass, or null. */
  readonly action: Action | null;
  readonly actionDescription: string | null;
  /** How many more changes the planner knows are needed after `action`. */
  readonly remainingChanges: number;
  /** Every change the operator will make without a person, the next one first. */
  readonly neededChanges: readonly NeededChange[];
  readonly blocked: readonly Blocked[];
}

/** Blocked only until an earlier probe has spread: the operator gets there by itself. */
const TRANSIENT = 'WaitingForProbe';

export function buildPlanReport(cluster: GlusterCluster, plan: Plan): PlanReport {
  // What the planner can do now, in order, then what it will do once an earlier probe spread.
  const neededChanges: NeededChange[] = [
    ...plan.changes.flatMap((change) =>
      change.kind === 'removeFinalizer' ? [] : [{ change: change.kind, target: change.target }],
    ),
    ...plan.blocked
      .filter((entry) => entry.reason === TRANSIENT)
      .map((entry) => ({ change: entry.change, target: entry.target })),
  ];
  const action = plan.action;
  return {
    cluster: { namespace: cluster.metadata.namespace, name: cluster.metadata.name },
    commandNode: plan.commandNode ?? null,
    nodes: plan.nodes,
    unmanaged: plan.unmanaged,
    action: action ?? null,
    actionDescription: action ? describeAction(action) : null,
    remainingChanges: plan.remainingChanges,
    neededChanges,
    blocked: plan.blocked,
  };
}

/**
 * 0: nothing to do; 2: the operator will make changes by itself; 3: a needed change is blocked
 * (paused, a node unreachable, or something only a person can clear).
 */
export function planExitCode(report: PlanReport): ExitCode {
  if (report.blocked.some((entry) => entry.reason !== TRANSIENT)) return EXIT.attention;
  if (report.action !== null || report.neededChanges.length > 0 || report.blocked.length > 0) {
    return EXIT.changesPending;
  }
  return EXIT.ok;
}

export function formatPlanText(report: PlanReport, names: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  out.push(
    `GlusterCluster ${report.cluster.namespace}/${report.cluster.name}: ${report.nodes.length} node(s); commands run from ${report.commandNode ?? '(no reachable node)'}\n\n`,
  );
  out.push(
    formatTable(
      ['NODE', 'NAME', 'STATE', 'MESSAGE'],
      report.nodes.map((node) => [
        node.address,
        names.get(node.address) ?? '',
        node.state,
        node.message,
      ]),
    ),
  );
  if (report.unmanaged.length > 0) {
    out.push('\nIn the pool but not in spec:\n');
    for (const member of report.unmanaged) {
      out.push(
        `  ${member.hostname} (${member.uuid}) ${member.isConnected ? 'connected' : 'disconnected'}\n`,
      );
    }
  }
  out.push('\n');
  if (report.actionDescription === null) {
    out.push(
      report.blocked.length === 0
        ? 'Nothing to do: the pool is as the spec says.\n'
        : 'No change can be made now.\n',
    );
  } else {
    out.push(`Next change: ${report.actionDescription}\n`);
  }
  const later = report.neededChanges.slice(report.action ? 1 : 0);
  if (later.length > 0) {
    out.push(`Then: ${later.map((entry) => `${entry.change} ${entry.target}`).join(', ')}\n`);
  }
  if (report.neededChanges.length > 0 || report.action !== null) {
    out.push(
      'The operator makes every probe in one pass, and a detach or release alone in a pass of its own after reading every node again, so the order after the first may change.\n',
    );
  }
  if (report.blocked.length > 0) {
    out.push('\nBlocked:\n');
    for (const entry of report.blocked) {
      out.push(`  ${entry.change} ${entry.target} (${entry.reason}): ${entry.message}\n`);
    }
  }
  return out.join('');
}
