import type { GlusterCluster } from '../src/api/gluster-cluster.js';
import type { GlusterVolume } from '../src/api/gluster-volume.js';
import type { Kubectl } from './kubectl.js';
import { renderNodeTable } from './node-table.js';
import { SANDBOX } from './sandbox-layout.js';

/** The sandbox's GlusterCluster as the API server has it, or undefined when there is none. */
export async function getSandboxCluster(kubectl: Kubectl): Promise<GlusterCluster | undefined> {
  const result = await kubectl.run(['get', 'glusterclusters', SANDBOX.clusterName, '-o', 'json']);
  if (result.exitCode !== 0) return undefined;
  return JSON.parse(result.stdout) as GlusterCluster;
}

/** The sandbox's GlusterVolume as the API server has it, or undefined when there is none. */
export async function getSandboxVolume(kubectl: Kubectl): Promise<GlusterVolume | undefined> {
  const result = await kubectl.run(['get', 'glustervolumes', SANDBOX.volumeName, '-o', 'json']);
  if (result.exitCode !== 0) return undefined;
  return JSON.parse(result.stdout) as GlusterVolume;
}

/**
 * `kubectl get glusterclusters -o wide` as kubectl prints it (the CRD's printer columns), then
 * each node's state from the status.
 */
export async function renderClusterView(kubectl: Kubectl): Promise<string> {
  const args = ['get', 'glusterclusters', '-o', 'wide'];
  const table = await kubectl.run(args);
  const cluster = await getSandboxCluster(kubectl);
  const volumeArgs = ['get', 'glustervolumes'];
  const volumes = await kubectl.run(volumeArgs);
  return [
    `$ kubectl ${args.join(' ')}`,
    (table.exitCode === 0 ? table.stdout : table.stderr).trimEnd(),
    '',
    `Nodes of ${SANDBOX.clusterName} (status.nodes; \`kubectl describe glc ${SANDBOX.clusterName}\` shows them with the events):`,
    renderNodeTable(cluster?.status),
    '',
    `$ kubectl ${volumeArgs.join(' ')}`,
    (volumes.exitCode === 0 ? volumes.stdout : volumes.stderr).trimEnd(),
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

/** One line that changes whenever the volume's printer columns would. */
export function summarizeVolume(volume: GlusterVolume): string {
  const ready = volume.status?.conditions?.find((c) => c.type === 'Ready');
  const readyText =
    ready === undefined ? 'Ready unknown' : `Ready=${ready.status} (${ready.reason})`;
  return `${readyText}, state ${volume.status?.state ?? 'unknown'}, bricks online ${volume.status?.bricksOnline ?? '0/0'}`;
}

/** Started, every brick online, Ready, for the generation the API server has. */
export function isVolumeReady(volume: GlusterVolume, brickCount: number): boolean {
  const { status } = volume;
  const ready = status?.conditions?.find((c) => c.type === 'Ready');
  return (
    status !== undefined &&
    status.observedGeneration === volume.metadata.generation &&
    ready?.status === 'True' &&
    status.state === 'Started' &&
    status.bricksOnline === `${String(brickCount)}/${String(brickCount)}`
  );
}
