import type { GlusterCluster } from '../src/api/gluster-cluster.js';
import type { Kubectl } from './kubectl.js';
import { renderNodeTable } from './node-table.js';
import { SANDBOX } from './sandbox-layout.js';

/** The sandbox's GlusterCluster as the API server has it, or undefined when there is none. */
export async function getSandboxCluster(kubectl: Kubectl): Promise<GlusterCluster | undefined> {
  const result = await kubectl.run(['get', 'glusterclusters', SANDBOX.clusterName, '-o', 'json']);
  if (result.exitCode !== 0) return undefined;
  return JSON.parse(result.stdout) as GlusterCluster;
}

/**
 * `kubectl get glusterclusters -o wide` as kubectl prints it (the CRD's printer columns), then
 * each node's state from the status.
 */
export async function renderClusterView(kubectl: Kubectl): Promise<string> {
  const args = ['get', 'glusterclusters', '-o', 'wide'];
  const table = await kubectl.run(args);
  const cluster = await getSandboxCluster(kubectl);
  return [
    `$ kubectl ${args.join(' ')}`,
    (table.exitCode === 0 ? table.stdout : table.stderr).trimEnd(),
    '',
    `Nodes of ${SANDBOX.clusterName} (status.nodes; \`kubectl describe glc ${SANDBOX.clusterName}\` shows them with the events):`,
    renderNodeTable(cluster?.status),
  ].join('\n');
}

/** One line that changes whenever the printer columns would. */
export function summarizeCluster(cluster: GlusterCluster): string {
  const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
  const readyText =
    ready === undefined ? 'Ready unknown' : `Ready=${ready.status} (${ready.reason})`;
  return `${readyText}, members ${String(cluster.status?.members ?? 0)}, connected ${String(cluster.status?.connected ?? 0)}`;
}

export function isClusterReady(cluster: GlusterCluster, nodeCount: number): boolean {
  const { status } = cluster;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return (
    status !== undefined &&
    status.observedGeneration === cluster.metadata.generation &&
    ready?.status === 'True' &&
    status.members === nodeCount &&
    status.connected === nodeCount
  );
}
