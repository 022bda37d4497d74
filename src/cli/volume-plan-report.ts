import type { GlusterVolume } from '../api/gluster-volume.js';
import { describeVolumeAction } from '../core/volume/describe-volume-action.js';
import type { VolumeObservation } from '../core/volume/volume-observation.js';
import type {
  VolumeAction,
  VolumeBlocked,
  VolumeOwnership,
  VolumePlan,
} from '../core/volume/volume-plan-types.js';
import { VOLUME_NEEDS_A_PERSON } from '../core/volume/volume-plan-types.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';

/**
 * `plan --volume <name> --output json`: the volume planner's plan with its own field names
 * (volumeName, commandNode, ownership, volumeId, batch, changes, blocked, inFlight), plus which
 * resource and what the look saw.
 */
export interface VolumePlanReport {
  readonly volume: { readonly namespace: string; readonly name: string };
  readonly cluster: string;
  readonly volumeName: string;
  readonly commandNode: string | null;
  /** gluster's state of the volume, "Absent" when none of that name, null when not read. */
  readonly observedState: string | null;
  readonly ownership: VolumeOwnership;
  readonly volumeId: string | null;
  /** The changes the operator's next pass makes, in order. */
  readonly batch: readonly VolumeAction[];
  readonly batchDescriptions: readonly string[];
  /** Every change that can be made now, the batch first. */
  readonly changes: readonly VolumeAction[];
  readonly remainingChanges: number;
  readonly blocked: readonly VolumeBlocked[];
  readonly inFlight: VolumePlan['inFlight'] | null;
  readonly rebalanceOwed: boolean;
}

export function buildVolumePlanReport(
  volume: GlusterVolume,
  observation: VolumeObservation,
  plan: VolumePlan,
): VolumePlanReport {
  const seen = observation.volume;
  return {
    volume: { namespace: volume.metadata.namespace, name: volume.metadata.name },
    cluster: volume.spec.clusterRef.name,
    volumeName: plan.volumeName,
    commandNode: plan.commandNode ?? null,
    observedState: seen === undefined ? null : seen === null ? 'Absent' : seen.state,
    ownership: plan.ownership,
    volumeId: plan.volumeId ?? null,
    batch: plan.batch,
    batchDescriptions: plan.batch.map((action) => describeVolumeAction(action, plan.volumeName)),
    changes: plan.changes,
    remainingChanges: plan.remainingChanges,
    blocked: plan.blocked,
    inFlight: plan.inFlight ?? null,
    rebalanceOwed: plan.rebalanceOwed,
  };
}

/**
 * As for a GlusterCluster: 0 nothing to do; 2 the operator will make changes by itself (or waits
 * for something that clears by itself); 3 a blocked change only a person can clear.
 */
export function volumePlanExitCode(report: VolumePlanReport): ExitCode {
  if (report.blocked.some((entry) => VOLUME_NEEDS_A_PERSON.has(entry.reason))) {
    return EXIT.attention;
  }
  if (report.changes.length > 0 || report.blocked.length > 0 || report.inFlight !== null) {
    return EXIT.changesPending;
  }
  return EXIT.ok;
}

export function formatVolumePlanText(report: VolumePlanReport): string {
  const out: string[] = [
    `GlusterVolume ${report.volume.namespace}/${report.volume.name}: gluster volume ${report.volumeName} of GlusterCluster ${report.cluster}; commands run from ${report.commandNode ?? '(no connected node)'}\n`,
    `Observed: ${report.observedState ?? 'not read'}; ownership ${report.ownership}${report.volumeId === null ? '' : `; ID ${report.volumeId}`}${report.inFlight === null ? '' : `; ${report.inFlight}`}\n\n`,
  ];
  if (report.batch.length === 0) {
    out.push(
      report.blocked.length === 0 && report.inFlight === null
        ? 'Nothing to do: the volume is as the spec says.\n'
        : 'No change can be made now.\n',
    );
  } else {
    out.push('Next pass:\n');
    for (const line of report.batchDescriptions) out.push(`  ${line}\n`);
  }
  const later = report.changes.slice(report.batch.length);
  if (later.length > 0) {
    out.push(
      `Then: ${later.map((action) => describeVolumeAction(action, report.volumeName)).join('; ')}\n`,
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
