/** What the benches wait for, spelled out here so that they measure the same thing over time. */
import type { GlusterCluster } from '../src/api/gluster-cluster.js';

/** "True PoolReady": the condition's status and reason, or undefined when it is absent. */
export function conditionOf(cluster: GlusterCluster, type: string): string | undefined {
  const found = cluster.status?.conditions?.find((entry) => entry.type === type);
  return found ? `${found.status} ${found.reason}` : undefined;
}

/**
 * Ready: the status is of the current generation, Ready is True with reason PoolReady, and every
 * one of the `nodes` is a connected member.
 */
export function isPoolReady(cluster: GlusterCluster | undefined, nodes: number): boolean {
  return (
    cluster !== undefined &&
    cluster.status?.observedGeneration === cluster.metadata.generation &&
    conditionOf(cluster, 'Ready') === 'True PoolReady' &&
    cluster.status?.connected === nodes &&
    cluster.status.members === nodes
  );
}
