import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { GlusterCluster } from '../api/gluster-cluster.js';
import type { GlusterVolume } from '../api/gluster-volume.js';
import { createGlusterClusterApi } from '../kube/gluster-cluster-api.js';
import { createGlusterVolumeApi } from '../kube/gluster-volume-api.js';
import type { SshCredentials } from '../kube/ssh-credentials.js';
import { createSshCredentialsSource } from '../kube/ssh-credentials.js';
import { UsageError } from './cli-errors.js';

/** Where the CLI talks to Kubernetes: a kubeconfig and the namespace to work in. */
export interface KubeAccess {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
}

/**
 * --kubeconfig, else $KUBECONFIG or ~/.kube/config (client-node's default, which also knows the
 * in-cluster service account); the namespace from -n, else the context's, else "default".
 */
export function loadKubeAccess(flags: {
  readonly kubeconfig?: string | undefined;
  readonly namespace?: string | undefined;
}): KubeAccess {
  const kubeConfig = new KubeConfig();
  try {
    if (flags.kubeconfig === undefined) kubeConfig.loadFromDefault();
    else kubeConfig.loadFromFile(flags.kubeconfig);
  } catch (cause) {
    throw new UsageError(
      `Could not load the kubeconfig${flags.kubeconfig === undefined ? '' : ` ${flags.kubeconfig}`}: ${cause instanceof Error ? cause.message : String(cause)}; pass --kubeconfig <path>`,
      { cause },
    );
  }
  if (kubeConfig.getCurrentCluster() === null) {
    throw new UsageError('The kubeconfig has no current cluster; pass --kubeconfig <path>');
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return { kubeConfig, namespace: flags.namespace ?? context?.namespace ?? 'default' };
}

/** The GlusterCluster as the operator reads it, and the SSH credentials of its Secret. */
export async function readClusterFromApi(
  access: KubeAccess,
  name: string,
): Promise<{ readonly cluster: GlusterCluster; readonly credentials: SshCredentials }> {
  const api = createGlusterClusterApi(access.kubeConfig, { namespace: access.namespace });
  const cluster = await api.get(access.namespace, name);
  const source = createSshCredentialsSource(access.kubeConfig.makeApiClient(CoreV1Api));
  const credentials = await source.load(access.namespace, cluster.spec.ssh.secretRef.name);
  return { cluster, credentials };
}

/** The namespace's GlusterVolumes as the operator reads them (one, when `name` is given). */
export async function readVolumesFromApi(
  access: KubeAccess,
  name?: string,
): Promise<readonly GlusterVolume[]> {
  const api = createGlusterVolumeApi(access.kubeConfig, { namespace: access.namespace });
  if (name !== undefined) return [await api.get(access.namespace, name)];
  const list = await api.list();
  return [...list.items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}
