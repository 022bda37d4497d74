import type { SandboxNode } from './sandbox-state.js';
import { SANDBOX } from './sandbox-layout.js';

/**
 * The sandbox's GlusterCluster, in the shape of deploy/examples/glustercluster.yaml: the first
 * three nodes by IPv4 address (the operator runs in the root network namespace, where the
 * testbed's host names do not resolve), named as the testbed names them so `fault ... n2` and
 * the status speak of the same node. A short resync, so a fault that Kubernetes never hears of
 * (glusterd stopped on a node) shows in the status within seconds rather than minutes.
 */
export const SANDBOX_RESYNC_INTERVAL = '15s';

export function sandboxClusterManifest(nodes: readonly SandboxNode[]): string {
  const declared = nodes.slice(0, SANDBOX.declaredNodeCount);
  return [
    '# Applied by `scripts/sandbox up`. Edit and `kubectl apply -f` this file, or use kubectl patch.',
    'apiVersion: glusteroperator.io/v1alpha1',
    'kind: GlusterCluster',
    'metadata:',
    `  name: ${SANDBOX.clusterName}`,
    `  namespace: ${SANDBOX.namespace}`,
    'spec:',
    '  nodes:',
    ...declared.flatMap((node) => [`    - address: ${node.ipv4}`, `      name: ${node.name}`]),
    '  ssh:',
    '    secretRef:',
    `      name: ${SANDBOX.secretName}`,
    '  removalPolicy: Detach',
    '  deletionPolicy: Retain',
    `  resyncInterval: ${SANDBOX_RESYNC_INTERVAL}`,
    '',
  ].join('\n');
}

/**
 * The sandbox's GlusterVolume, in the shape of deploy/examples/glustervolume-replica3.yaml: one
 * replica 3 set over the cluster's three nodes, each brick at /bricks/{volume} (the testbed's
 * XFS, so no force). Retain, as the example: deleting the resource leaves the volume.
 */
export function sandboxVolumeManifest(): string {
  return [
    '# Applied by `scripts/sandbox up`. Edit and `kubectl apply -f` this file, or use kubectl patch.',
    'apiVersion: glusteroperator.io/v1alpha1',
    'kind: GlusterVolume',
    'metadata:',
    `  name: ${SANDBOX.volumeName}`,
    `  namespace: ${SANDBOX.namespace}`,
    'spec:',
    '  clusterRef:',
    `    name: ${SANDBOX.clusterName}`,
    '  layout:',
    '    type: Replicate',
    '    replica: 3',
    '  brickTemplate:',
    `    path: ${SANDBOX.volumeBrickTemplate}`,
    '    sets: 1',
    '  deletionPolicy: Retain',
    '',
  ].join('\n');
}
