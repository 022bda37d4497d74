import type { GlusterVolume, VolumeCondition } from '../api/gluster-volume.js';
import { volumeNameOf } from '../controller/reconcile-gluster-volume.js';
import type { ExitCode } from './exit-codes.js';
import { EXIT } from './exit-codes.js';
import { formatTable } from './table.js';

/** One GlusterVolume as the operator last wrote its status. */
export interface VolumeStatusRow {
  readonly namespace: string;
  readonly name: string;
  readonly volumeName: string;
  readonly cluster: string;
  /** gluster's typeStr, null before the operator read the volume. */
  readonly type: string | null;
  readonly state: string | null;
  /** "online/total". */
  readonly bricksOnline: string | null;
  readonly healPending: number | null;
  /** The Ready condition's status, null when there is none. */
  readonly ready: VolumeCondition['status'] | null;
  /** The status is of an older generation than the spec. */
  readonly isStale: boolean;
  readonly conditions: readonly VolumeCondition[];
}

/** `status --volumes --output json`. */
export interface VolumeStatusReport {
  readonly volumes: readonly VolumeStatusRow[];
}

export function buildVolumeStatusReport(volumes: readonly GlusterVolume[]): VolumeStatusReport {
  return {
    volumes: volumes.map((volume): VolumeStatusRow => {
      const status = volume.status;
      const conditions = status?.conditions ?? [];
      const generation = volume.metadata.generation;
      return {
        namespace: volume.metadata.namespace,
        name: volume.metadata.name,
        volumeName: volumeNameOf(volume),
        cluster: volume.spec.clusterRef.name,
        type: status?.type ?? null,
        state: status?.state ?? null,
        bricksOnline: status?.bricksOnline ?? null,
        healPending: status?.healPending ?? null,
        ready: conditions.find((condition) => condition.type === 'Ready')?.status ?? null,
        isStale:
          generation !== undefined &&
          (status?.observedGeneration === undefined || status.observedGeneration < generation),
        conditions,
      };
    }),
  };
}

/** 0: every volume Ready and its status current; 3 otherwise (none at all is 0). */
export function volumeStatusExitCode(report: VolumeStatusReport): ExitCode {
  return report.volumes.every((row) => row.ready === 'True' && !row.isStale)
    ? EXIT.ok
    : EXIT.attention;
}

export function formatVolumeStatusText(report: VolumeStatusReport, namespace: string): string {
  if (report.volumes.length === 0) return `No GlusterVolumes in namespace ${namespace}.\n`;
  const out: string[] = [
    formatTable(
      ['NAME', 'VOLUME', 'CLUSTER', 'TYPE', 'STATE', 'BRICKS-ONLINE', 'HEAL-PENDING', 'READY'],
      report.volumes.map((row) => [
        row.name,
        row.volumeName,
        row.cluster,
        row.type ?? '-',
        row.state ?? '-',
        row.bricksOnline ?? '-',
        row.healPending === null ? '-' : String(row.healPending),
        row.ready ?? '-',
      ]),
    ),
  ];
  for (const row of report.volumes) {
    out.push(`\n${row.namespace}/${row.name}:\n`);
    if (row.isStale) {
      out.push('  (the operator has not yet written a status for the current spec)\n');
    }
    if (row.conditions.length === 0) out.push('  No conditions yet.\n');
    for (const condition of row.conditions) {
      out.push(
        `  ${condition.type}=${condition.status} (${condition.reason}): ${condition.message}\n`,
      );
    }
  }
  return out.join('');
}
