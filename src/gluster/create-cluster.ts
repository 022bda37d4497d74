import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../errors.js';
import type { ClusterAction } from './cluster-errors.js';
import { ClusterChangeFailedError, ClusterChangeRefusedError } from './cluster-errors.js';
import type { CallOptions, GlusterCli } from './gluster-cli.js';
import { assertHostArgument } from './host-argument.js';
import type { Resolver } from './host-identity.js';
import { normalizeHost } from './host-identity.js';
import type { MeshReport } from './mesh-validation.js';
import { validatePeersAreConnected } from './mesh-validation.js';
import { peerDetach } from './peer-detach.js';
import { peerProbe } from './peer-probe.js';
import type { PoolView } from './pool-views.js';
import type { Release } from './release-from-pool.js';
import { chooseRelease } from './release-from-pool.js';
import { gatherPoolViews } from './pool-views.js';
import { bricksHostedBy, getVolumeInfo } from './volume-info.js';

export interface ClusterOptions extends CallOptions {
  readonly resolver?: Resolver;
  /** How long to wait for the new pool to become a full mesh. */
  readonly connectTimeoutMs?: number;
  readonly pollIntervalMs?: number;
}

export interface CreateClusterResult {
  /** The node every change was made from: the first node given. */
  readonly anchor: string;
  readonly actions: readonly ClusterAction[];
  /** The pool as every member saw it at the end. */
  readonly mesh: MeshReport;
}

type ReachableView = Extract<PoolView, { ok: true }>;

/**
 * peer-ops' create_cluster: makes exactly `nodes` one pool, whatever pools they were in before.
 * The first node anchors the pool: members it has that are not wanted are detached, wanted
 * nodes in other pools are released from them, then probed from the anchor. Nothing is changed
 * when any step would detach a brick host or a node cannot be asked (ClusterChangeRefusedError).
 */
export async function createCluster(
  cli: GlusterCli,
  nodes: readonly string[],
  options: ClusterOptions = {},
): Promise<CreateClusterResult> {
  assertNodeList(nodes);
  const operation = `create a pool of ${nodes.join(', ')}`;
  const views = await gatherPoolViews(cli, nodes, options);
  const blockers = views.flatMap((view) =>
    view.ok ? [] : [`${view.node} could not be asked for its pool: ${view.error.message}`],
  );
  if (blockers.length > 0) throw new ClusterChangeRefusedError(operation, blockers);
  const reachable = views as ReachableView[];
  assertDistinctMachines(operation, reachable);

  const [anchor] = reachable as [ReachableView, ...ReachableView[]];
  const wanted = new Set(reachable.map((view) => view.uuid));
  const anchorUuids = new Set(anchor.members.map((member) => member.uuid));
  const unwanted = anchor.members.filter((member) => !member.isLocal && !wanted.has(member.uuid));
  const outsiders = reachable.filter((view) => !anchorUuids.has(view.uuid));

  // Refuse before changing anything: glusterd never detaches a brick host, and a half-formed
  // pool is worse than none.
  if (unwanted.length > 0) {
    const volumes = await getVolumeInfo(cli, anchor.node, options);
    for (const member of unwanted) {
      const bricks = bricksHostedBy(volumes, member.uuid);
      if (bricks.length > 0) {
        blockers.push(
          `${member.hostname} is a member of ${anchor.node}'s pool but not wanted, and hosts bricks (${bricks
            .map((brick) => brick.name)
            .join(', ')})`,
        );
      }
    }
  }
  // Each outsider is checked on its own node, all at once.
  const outsiderChecks = await Promise.all(
    outsiders.map(async (view): Promise<Release | string | undefined> => {
      const volumes = await getVolumeInfo(cli, view.node, options);
      const bricks = bricksHostedBy(volumes, view.uuid);
      if (bricks.length > 0) {
        return `${view.node} hosts bricks in its current pool (${bricks.map((brick) => brick.name).join(', ')})`;
      }
      if (view.members.length > 1) return chooseRelease(cli, view, volumes, options);
      if (volumes.length > 0) {
        return `${view.node} has volumes of its own (${volumes.map((volume) => volume.name).join(', ')}), and gluster refuses to probe it`;
      }
      return undefined;
    }),
  );
  const releases: Release[] = [];
  for (const check of outsiderChecks) {
    if (typeof check === 'string') blockers.push(check);
    else if (check) releases.push(check);
  }
  if (blockers.length > 0) throw new ClusterChangeRefusedError(operation, blockers);

  const actions: ClusterAction[] = [];
  try {
    // Unwanted members leave the anchor's pool first, then wanted nodes leave theirs.
    const detaches: Release[] = [
      ...unwanted.map((member) => ({ node: anchor.node, server: member.hostname })),
      ...releases,
    ];
    for (const { node, server } of detaches) {
      const result = await peerDetach(cli, { server, node }, options);
      actions.push({ verb: 'detach', node, server, outcome: result.outcome });
    }
    for (const view of outsiders) {
      const result = await peerProbe(cli, { server: view.node, node: anchor.node }, options);
      actions.push({
        verb: 'probe',
        node: anchor.node,
        server: view.node,
        outcome: result.outcome,
      });
    }
  } catch (cause) {
    throw new ClusterChangeFailedError(operation, actions, { cause });
  }

  const mesh = await waitForFullMesh(cli, nodes, options);
  return { anchor: anchor.node, actions, mesh };
}

/** Polls every member's view until all see all as connected, or the deadline passes. */
async function waitForFullMesh(
  cli: GlusterCli,
  nodes: readonly string[],
  options: ClusterOptions,
): Promise<MeshReport> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
  for (;;) {
    const mesh = await validatePeersAreConnected(cli, nodes, options);
    if (mesh.isFullMesh || Date.now() >= deadline) return mesh;
    await sleep(
      options.pollIntervalMs ?? 250,
      undefined,
      options.signal ? { signal: options.signal } : {},
    );
  }
}

export function assertNodeList(nodes: readonly string[]): void {
  if (nodes.length === 0) throw new InvalidArgumentError('A cluster needs at least one node');
  const seen = new Set<string>();
  for (const node of nodes) {
    assertHostArgument('node address', node);
    const key = normalizeHost(node);
    if (seen.has(key)) throw new InvalidArgumentError(`${node} is listed twice`);
    seen.add(key);
  }
}

function assertDistinctMachines(operation: string, views: readonly ReachableView[]): void {
  const byUuid = new Map<string, string>();
  for (const view of views) {
    const other = byUuid.get(view.uuid);
    if (other !== undefined) {
      throw new ClusterChangeRefusedError(operation, [
        `${other} and ${view.node} have the same glusterd UUID ${view.uuid}: the same machine listed twice, or a clone`,
      ]);
    }
    byUuid.set(view.uuid, view.node);
  }
}
