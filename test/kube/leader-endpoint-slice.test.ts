import { expect } from 'chai';
import { CoreV1Api, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createLeaderEndpointSlice } from '../../src/kube/leader-endpoint-slice.js';
import {
  CONTROL_PLANE_HOOK_TIMEOUT_MS,
  getControlPlane,
} from '../support/control-plane-fixture.js';
import { createTestNamespace, loadKubeConfig } from '../support/kube-test-helpers.js';

describe('the events Service points at the leader only (EndpointSlice on a real API server)', function () {
  let kc: KubeConfig;
  let namespace: string;
  let discovery: DiscoveryV1Api;

  before(async function () {
    this.timeout(CONTROL_PLANE_HOOK_TIMEOUT_MS);
    kc = loadKubeConfig((await getControlPlane()).kubeconfigPath);
    namespace = await createTestNamespace(kc, 'events-slice');
    discovery = kc.makeApiClient(DiscoveryV1Api);
    // What deploy/ ships: a Service without a selector, so no controller writes its endpoints.
    await kc.makeApiClient(CoreV1Api).createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'gluster-operator-events' },
        spec: { type: 'ClusterIP', ports: [{ name: 'events', port: 8090, targetPort: 8090 }] },
      },
    });
  });

  const replica = (podName: string, podIp: string) =>
    createLeaderEndpointSlice(kc, {
      namespace,
      service: 'gluster-operator-events',
      podName,
      podIp,
      port: 8090,
      portName: 'events',
    });
  const addresses = async (): Promise<string[]> => {
    const slice = await discovery.readNamespacedEndpointSlice({
      namespace,
      name: 'gluster-operator-events-leader',
    });
    expect(slice.metadata?.labels?.['kubernetes.io/service-name']).to.equal(
      'gluster-operator-events',
    );
    expect(slice.ports).to.deep.equal([{ name: 'events', port: 8090, protocol: 'TCP' }]);
    return (slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses);
  };

  it('lists the leader, then the next leader, and a former leader never takes the new one out', async function () {
    const first = replica('operator-a', '10.244.0.10');
    const second = replica('operator-b', '10.244.1.20');
    await first.claim();
    expect(await addresses()).to.deep.equal(['10.244.0.10']);
    // Claimed again (every 30 s): nothing changes.
    await first.claim();
    expect(await addresses()).to.deep.equal(['10.244.0.10']);
    // A new leader takes over (the old one may be cut off from the API server): only it is listed.
    await second.claim();
    expect(await addresses()).to.deep.equal(['10.244.1.20']);
    // The former leader stops: it must not remove the new leader.
    await first.release();
    expect(await addresses()).to.deep.equal(['10.244.1.20']);
    // The leader stops: nobody is listed until the next one claims.
    await second.release();
    expect(await addresses()).to.deep.equal([]);
  });

  it('an IPv6 pod gets an IPv6 slice', async function () {
    const v6 = createLeaderEndpointSlice(kc, {
      namespace,
      service: 'events-v6',
      podName: 'operator-c',
      podIp: 'fd00:10:244::5',
      port: 8090,
      portName: 'events',
    });
    await v6.claim();
    const slice = await discovery.readNamespacedEndpointSlice({
      namespace,
      name: 'events-v6-leader',
    });
    expect(slice.addressType).to.equal('IPv6');
    expect((slice.endpoints ?? []).flatMap((endpoint) => endpoint.addresses)).to.deep.equal([
      'fd00:10:244::5',
    ]);
  });
});
