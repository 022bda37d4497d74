import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ConflictError, NotFoundError, toKubeError } from './kube-errors.js';

/** Who manages the slice (the label EndpointSlice controllers leave alone). */
export const MANAGED_BY = 'gluster-operator';

export interface LeaderEndpoint {
  readonly namespace: string;
  /** The Service without a selector whose only endpoint is the leader. */
  readonly service: string;
  readonly podName: string;
  readonly podIp: string;
  readonly port: number;
  /** The port's name in the Service. */
  readonly portName: string;
}

/** Writes the Service's one EndpointSlice: the leader, or nobody. */
export interface LeaderEndpointSlice {
  /** This replica is the endpoint (created or replaced; a no-op when it already is). */
  claim(): Promise<void>;
  /** No endpoint, if this replica still is the one (a standby leaves the new leader's alone). */
  release(): Promise<void>;
}

/**
 * The events Service has no selector: its EndpointSlice lists the leader only, written by the
 * leader when it starts leading and at every renewal of the claim, so the storage nodes' posts
 * reach the replica that acts on them (a standby would drop them). The slice is replaced whole
 * (conditional on its resourceVersion): a new leader overwrites an old one's address at once,
 * even when the old one is partitioned from the API server.
 */
export function createLeaderEndpointSlice(
  kubeConfig: KubeConfig,
  endpoint: LeaderEndpoint,
): LeaderEndpointSlice {
  const api = kubeConfig.makeApiClient(DiscoveryV1Api);
  const { namespace } = endpoint;
  const name = `${endpoint.service}-leader`;
  const body = (addresses: readonly string[], resourceVersion?: string) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: {
        'kubernetes.io/service-name': endpoint.service,
        'endpointslice.kubernetes.io/managed-by': MANAGED_BY,
        'app.kubernetes.io/part-of': 'gluster-operator',
      },
    },
    addressType: endpoint.podIp.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: addresses.map((address) => ({
      addresses: [address],
      conditions: { ready: true },
      targetRef: { kind: 'Pod', namespace, name: endpoint.podName },
    })),
    ports: [{ name: endpoint.portName, port: endpoint.port, protocol: 'TCP' }],
  });
  const read = async () => {
    try {
      return await api.readNamespacedEndpointSlice({ namespace, name });
    } catch (error) {
      const failure = toKubeError(error);
      if (failure instanceof NotFoundError) return undefined;
      throw failure;
    }
  };
  const write = async (addresses: readonly string[], onlyIfMine: boolean): Promise<void> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = await read();
      const listed = (current?.endpoints ?? []).flatMap((entry) => entry.addresses);
      if (onlyIfMine && !listed.includes(endpoint.podIp)) return;
      if (current && sameList(listed, addresses)) return;
      try {
        if (current === undefined) {
          // client-node types bodies as its model classes, which are data only.
          // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
          await api.createNamespacedEndpointSlice({ namespace, body: body(addresses) });
        } else {
          await api.replaceNamespacedEndpointSlice({
            namespace,
            name,
            // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
            body: body(addresses, current.metadata?.resourceVersion),
          });
        }
        return;
      } catch (error) {
        // Another replica wrote meanwhile: read again and decide again.
        if (!(toKubeError(error) instanceof ConflictError)) throw toKubeError(error);
      }
    }
  };
  return {
    claim: () => write([endpoint.podIp], false),
    release: () => write([], true),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
