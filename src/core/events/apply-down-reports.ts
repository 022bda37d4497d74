import type { GlusterClusterStatus, NodeState, NodeStatus } from '../../api/gluster-cluster.js';
import type { BrickStatus, GlusterVolumeStatus } from '../../api/gluster-volume.js';
import type { StampedCondition } from '../condition-timing.js';
import { stampCondition } from '../condition-timing.js';
import type { DownReport } from './event-ledger.js';

/** States a peer report may replace: a look that saw the node worse says more than an event. */
const REPORTABLE: ReadonlySet<NodeState> = new Set(['Connected', 'Probing']);

/**
 * The GlusterCluster status with each member a PEER_DISCONNECT report names shown Disconnected
 * (who reported it, when), the counts and Ready/Degraded made to agree. Used for the status
 * written the moment a report comes, and laid over the status of a pass whose look started
 * before the report (that look cannot clear what it may not have seen). Never marks anything
 * healthy: a node is only ever made Disconnected, a condition only ever made unhealthy.
 */
export function applyPeerDownReports(
  status: GlusterClusterStatus,
  reports: readonly DownReport[],
  now: string,
): GlusterClusterStatus {
  const byUuid = new Map(
    reports
      .filter((report) => report.event === 'PEER_DISCONNECT')
      .map((report) => [report.subject, report]),
  );
  if (byUuid.size === 0 || status.nodes === undefined) return status;
  const changed: NodeStatus[] = [];
  const nodes = status.nodes.map((node) => {
    const report = node.uuid === undefined ? undefined : byUuid.get(node.uuid);
    if (report === undefined || !REPORTABLE.has(node.state)) return node;
    const reported: NodeStatus = {
      ...node,
      state: 'Disconnected',
      message: `${describeReporters(report)} reported it disconnected at ${timeOf(report)} (PEER_DISCONNECT); a look at the pool follows`,
      reportedDown: {
        event: report.event,
        reporters: report.reporters,
        time: timeOf(report),
      },
    };
    changed.push(reported);
    return reported;
  });
  if (changed.length === 0) return status;
  const summary = changed.map((node) => `${node.address} is Disconnected: ${node.message ?? ''}`);
  const conditions = worsen(status.conditions, status.observedGeneration ?? 0, now, [
    { type: 'Ready', status: 'False', reason: 'PeersDisconnected', message: summary.join('; ') },
    { type: 'Degraded', status: 'True', reason: 'PeersDisconnected', message: summary.join('; ') },
  ]);
  return {
    ...status,
    nodes,
    connected: nodes.filter((node) => node.state === 'Connected').length,
    ...(conditions ? { conditions } : {}),
  };
}

/**
 * The GlusterVolume status with each brick a BRICK_DISCONNECTED report names shown offline, the
 * online count and Ready/Degraded made to agree; as applyPeerDownReports, for bricks.
 */
export function applyBrickDownReports(
  status: GlusterVolumeStatus,
  reports: readonly DownReport[],
  now: string,
): GlusterVolumeStatus {
  const byBrick = new Map(
    reports
      .filter(
        (report) => report.event === 'BRICK_DISCONNECTED' && report.volume === status.volumeName,
      )
      .map((report) => [report.subject, report]),
  );
  if (byBrick.size === 0 || status.bricks === undefined) return status;
  const changed: BrickStatus[] = [];
  const bricks = status.bricks.map((brick) => {
    const report = byBrick.get(brick.name);
    if (report === undefined || !brick.online) return brick;
    const reported: BrickStatus = { ...brick, online: false };
    changed.push(reported);
    return reported;
  });
  if (changed.length === 0) return status;
  const online = bricks.filter((brick) => brick.online).length;
  const message = `${changed.length} of ${bricks.length} bricks reported offline by glusterd (BRICK_DISCONNECTED): ${changed
    .map((brick) => {
      const report = byBrick.get(brick.name);
      return `${brick.name} (set ${brick.set}) at ${report ? timeOf(report) : now}`;
    })
    .join(', ')}; a look at the volume follows`;
  const conditions = worsen(status.conditions, status.observedGeneration ?? 0, now, [
    { type: 'Ready', status: 'False', reason: 'BrickOffline', message },
    { type: 'Degraded', status: 'True', reason: 'BrickOffline', message },
  ]);
  return {
    ...status,
    bricks,
    bricksOnline: `${online}/${bricks.length}`,
    ...(conditions ? { conditions } : {}),
  };
}

interface Worse {
  readonly type: 'Ready' | 'Degraded';
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/**
 * Ready made False and Degraded made True where they were not already: a condition that already
 * says something is wrong keeps its own reason (it came from a look, and may be graver).
 */
function worsen<
  TCondition extends Pick<StampedCondition, 'type' | 'status' | 'lastTransitionTime'>,
>(
  conditions: readonly TCondition[] | undefined,
  generation: number,
  now: string,
  drafts: readonly Worse[],
): (TCondition | StampedCondition<Worse['type']>)[] | undefined {
  if (conditions === undefined) return undefined;
  return conditions.map((condition) => {
    const draft = drafts.find((candidate) => candidate.type === condition.type);
    if (draft === undefined || condition.status === draft.status) return condition;
    return stampCondition(draft, { previous: conditions, generation, now });
  });
}

function describeReporters(report: DownReport): string {
  const [first, ...others] = report.reporters;
  return others.length === 0
    ? `glusterd on ${first ?? 'a member'}`
    : `glusterd on ${first ?? 'a member'} and ${others.join(', ')}`;
}

function timeOf(report: DownReport): string {
  return formatEpochSeconds(report.tsSeconds);
}

/**
 * RFC 3339 (UTC, whole seconds) of a time in seconds since 1970, by arithmetic (the core has no
 * clock, and needs none to print a number): Howard Hinnant's days-to-civil algorithm.
 */
export function formatEpochSeconds(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const secondOfDay = seconds - days * 86_400;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(Math.floor(secondOfDay / 3600))}:${two(Math.floor((secondOfDay % 3600) / 60))}:${two(secondOfDay % 60)}Z`;
}
